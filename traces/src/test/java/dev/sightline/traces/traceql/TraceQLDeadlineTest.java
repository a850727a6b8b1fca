package dev.sightline.traces.traceql;

import dev.sightline.core.Deadline;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.DeadlineSpanQuerier;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.TraceSummary;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sightline.traces.traceql.TestTraces.MS;
import static dev.sightline.traces.traceql.TestTraces.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TraceQL over a querier that watches a deadline: a query evaluating many candidate traces stops within one trace
 * fetch of its deadline expiring, with {@link Deadline.Exceeded}.
 */
class TraceQLDeadlineTest {
    private static final long T0 = 1_000 * SECOND;
    private static final int TRACES = 600;
    /** Each trace has a root and a child; {@code count() > 5} matches none, so every trace is fetched. */
    private static final String NONE_MATCH = "{ } | count() > 5";

    private static final TestTraces DATA = new TestTraces();

    static {
        for (int t = 1; t <= TRACES; t++) {
            DATA.span(t, 1, 0, "web", "GET /", SpanKind.SERVER, StatusCode.OK, T0 + t * MS, 10 * MS)
                    .span(t, 2, 1, "db", "query", SpanKind.CLIENT, StatusCode.OK, T0 + t * MS + 1, 5 * MS);
        }
    }

    /** Counts trace fetches, running {@code onFetch} before each. */
    private static final class Counting implements SpanQuerier {
        final SpanQuerier d = DATA.store.querier();
        final AtomicInteger fetches = new AtomicInteger();
        Runnable onFetch = () -> { };

        @Override
        public List<StoredSpan> trace(TraceId id, long fromNanos, long toNanos) {
            fetches.incrementAndGet();
            onFetch.run();
            return d.trace(id, fromNanos, toNanos);
        }

        @Override
        public List<TraceSummary> search(SpanQuery query) {
            return d.search(query);
        }

        @Override
        public List<String> serviceNames(long fromNanos, long toNanos) {
            return d.serviceNames(fromNanos, toNanos);
        }

        @Override
        public List<Operation> operations(String serviceName, long fromNanos, long toNanos) {
            return d.operations(serviceName, fromNanos, toNanos);
        }

        @Override
        public List<String> attributeKeys(SpanCondition.Scope scope, long fromNanos, long toNanos) {
            return d.attributeKeys(scope, fromNanos, toNanos);
        }

        @Override
        public List<String> attributeValues(SpanCondition.Scope scope, String key, List<SpanCondition> conditions,
                                            long fromNanos, long toNanos, int limit) {
            return d.attributeValues(scope, key, conditions, fromNanos, toNanos, limit);
        }
    }

    @Test
    void searchAndMetricsStopWithinOneFetchOfTheCancel() {
        for (boolean metrics : new boolean[]{false, true}) {
            Counting store = new Counting();
            Deadline d = Deadline.in(600_000);
            store.onFetch = () -> {
                if (store.fetches.get() == 100) {
                    d.cancel();
                }
            };
            TraceQLEngine engine = new TraceQLEngine(new DeadlineSpanQuerier(store, d));
            assertThatThrownBy(() -> {
                if (metrics) {
                    engine.queryRange(TraceQL.parse(NONE_MATCH + " | rate()"), T0, T0 + 60 * SECOND, 10 * SECOND);
                } else {
                    engine.search(TraceQL.parse(NONE_MATCH), T0, T0 + 60 * SECOND, 20, 3);
                }
            }).isInstanceOfSatisfying(Deadline.Exceeded.class, e -> assertThat(e.canceled()).isTrue());
            assertThat(store.fetches.get()).as("metrics " + metrics).isEqualTo(100);
        }
    }

    @Test
    void aSlowSearchStopsAtItsTimeout() {
        Counting store = new Counting();
        store.onFetch = () -> {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        TraceQLEngine engine = new TraceQLEngine(new DeadlineSpanQuerier(store, Deadline.in(500)));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> engine.search(TraceQL.parse(NONE_MATCH), T0, T0 + 60 * SECOND, 20, 3))
                .isInstanceOfSatisfying(Deadline.Exceeded.class, e -> assertThat(e.canceled()).isFalse())
                .hasMessageContaining("timed out after 500ms");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to stop").isLessThan(3_000);
        assertThat(store.fetches.get()).isLessThan(TRACES);
    }

    @Test
    void aQueryWithinItsTimeAnswersAsWithoutTheDeadline() {
        String q = "{ resource.service.name = \"web\" } >> { name = \"query\" }";
        var plain = new TraceQLEngine(DATA.store.querier()).search(TraceQL.parse(q), T0, T0 + 60 * SECOND, 5, 3);
        var timed = new TraceQLEngine(new DeadlineSpanQuerier(DATA.store.querier(), Deadline.in(60_000)))
                .search(TraceQL.parse(q), T0, T0 + 60 * SECOND, 5, 3);
        assertThat(timed.traces()).hasSize(5).isEqualTo(plain.traces());
    }
}
