package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.metricstore.conformance.StartPatterns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.sightline.tsdb.head.HeadTest.A;
import static dev.sightline.tsdb.head.HeadTest.HOUR;
import static dev.sightline.tsdb.head.HeadTest.head;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start timestamps in the head: out-of-order samples, duplicates, bad input, and full chunks in chunks_head/. */
class HeadStartTimestampTest {
    @TempDir
    Path dir;

    /** "t/st=v" for every sample of the series with label s = labels' s. */
    static List<String> samples(Head head, Labels labels) {
        SeriesSet set = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)
                .select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("s", labels.get("s")));
        List<String> out = new ArrayList<>();
        while (set.next()) {
            SampleIterator it = set.at().iterator(null);
            for (ValueType ty = it.next(); ty != ValueType.NONE; ty = it.next()) {
                out.add(it.timestamp() + "/" + it.startTimestamp() + "="
                        + (ty == ValueType.FLOAT ? Double.toString(it.value()) : "h" + it.histogram().count));
            }
        }
        return out;
    }

    private static void commit(Head head, long st, long t, double v) throws Exception {
        Appender app = head.appender();
        app.append(0, A, st, t, v);
        app.commit();
    }

    @Test
    void outOfOrderSamplesKeepTheirStartTimestamps() throws Exception {
        Head head = head(HOUR);
        commit(head, 500, 10_000, 1);
        commit(head, 0, 30_000, 3);
        commit(head, 6_000, 20_000, 2); // out of order, with a start
        commit(head, 0, 25_000, 2.5);   // out of order, without
        commit(head, 10_000, 15_000, 1.5);
        assertThat(samples(head, A)).containsExactly("10000/500=1.0", "15000/10000=1.5", "20000/6000=2.0",
                "25000/0=2.5", "30000/0=3.0");
    }

    /** As in Prometheus, the start timestamp plays no part in duplicate detection: the first one written stays. */
    @Test
    void aDuplicateThatDiffersOnlyInItsStartIsIgnored() throws Exception {
        Head head = head(0);
        commit(head, 100, 1000, 1);
        commit(head, 200, 1000, 1);
        assertThat(samples(head, A)).containsExactly("1000/100=1.0");
        assertThatThrownBy(() -> commit(head, 100, 1000, 2)).isInstanceOf(ValidationException.class);
    }

    @Test
    void aStartOutsideTheTimestampRangeIsRefusedNamingIt() {
        Head head = head(0);
        Appender app = head.appender();
        assertThatThrownBy(() -> app.append(0, A, Long.MAX_VALUE, 1000, 1))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ValidationException.Reason.INVALID_TIMESTAMP);
                    assertThat(e.field()).isEqualTo("start_timestamp");
                })
                .hasMessageContaining("start timestamp " + Long.MAX_VALUE);
        assertThat(head.numSeries()).isZero();
    }

    private static Histogram hist(int k) {
        return new Histogram(Histogram.CounterResetHint.NOT_COUNTER_RESET, 1, 0.001, k, 3 * k + 1, k * 0.5,
                new int[]{0}, new int[]{2}, new double[]{k, 2 * k + 1}, null, null, null, null);
    }

    /**
     * Full chunks with start timestamps go to chunks_head/ and come back from there after a restart: the replayed
     * "WAL" gives every sample those chunks hold no start timestamp, so a start read back came from the files.
     */
    @Test
    void fullChunksWithStartTimestampsAreReadBackFromTheChunkFiles() throws Exception {
        int n = 500;
        Labels floats = Labels.of("__name__", "c", "s", "floats");
        Labels hists = Labels.of("__name__", "c", "s", "hists");
        long[] ts = new long[n];
        for (int k = 0; k < n; k++) {
            ts[k] = 1000L * k;
        }
        long[] fst = StartPatterns.CHANGING.starts(ts, n);
        long[] hst = StartPatterns.CUMULATIVE_WITH_RESETS.starts(ts, n);
        Head head = new Head(LabelLimits.DEFAULT, 2 * HOUR, 0, null, dir);
        List<String> want = new ArrayList<>();
        List<String> wantH = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Appender app = head.appender();
            app.append(0, floats, fst[k], ts[k], k * 1.5);
            app.appendHistogram(0, hists, hst[k], ts[k], hist(k));
            app.commit();
            want.add(ts[k] + "/" + fst[k] + "=" + k * 1.5);
            wantH.add(ts[k] + "/" + hst[k] + "=h" + hist(k).count);
        }
        assertThat(samples(head, floats)).isEqualTo(want);
        head.close();
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isPositive();
        }

        Head again = replay(n, floats, hists, ts, fst, hst);
        // The first four 120-sample chunks (up to sample 479) were full and are taken from the files.
        assertThat(samples(again, floats)).isEqualTo(want);
        assertThat(samples(again, hists)).isEqualTo(wantH);
        again.close();
    }

    private Head replay(int n, Labels floats, Labels hists, long[] ts, long[] fst, long[] hst) throws IOException {
        Head head = new Head(LabelLimits.DEFAULT, 2 * HOUR, 0, null, dir);
        HeadReplay r = head.replay(Long.MIN_VALUE, null, 2);
        r.series(1, floats);
        r.series(2, hists);
        for (int k = 0; k < n; k++) {
            boolean inFiles = k < 480;
            r.sample(1, inFiles ? 0 : fst[k], ts[k], k * 1.5);
            r.histogram(2, inFiles ? 0 : hst[k], ts[k], hist(k));
        }
        r.finish();
        return head;
    }
}
