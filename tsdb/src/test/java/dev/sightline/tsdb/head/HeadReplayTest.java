package dev.sightline.tsdb.head;

import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.sightline.tsdb.head.HeadTest.HOUR;
import static dev.sightline.tsdb.head.HeadTest.hist;
import static dev.sightline.tsdb.head.HeadTest.samples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeadReplayTest {
    private static Labels series(int i) {
        return Labels.of("__name__", "r", "s", Integer.toString(i));
    }

    /** Replayed records give the head an appender would have built, and refs stay unique, with any number of workers. */
    @ParameterizedTest(name = "{0} workers")
    @ValueSource(ints = {0, 1, 3})
    void replayedHeadEqualsTheAppendedOne(int workers) throws Exception {
        Head expected = new Head(LabelLimits.DEFAULT, 2 * HOUR, 0, null);
        Head replayed = new Head(LabelLimits.DEFAULT, 2 * HOUR, 0, null);
        int numSeries = 37;
        {
            HeadReplay replay = replayed.replay(5_000, null, workers);
            for (int i = 0; i < numSeries; i++) {
                replay.series(i + 1, series(i));
            }
            // A label set logged again under another ref (a series re-created after truncation) maps to the first.
            replay.series(1000, series(0));
            Appender app = expected.appender();
            // Interleaved across series as batches are in the WAL; more samples than one hand-over batch holds.
            for (int k = 0; k < 400; k++) {
                long t = k * 1000L;
                for (int i = 0; i < numSeries; i++) {
                    long ref = i == 0 && k % 2 == 1 ? 1000 : i + 1;
                    if (i == 5 && k % 50 == 0) {
                        replay.histogram(ref, 0, t, hist(k + 1));
                        if (t >= 5_000) {
                            app.appendHistogram(0, series(i), t, hist(k + 1));
                        }
                    } else {
                        replay.sample(ref, 0, t, k * 10 + i);
                        if (t >= 5_000) {
                            app.append(0, series(i), t, k * 10 + i);
                        }
                    }
                }
                // A sample the head refused when first written stays refused.
                replay.sample(3, 0, t, -1);
            }
            replay.sample(999_999, 0, 1, 1); // ref without a series record: skipped
            replay.finish();
            app.commit();
        }
        assertThat(replayed.numSeries()).isEqualTo(numSeries);
        assertThat(replayed.minTime()).isEqualTo(5_000);
        assertThat(replayed.maxTime()).isEqualTo(399_000);
        assertThat(replayed.stats().chunks()).isEqualTo(expected.stats().chunks());
        for (int i = 0; i < numSeries; i++) {
            List<String> want = samples(expected, series(i), 0, Long.MAX_VALUE);
            assertThat(samples(replayed, series(i), 0, Long.MAX_VALUE)).as("series %d", i).isEqualTo(want);
        }
        assertThat(samples(replayed, series(0), 0, Long.MAX_VALUE)).hasSize(395);
        // Appends continue after the replayed data with fresh refs.
        Appender app = replayed.appender();
        long ref = app.append(0, Labels.of("__name__", "r", "s", "new"), 400_000, 1);
        app.commit();
        assertThat(ref).isGreaterThan(1000);
        assertThat(new ArrayList<>(samples(replayed, series(0), 399_000, 399_000))).containsExactly("399000=3990.0");
    }

    /** A replay given up half-way (the WAL could not be read) stops its workers; the head is not used after that. */
    @Test
    void closeWithoutFinishStopsTheWorkers() {
        Head head = new Head(LabelLimits.DEFAULT, 2 * HOUR, 0, null);
        HeadReplay replay = head.replay(Long.MIN_VALUE, null, 3);
        for (int i = 0; i < 10; i++) {
            replay.series(i + 1, series(i));
        }
        for (int k = 0; k < 3 * HeadReplay.BATCH; k++) {
            replay.sample(k % 10 + 1, 0, k, k);
        }
        assertThat(workerThreads()).isNotEmpty();
        replay.close();
        assertThat(workerThreads()).isEmpty();
        assertThatThrownBy(replay::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("already finished");
    }

    private static List<String> workerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("sightline-wal-replay-")).toList();
    }

    @Test
    void negativeWorkerCountIsRefusedNamingIt() {
        Head head = new Head(LabelLimits.DEFAULT, 2 * HOUR, 0, null);
        assertThatThrownBy(() -> head.replay(Long.MIN_VALUE, null, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers").hasMessageContaining("-1");
    }
}
