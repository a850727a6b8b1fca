package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which series topk/bottomk/limitk keep among equal values, and in which order. The expected orders of
 * {@link #VALUES} were answered by Prometheus 2.42 (Debian's binary) for series {@code x{s="00"}} to
 * {@code x{s="17"}} holding these values at one instant, so they pin its heap and its Go sort without the peer.
 */
class KSelectionTest {
    static final double NaN = Double.NaN;
    static final double[] VALUES = {3, 1, 3, 2, NaN, 1, 3, 3, 2, 1, 1, 3, 2, 3, 1, 2, NaN, 2};

    @TempDir
    Path dir;

    private static int[] top(double[] v, long k) {
        int[] out = new int[v.length];
        return Arrays.copyOf(out, KSelection.select(v, v.length, k, true, out));
    }

    private static int[] bottom(double[] v, long k) {
        int[] out = new int[v.length];
        return Arrays.copyOf(out, KSelection.select(v, v.length, k, false, out));
    }

    @Test
    void equalValuesKeepTheEarlierSeriesForKOne() {
        assertThat(top(new double[]{1, 1, 1}, 1)).containsExactly(0);
        assertThat(bottom(new double[]{1, 1, 1}, 1)).containsExactly(0);
        assertThat(top(VALUES, 1)).containsExactly(0);
        assertThat(bottom(VALUES, 1)).containsExactly(1);
    }

    @Test
    void aNaNRootGivesWayEvenToAnotherNaN() {
        // Prometheus 2.42: topk(1) of x{s="04"} and x{s="16"}, both NaN, is s="16"; topk(2) lists 04 then 16.
        assertThat(top(new double[]{NaN, NaN}, 1)).containsExactly(1);
        assertThat(top(new double[]{NaN, NaN}, 2)).containsExactly(0, 1);
        assertThat(bottom(new double[]{NaN, NaN, NaN}, 1)).containsExactly(2);
        // NaN is the worst value either way: it is dropped as soon as a number comes.
        assertThat(top(new double[]{NaN, 1, NaN, 0}, 2)).containsExactly(1, 3);
        assertThat(bottom(new double[]{NaN, 1, NaN, 0}, 2)).containsExactly(3, 1);
    }

    @Test
    void aFullHeapDropsItsRootSoTheEarlierOfTwoEqualValuesCanLeave() {
        // topk(2) of 1, 1, 2: the 2 evicts the root, which is the first 1.
        assertThat(top(new double[]{1, 1, 2}, 2)).containsExactly(2, 1);
        assertThat(top(VALUES, 3)).containsExactly(2, 0, 6);
        assertThat(bottom(VALUES, 4)).containsExactly(9, 5, 1, 10);
    }

    @Test
    void moreThanTwelveKeptAreOrderedAsGoPdqsortLeavesThem() {
        assertThat(top(VALUES, 14)).containsExactly(7, 2, 11, 13, 6, 0, 8, 12, 3, 15, 17, 14, 10, 5);
        assertThat(bottom(VALUES, 13)).containsExactly(1, 5, 10, 9, 14, 8, 15, 3, 12, 17, 6, 2, 11);
    }

    @Test
    void kBelowOneOrNoValuesKeepNothing() {
        assertThat(top(VALUES, 0)).isEmpty();
        assertThat(bottom(new double[0], 3)).isEmpty();
        assertThat(top(new double[]{5}, Long.MAX_VALUE)).containsExactly(0);
    }

    @Test
    void limitkTakesTheFirstKInTheOrderOfItsHeap() {
        int[] out = new int[VALUES.length];
        int n = KSelection.limit(VALUES, VALUES.length, 4, out);
        assertThat(Arrays.copyOf(out, n)).containsExactly(1, 3, 2, 0);
        assertThat(KSelection.limit(VALUES, VALUES.length, 0, out)).isZero();
        assertThat(KSelection.limit(VALUES, 3, 100, out)).isEqualTo(3);
    }

    /** The engine's two paths (float-only series-major, and per step when a histogram is present) agree. */
    @Test
    void engineKeepsPrometheusOrderOnBothAggregationPaths() throws Exception {
        try (Tsdb db = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false))) {
            Appender app = db.appender();
            for (int i = 0; i < VALUES.length; i++) {
                app.append(0, Labels.of("__name__", "x", "s", String.format("%02d", i)), 1000, VALUES[i]);
            }
            app.appendHistogram(0, Labels.of("__name__", "h"), 1000, new Histogram(Histogram.CounterResetHint.GAUGE,
                    0, 0, 0, 1, 1, new int[]{0}, new int[]{1}, new double[]{1}, null, null, null, null));
            app.commit();
            Engine e = new Engine(EngineOptions.defaults());
            assertThat(order(e, db, "topk(14, x)")).containsExactly("07", "02", "11", "13", "06", "00", "08", "12",
                    "03", "15", "17", "14", "10", "05");
            // With a histogram in the input the generic per-step path aggregates (and ignores the histogram).
            assertThat(order(e, db, "topk(14, x or h)")).isEqualTo(order(e, db, "topk(14, x)"));
            assertThat(order(e, db, "bottomk(4, x or h)")).containsExactly("09", "05", "01", "10");
            // Nested: the outer topk sees the inner one's output order, so of the equal 3s it keeps the first listed.
            assertThat(order(e, db, "topk(1, topk(14, x))")).containsExactly("07");
            assertThat(order(e, db, "limitk(4, x)")).containsExactly("01", "03", "02", "00");
            Matrix m = (Matrix) e.range(db, PromQLParser.parseExpr("topk(3, x)"), 1000, 61000, 30000).value();
            assertThat(m.series()).extracting(s -> s.labels.get("s")).containsExactlyInAnyOrder("02", "00", "06");
        }
    }

    private static List<String> order(Engine e, Tsdb db, String q) throws Exception {
        Vector v = (Vector) e.instant(db, PromQLParser.parseExpr(q), 1010, q).value();
        return v.samples().stream().map(s -> s.labels().get("s")).toList();
    }
}
