package dev.sightline.server.traces;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.InMemorySpanStore;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.TenantSpanView;
import dev.sightline.traces.metrics.GeneratorConfig;
import dev.sightline.traces.metrics.MetricsGenerator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Spans reach the generator of the tenant whose view stored them, once committed; untenanted ones the shared one. */
class TenantSpanMetricsTest {
    private final MetricsGenerator untenanted = new MetricsGenerator(GeneratorConfig.defaults(), () -> 1_000L);
    private final TenantSpanMetrics metrics = new TenantSpanMetrics(untenanted,
            () -> new MetricsGenerator(GeneratorConfig.defaults(), () -> 1_000L));
    private final InMemorySpanStore shared = new InMemorySpanStore();

    /** The store as the span ingester builds it: the share (a tenant's view or the store) over the routed appender. */
    private SpanAppender appender(String tenant) {
        SpanStore routed = new SpanStore() {
            @Override
            public SpanAppender appender() {
                return metrics.apply(shared.appender());
            }

            @Override
            public SpanQuerier querier() {
                return shared.querier();
            }

            @Override
            public void close() {
            }
        };
        return (tenant == null ? routed : TenantSpanView.store(routed, tenant)).appender();
    }

    private static Span span(long id) {
        return new Span(0xabc, id, id, 0, "", 0, "GET /", SpanKind.SERVER, 1_000_000L, 2_000_000L, Attributes.EMPTY, 0,
                List.of(), 0, List.of(), 0, StatusCode.UNSET, "");
    }

    private static final SpanResource CHECKOUT = new SpanResource(
            new Attributes.Builder().addString("service.name", "checkout").build(), 0, "");

    @Test
    void eachTenantsCommittedSpansFeedItsOwnGenerator() throws Exception {
        SpanAppender a = appender("a");
        a.append(CHECKOUT, InstrumentationScope.EMPTY, span(1));
        a.append(CHECKOUT, InstrumentationScope.EMPTY, span(2));
        SpanAppender b = appender("b");
        b.append(CHECKOUT, InstrumentationScope.EMPTY, span(3));
        SpanAppender none = appender(null);
        none.append(CHECKOUT, InstrumentationScope.EMPTY, span(4));
        // Nothing counts before the store committed it.
        assertThat(metrics.of("a").stats().spans()).isZero();
        a.commit();
        b.commit();
        none.commit();
        assertThat(metrics.of("a").stats().spans()).isEqualTo(2);
        assertThat(metrics.of("b").stats().spans()).isEqualTo(1);
        assertThat(untenanted.stats().spans()).isEqualTo(1);
        assertThat(metrics.of("a")).isNotSameAs(metrics.of("b")).isSameAs(metrics.of("a"));
    }

    @Test
    void aRolledBackRequestCountsNothing() {
        SpanAppender a = appender("a");
        a.append(CHECKOUT, InstrumentationScope.EMPTY, span(1));
        a.rollback();
        assertThat(metrics.of("a").stats().spans()).isZero();
    }
}
