package dev.sightline.server.traces;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.server.config.TenantsConfig;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.traces.InMemorySpanStore;
import dev.sightline.traces.metrics.GeneratorConfig;
import dev.sightline.traces.metrics.MetricsGenerator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Through the span ingester, as every span endpoint writes: spans reach the generator of the tenant whose view stored
 * them, once committed; untenanted ones the shared generator; a failed request none.
 */
class TenantSpanMetricsTest {
    private static final SpanResource CHECKOUT = new SpanResource(
            new Attributes.Builder().addString("service.name", "checkout").build(), 0, "");

    private final MetricsGenerator untenanted = new MetricsGenerator(GeneratorConfig.defaults(), () -> 1_000L);
    private final TenantSpanMetrics metrics = new TenantSpanMetrics(untenanted,
            () -> new MetricsGenerator(GeneratorConfig.defaults(), () -> 1_000L));
    private final InMemorySpanStore store = new InMemorySpanStore();
    private final Tenants tenants = Tenants.of(new TenantsConfig(true, null, null, null, null), IngestGuards.none(),
            new PrometheusRegistry(), System::nanoTime);
    private final SpanIngester ingester = new SpanIngester(() -> store, metrics,
            new SpanIngestMetrics(new PrometheusRegistry()));

    private static Span span(long id) {
        return new Span(0xabc, id, id, 0, "", 0, "GET /", SpanKind.SERVER, 1_000_000L, 2_000_000L, Attributes.EMPTY, 0,
                List.of(), 0, List.of(), 0, StatusCode.UNSET, "");
    }

    private void ingest(String tenant, int spans) throws Exception {
        ingester.ingest(tenant == null ? null : tenants.of(tenant), 0, sink -> {
            for (int i = 1; i <= spans; i++) {
                sink.accept(CHECKOUT, InstrumentationScope.EMPTY, span(i));
            }
            return new SpanResult(spans, 0, "");
        });
    }

    @Test
    void eachTenantsCommittedSpansFeedItsOwnGenerator() throws Exception {
        ingest("a", 2);
        ingest("b", 1);
        ingest(null, 3);
        assertThat(metrics.of("a").stats().spans()).isEqualTo(2);
        assertThat(metrics.of("b").stats().spans()).isEqualTo(1);
        assertThat(untenanted.stats().spans()).isEqualTo(3);
        assertThat(metrics.of("a")).isNotSameAs(metrics.of("b")).isSameAs(metrics.of("a"));
    }

    @Test
    void aFailedRequestCountsNothing() {
        assertThatThrownBy(() -> ingester.ingest(tenants.of("a"), 0, sink -> {
            sink.accept(CHECKOUT, InstrumentationScope.EMPTY, span(1));
            throw new IllegalStateException("malformed");
        })).hasMessage("malformed");
        assertThat(metrics.of("a").stats().spans()).isZero();
    }
}
