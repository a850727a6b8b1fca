package dev.sightline.server.query;

import dev.sightline.core.Deadline;
import dev.sightline.core.WritePriority;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The query gate: so many run, so many wait, the rest are refused; a wait counts against the timeout. */
class QueryGateTest {

    /** A query that holds its slot until released. */
    private static QueryGate.Admission<String> blocker(QueryGate gate, CountDownLatch started, CountDownLatch release) {
        return gate.submit(0, left -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                return "interrupted";
            }
            return "done";
        });
    }

    /** {@code n} queries holding every slot until {@code release}, started. */
    private static List<QueryGate.Admission<String>> holdSlots(QueryGate gate, int n, CountDownLatch release) throws Exception {
        CountDownLatch started = new CountDownLatch(n);
        List<QueryGate.Admission<String>> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            held.add(blocker(gate, started, release));
        }
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        return held;
    }

    private static Throwable failure(QueryGate.Admission<?> a) {
        Throwable t = catchThrowable(() -> a.result().get(5, TimeUnit.SECONDS));
        return t instanceof ExecutionException e ? e.getCause() : t;
    }

    @Test
    void beyondConcurrencyQueriesWaitAndBeyondTheQueueTheyAreRefusedAt429() throws Exception {
        try (QueryGate gate = new QueryGate(2, 1, 10_000)) {
            CountDownLatch release = new CountDownLatch(1);
            List<QueryGate.Admission<String>> held = holdSlots(gate, 2, release);
            AtomicBoolean ranThird = new AtomicBoolean();
            var waiting = gate.submit(0, left -> {
                ranThird.set(true);
                return "third";
            });
            var refused = gate.submit(0, left -> "fourth");
            Throwable t = failure(refused);
            assertThat(t).isInstanceOf(QueryGate.Rejected.class)
                    .hasMessage("too many queries: 2 running and 1 waiting (limits.query_max_concurrency, limits.query_max_queue)");
            QueryGate.Rejected r = (QueryGate.Rejected) t;
            assertThat(r.httpStatus()).isEqualTo(429);
            assertThat(r.errorType()).isEqualTo("unavailable");
            assertThat(gate.waiting()).isEqualTo(1);
            assertThat(ranThird).isFalse();
            release.countDown();
            for (QueryGate.Admission<String> h : held) {
                assertThat(h.result().get(5, TimeUnit.SECONDS)).isEqualTo("done");
            }
            assertThat(waiting.result().get(5, TimeUnit.SECONDS)).isEqualTo("third");
        }
    }

    @Test
    void aQueryStillWaitingAtItsTimeoutIsRefusedWith503Timeout() throws Exception {
        try (QueryGate gate = new QueryGate(1, 5, 300)) {
            CountDownLatch release = new CountDownLatch(1);
            holdSlots(gate, 1, release);
            long t0 = System.nanoTime();
            var waiting = gate.submit(0, left -> "never");
            Throwable t = failure(waiting);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(t).isInstanceOf(QueryGate.Rejected.class).hasMessageContaining("query timed out in query queue after 300ms")
                    .hasMessageContaining("limits.query_timeout");
            assertThat(((QueryGate.Rejected) t).httpStatus()).isEqualTo(503);
            assertThat(((QueryGate.Rejected) t).errorType()).isEqualTo("timeout");
            assertThat(waitedMs).isBetween(250L, 3_000L);
            // It left the line: the slot's next query does not find it.
            assertThat(gate.waiting()).isZero();
            release.countDown();
        }
    }

    @Test
    void theWaitCountsAgainstTheTimeoutAndARequestMayAskForLess() throws Exception {
        try (QueryGate gate = new QueryGate(1, 5, 2_000)) {
            CountDownLatch release = new CountDownLatch(1);
            holdSlots(gate, 1, release);
            AtomicLong left = new AtomicLong();
            var waiting = gate.submit(0, ms -> {
                left.set(ms);
                return "ran";
            });
            Thread.sleep(600);
            release.countDown();
            assertThat(waiting.result().get(5, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(left.get()).isBetween(1L, 1_450L);
            assertThat(gate.submit(500, ms -> ms).result().get(5, TimeUnit.SECONDS)).isBetween(1L, 500L);
        }
    }

    @Test
    void queriesGiveWayToWritesInProgressAndStillEndAtTheirTimeout() throws Exception {
        WritePriority writes = new WritePriority();
        writes.beginWrite();
        long start = System.nanoTime();
        try (QueryGate gate = new QueryGate(1, 0, 300, writes)) {
            // A scan checking its deadline per entry, with a write in progress that never ends.
            var scan = gate.submitWithin(0, d -> {
                while (!d.tick()) {
                    Thread.onSpinWait();
                }
                d.check();
                return "answered";
            });
            assertThat(failure(scan)).isInstanceOfAny(Deadline.Exceeded.class, QueryGate.Rejected.class)
                    .hasMessageContaining("timed out after 300ms");
        }
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
        assertThat(writes.pausedNanos()).isGreaterThanOrEqualTo(WritePriority.MAX_PAUSE_NANOS);
    }

    @Test
    void aRunningQueryPastItsTimeoutIsAnsweredSoonAfter() throws Exception {
        try (QueryGate gate = new QueryGate(1, 0, 200)) {
            CountDownLatch release = new CountDownLatch(1);
            var slow = blocker(gate, new CountDownLatch(1), release);
            Throwable t = failure(slow);
            assertThat(t).isInstanceOf(QueryGate.Rejected.class).hasMessage("query timed out after 200ms (limits.query_timeout)");
            release.countDown();
        }
    }

    @Test
    void aCanceledWaitingQueryLeavesTheLineAndARunningOneIsInterrupted() throws Exception {
        try (QueryGate gate = new QueryGate(1, 1, 10_000)) {
            var running = holdSlots(gate, 1, new CountDownLatch(1)).get(0);
            AtomicBoolean ran = new AtomicBoolean();
            var waiting = gate.submit(0, ms -> {
                ran.set(true);
                return "x";
            });
            waiting.cancel(true);
            assertThat(failure(waiting)).isInstanceOf(CancellationException.class);
            assertThat(gate.waiting()).isZero();
            running.cancel(true);
            assertThat(running.result().get(5, TimeUnit.SECONDS)).isEqualTo("interrupted");
            // The slot is free again and the thread carries no interrupt into the next query.
            assertThat(gate.submit(0, ms -> Thread.currentThread().isInterrupted()).result().get(5, TimeUnit.SECONDS)).isFalse();
            assertThat(ran).isFalse();
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThat(catchThrowable(() -> new QueryGate(0, 1, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(catchThrowable(() -> new QueryGate(1, -1, 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangeLimitsNameTheSetting() {
        RangeLimits r = new RangeLimits(3_600_000_000_000L, 100);
        assertThat(r.rangeError(0, 3_600_000_000_000L)).isNull();
        assertThat(r.rangeError(0, 7_200_000_000_000L))
                .isEqualTo("the query time range exceeds the limit (query length: 2h, limit: 1h; limits.query_max_range)");
        assertThat(r.tooManyPoints(0, 100, 1)).isFalse();
        assertThat(r.tooManyPoints(0, 101, 1)).isTrue();
        assertThat(r.tooManyPoints(Long.MIN_VALUE, Long.MAX_VALUE, 1)).isTrue();
        assertThat(RangeLimits.DEFAULT.maxPointsText()).isEqualTo("11,000");
        assertThat(RangeLimits.DEFAULT.rangeError(Long.MIN_VALUE, Long.MAX_VALUE)).isNull();
    }
}
