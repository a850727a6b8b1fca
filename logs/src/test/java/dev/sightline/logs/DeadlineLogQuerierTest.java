package dev.sightline.logs;

import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.logql.LogQlEvaluator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LogQL over a querier that watches a deadline: a scan stops within {@link Deadline#CHECK_EVERY} lines of the
 * deadline expiring (its time up or its query canceled) and the query ends with {@link Deadline.Exceeded}.
 */
class DeadlineLogQuerierTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final Labels STREAM = Labels.of("app", "a");

    /** Endless lines of JSON, one per microsecond from T0: a scan that ends only when its sink says so. */
    private static final class Endless implements LogQuerier {
        final AtomicLong given = new AtomicLong();
        Runnable onLine = () -> { };

        @Override
        public void select(LogSelection selection, EntrySink sink) {
            for (long i = 0; ; i++) {
                given.incrementAndGet();
                onLine.run();
                if (!sink.accept(new LogEntry(T0 + i * 1000, STREAM, Labels.EMPTY, "{\"n\":" + i + ",\"level\":\"info\"}"))) {
                    return;
                }
            }
        }

        @Override
        public void samples(LogSelection selection, SampleSink sink) {
            for (long i = 0; ; i++) {
                given.incrementAndGet();
                onLine.run();
                if (!sink.accept(STREAM, Labels.EMPTY, T0 + i * 1000, 20)) {
                    return;
                }
            }
        }

        @Override
        public List<String> labelNames(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
            return List.of("app");
        }

        @Override
        public List<String> labelValues(String name, long fromNanos, long toNanos, List<LabelMatcher> matchers) {
            return List.of("a");
        }

        @Override
        public List<Labels> series(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
            return List.of(STREAM);
        }

        @Override
        public Stats stats(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
            return new Stats(1, 1, 0, 0);
        }
    }

    @Test
    void aLogQueryOverEndlessLinesStopsAtItsTimeout() {
        String query = "{app=\"a\"} | json | n < 0";
        // Warmed up first, so the deadline's time goes to the scan rather than to loading the engine's classes.
        new LogQlEvaluator(new InMemoryLogStore().querier()).range(query, T0, Long.MAX_VALUE, 1,
                LogSelection.Direction.FORWARD, 100);
        Endless store = new Endless();
        LogQlEvaluator engine = new LogQlEvaluator(new DeadlineLogQuerier(store, Deadline.in(1_000)));
        long t0 = System.nanoTime();
        // The pipeline drops every line, so only the deadline can end the scan.
        assertThatThrownBy(() -> engine.range(query, T0, Long.MAX_VALUE, 1,
                LogSelection.Direction.FORWARD, 100))
                .isInstanceOfSatisfying(Deadline.Exceeded.class, e -> assertThat(e.canceled()).isFalse())
                .hasMessageContaining("timed out after 1000ms");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to stop").isLessThan(10_000);
        // Stopped by a tick of the scan, not by the check before it (on a loaded machine the first tick can be late).
        assertThat(store.given.get()).isGreaterThanOrEqualTo(Deadline.CHECK_EVERY);
    }

    @Test
    void metricQueriesOnSamplesAndOnLinesStopWithinOneCheckOfTheCancel() {
        for (String query : List.of("count_over_time({app=\"a\"}[1m])", "sum by (level) (count_over_time({app=\"a\"} | json [1m]))")) {
            Endless store = new Endless();
            Deadline d = Deadline.in(600_000);
            store.onLine = () -> {
                if (store.given.get() == 5_000) {
                    d.cancel();
                }
            };
            LogQlEvaluator engine = new LogQlEvaluator(new DeadlineLogQuerier(store, d));
            assertThatThrownBy(() -> engine.range(query, T0, T0 + 3_600_000_000_000L, 60_000_000_000L,
                    LogSelection.Direction.FORWARD, 100))
                    .as(query).isInstanceOfSatisfying(Deadline.Exceeded.class, e -> assertThat(e.canceled()).isTrue());
            assertThat(store.given.get()).as(query).isBetween(5_000L, 5_000L + Deadline.CHECK_EVERY);
        }
    }

    @Test
    void aQueryWithinItsTimeAnswersAsWithoutTheDeadline() {
        InMemoryLogStore store = new InMemoryLogStore();
        LogAppender a = store.appender();
        for (int i = 0; i < 3 * Deadline.CHECK_EVERY; i++) {
            a.append(STREAM, T0 + i * 1_000_000L, "{\"n\":" + i + "}", Labels.EMPTY);
        }
        try {
            a.commit();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String q = "sum(count_over_time({app=\"a\"} | json | n > 100 [1h]))";
        long t = T0 + 3_600_000_000_000L;
        assertThat(new LogQlEvaluator(new DeadlineLogQuerier(store.querier(), Deadline.in(60_000)))
                .instant(q, t, LogSelection.Direction.BACKWARD, 100))
                .isEqualTo(new LogQlEvaluator(store.querier()).instant(q, t, LogSelection.Direction.BACKWARD, 100));
        assertThat(new DeadlineLogQuerier(store.querier(), Deadline.in(60_000)).series(T0, t, List.of()))
                .containsExactly(STREAM);
    }

    @Test
    void indexLookupsAfterTheDeadlineAreRefused() {
        Deadline d = Deadline.in(60_000);
        d.cancel();
        DeadlineLogQuerier q = new DeadlineLogQuerier(new Endless(), d);
        assertThatThrownBy(() -> q.labelNames(0, 1, List.of())).isInstanceOf(Deadline.Exceeded.class);
        assertThatThrownBy(() -> q.stats(0, 1, List.of())).isInstanceOf(Deadline.Exceeded.class);
    }
}
