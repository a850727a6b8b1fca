package dev.sightline.traces.store;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.traces.InMemorySpanStore;
import dev.sightline.core.TenantScope;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TenantSpanView;
import dev.sightline.traces.TraceSummary;
import dev.sightline.traces.conformance.SpanStoreConformanceTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.sightline.traces.conformance.SpanData.HOUR;
import static dev.sightline.traces.conformance.SpanData.T0;
import static dev.sightline.traces.conformance.SpanData.attrs;
import static dev.sightline.traces.conformance.SpanData.resource;
import static dev.sightline.traces.conformance.SpanData.span;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance suite through one tenant's view of a disk store that also holds another tenant's spans and
 * untenanted ones, over the suite's hours, with services, names and attributes of their own: any of them leaking into
 * the view would break the suite's exact answers.
 */
class TenantSpanViewTest extends SpanStoreConformanceTest {
    @Override
    protected SpanStore open(Path dir) throws IOException {
        boolean fresh;
        try (var files = Files.list(dir)) {
            fresh = files.findAny().isEmpty();
        }
        SpanStore shared = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions());
        if (fresh) {
            seed(TenantSpanView.store(shared, "b").appender(), "noise-b");
            seed(shared.appender(), "noise-untenanted");
        }
        SpanStore view = TenantSpanView.store(shared, "a");
        return new SpanStore() {
            @Override
            public SpanAppender appender() {
                return view.appender();
            }

            @Override
            public SpanQuerier querier() {
                return view.querier();
            }

            @Override
            public long delete(List<SpanCondition> conditions, long fromNanos, long toNanos) throws IOException {
                return view.delete(conditions, fromNanos, toNanos);
            }

            @Override
            public void close() throws IOException {
                shared.close();
            }
        };
    }

    private static void seed(SpanAppender app, String service) throws IOException {
        for (int i = 0; i < 40; i++) {
            app.append(resource(service, "noise.attr", "x"), dev.sightline.core.span.InstrumentationScope.EMPTY,
                    span(0x7000_0000L + service.length() * 1000L + i, 1 + i, 0, "noise op", SpanKind.SERVER,
                            T0 - HOUR + i * HOUR / 4, 1_000_000, StatusCode.ERROR, attrs("http.status_code", 500L,
                                    "noise.span", "y")));
        }
        app.commit();
    }

    /**
     * Tenant b writes a root span (earlier, longer) under the trace id of a's child span: a's search shows no root
     * service of b's and a's own start and end, b's shows its root; in both stores.
     */
    @Test
    void aSearchSummarisesATraceFromItsTenantsSpansOnly(@TempDir Path disk) throws IOException {
        try (SpanStore lucene = LuceneSpanStore.open(disk, LuceneSpanStore.defaultOptions())) {
            for (SpanStore shared : List.of(new InMemorySpanStore(), lucene)) {
                write(TenantSpanView.store(shared, "b"), "svc-b", 0, "root of b", T0, 10 * HOUR / 3600);
                write(TenantSpanView.store(shared, "a"), "svc-a", 1, "child of a", T0 + 1_000_000, 1_000_000);
                SpanQuery all = new SpanQuery(T0 - HOUR, T0 + HOUR, List.of(), 20, 5);

                TraceSummary a = TenantSpanView.store(shared, "a").querier().search(all).get(0);
                assertThat(a.rootServiceName()).isEmpty();
                assertThat(a.rootSpanName()).isEmpty();
                assertThat(a.startNanos()).isEqualTo(T0 + 1_000_000);
                assertThat(a.endNanos()).isEqualTo(T0 + 2_000_000);
                assertThat(a.matchedSpans()).extracting(StoredSpan::serviceName).containsExactly("svc-a");
                assertThat(a.matchedSpans().get(0).resource().attributes().indexOf("__tenant__")).isEqualTo(-1);

                TraceSummary b = TenantSpanView.store(shared, "b").querier().search(all).get(0);
                assertThat(b.rootServiceName()).isEqualTo("svc-b");
                assertThat(b.rootSpanName()).isEqualTo("root of b");
                assertThat(b.startNanos()).isEqualTo(T0);
                assertThat(b.endNanos()).isEqualTo(T0 + 10 * HOUR / 3600);
            }
        }
    }

    /** A delete through a's view, even one naming the tenant attribute, never reaches b's or untenanted spans. */
    @Test
    void aDeleteThroughOneTenantsViewNeverReachesAnotherTenantsSpans(@TempDir Path disk) throws IOException {
        try (SpanStore lucene = LuceneSpanStore.open(disk, LuceneSpanStore.defaultOptions())) {
            for (SpanStore shared : List.of(new InMemorySpanStore(), lucene)) {
                seed(TenantSpanView.store(shared, "a").appender(), "svc");
                seed(TenantSpanView.store(shared, "b").appender(), "svc");
                seed(shared.appender(), "svc");
                SpanStore a = TenantSpanView.store(shared, "a");
                long from = Long.MIN_VALUE;
                long to = Long.MAX_VALUE;
                assertThat(a.delete(List.of(SpanCondition.attribute(SpanCondition.Scope.RESOURCE, TenantScope.LABEL,
                        SpanCondition.Op.EQ, "b")), from, to)).isZero();
                assertThat(a.delete(List.of(SpanCondition.attribute(SpanCondition.Scope.ANY, TenantScope.LABEL,
                        SpanCondition.Op.REGEX, ".*")), from, to)).isZero();
                assertThat(a.delete(List.of(SpanCondition.service("svc")), from, to)).isEqualTo(40);
                SpanQuery all = new SpanQuery(from, to, List.of(), 1000, 1000);
                assertThat(a.querier().search(all)).isEmpty();
                assertThat(TenantSpanView.store(shared, "b").querier().search(all)).hasSize(40);
                assertThat(shared.querier().search(all)).hasSize(40); // b's and the untenanted share trace ids
                assertThat(shared.querier().search(all).stream().mapToInt(TraceSummary::matchedCount).sum())
                        .isEqualTo(80);
            }
        }
    }

    private static void write(SpanStore store, String service, long parent, String name, long start, long duration)
            throws IOException {
        SpanAppender app = store.appender();
        app.append(resource(service), InstrumentationScope.EMPTY,
                span(0x5150, parent == 0 ? 1 : 2, parent, name, SpanKind.SERVER, start, duration, StatusCode.OK, attrs()));
        app.commit();
    }
}
