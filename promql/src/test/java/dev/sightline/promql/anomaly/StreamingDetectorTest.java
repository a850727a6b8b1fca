package dev.sightline.promql.anomaly;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The streaming forms give the window forms' results: for random series of the shapes that break detectors, after
 * any sequence of additions, evictions and resets, each detector's streaming logP and z equal the window form's on
 * the points in the stream's window to a relative {@value #TOLERANCE} (most are the same doubles: medians, MADs and
 * rank counts are exact; the z-score's second moment comes from running sums).
 */
class StreamingDetectorTest {
    static final double TOLERANCE = 1e-9;
    private static final long MINUTE = 60_000L;
    private static final long SEASON = 60 * MINUTE;
    private static final long SEASON_TOLERANCE = 10 * MINUTE;

    enum Shape { FLAT, QUANTIZED, ZERO_COUNTER, SEASONAL, HEAVY_TAILED, LARGE_OFFSET, LEVEL_SHIFT, WITH_NAN }

    /**
     * {@code longSpans}: hourly points with gaps of up to 12 days and ranges of 10 to 60 days, so the windows' 4-byte
     * time offsets move their origin and, past 24.8 days, give way to longs (see {@link Times}).
     */
    @Property(tries = 80)
    void streamingEqualsWindow(@ForAll Shape shape, @ForAll boolean longSpans, @ForAll long seed) {
        Random r = new Random(seed);
        int n = 900;
        long[] ts = new long[n];
        double[] vs = new double[n];
        long t = 1_700_000_000_000L;
        double level = r.nextBoolean() ? 0 : r.nextGaussian() * 1000;
        for (int i = 0; i < n; i++) {
            // Mostly minutely with jitter, sometimes a gap of up to three hours (long spans: hours, and up to 12 days).
            long gap = longSpans ? 12 * 1440 * MINUTE : 180 * MINUTE, step = longSpans ? 60 * MINUTE : MINUTE;
            t += r.nextDouble() < 0.02 ? MINUTE + r.nextLong(gap) : step + r.nextInt(20_000) - 10_000;
            ts[i] = t;
            vs[i] = value(shape, r, level, i, t, i > 0 ? vs[i - 1] : level);
        }
        ZScore z = new ZScore();
        RobustZScore robust = new RobustZScore();
        SeasonalBaseline seasonal = new SeasonalBaseline(SEASON, SEASON_TOLERANCE);
        // With a season the combination's decomposition keeps state beyond the window (its level and profiles are
        // exponentially forgotten, not evicted), so only the season-less combination equals its window form.
        CombinedDetector combined = new CombinedDetector(0);
        StreamingDetector[] all = {z, robust, seasonal, combined};
        ZScore zWindow = new ZScore();
        RobustZScore robustWindow = new RobustZScore();
        SeasonalBaseline seasonalWindow = new SeasonalBaseline(SEASON, SEASON_TOLERANCE);
        CombinedDetector combinedWindow = new CombinedDetector(0);
        long range = longSpans ? (10 + r.nextInt(50)) * 1440 * MINUTE : (60 + r.nextInt(600)) * MINUTE;
        int lo = 0;
        for (int hi = 1; hi <= n; hi++) {
            for (StreamingDetector d : all) {
                d.add(ts[hi - 1], vs[hi - 1]);
            }
            double op = r.nextDouble();
            if (op < 0.01) {
                for (StreamingDetector d : all) {
                    d.clear();
                }
                lo = hi;
                continue;
            }
            // Usually the range's start; sometimes a jump (a rule's interval longer than the points' spacing).
            long through = op < 0.05 ? ts[hi - 1] - r.nextLong(range) : ts[hi - 1] - range;
            for (StreamingDetector d : all) {
                d.evictThrough(through);
                // Trimmed now and then, as a rule's state is after each full read: the arrays shrink, nothing else.
                if (op > 0.97) {
                    d.trim();
                }
            }
            while (lo < hi && ts[lo] <= through) {
                lo++;
            }
            String at = shape + (longSpans ? " long spans" : "") + " seed " + seed + " point " + (hi - 1) + " window [" + lo + ", " + hi + ")";
            for (StreamingDetector d : all) {
                assertThat(d.size()).as(at).isEqualTo(hi - lo);
            }
            if (hi == lo) {
                continue;
            }
            assertClose(z.logP(), zWindow.logP(vs, lo, hi), "zscore logP " + at);
            assertClose(z.z(), ZScore.zscore(vs, lo, hi), "zscore z " + at);
            assertClose(robust.logP(), robustWindow.logP(vs, lo, hi), "robust logP " + at);
            assertClose(robust.z(), robustWindow.zscore(vs, lo, hi), "robust z " + at);
            assertClose(seasonal.logP(), seasonalWindow.logP(ts, vs, lo, hi), "seasonal logP " + at);
            boolean fitted = seasonalWindow.fit(ts, vs, lo, hi);
            assertThat(seasonal.fitLatest()).as(at).isEqualTo(fitted);
            assertClose(seasonal.expected(), seasonalWindow.expected(), "seasonal expected " + at);
            assertClose(seasonal.sigma(), seasonalWindow.sigma(), "seasonal sigma " + at);
            assertClose(seasonal.z(), fitted ? seasonalWindow.zscore(vs[hi - 1]) : Double.NaN, "seasonal z " + at);
            assertClose(combined.logP(), combinedWindow.logP(ts, vs, lo, hi), "combined logP " + at);
            assertClose(combined.score(), combinedWindow.score(ts, vs, lo, hi), "combined score " + at);
        }
    }

    private static double value(Shape shape, Random r, double level, int i, long t, double previous) {
        double phase = 2 * Math.PI * (t % SEASON) / SEASON;
        if (r.nextDouble() < 0.05) {
            return previous; // repeats
        }
        return switch (shape) {
            case FLAT -> level + (r.nextDouble() < 0.003 ? 1 : 0);
            case QUANTIZED -> Math.rint(level + 3 * r.nextGaussian());
            case ZERO_COUNTER -> r.nextDouble() < 0.02 ? 1 + r.nextInt(3) : 0;
            case SEASONAL -> level + 50 * Math.sin(phase) + r.nextGaussian();
            case HEAVY_TAILED -> level + r.nextGaussian() / Math.max(1e-3, Math.abs(r.nextGaussian()));
            case LARGE_OFFSET -> 1e9 + 1e-3 * r.nextGaussian();
            case LEVEL_SHIFT -> (i < 400 ? level : level + 1e6) + 0.01 * r.nextGaussian();
            case WITH_NAN -> {
                double x = r.nextDouble();
                yield x < 0.01 ? Double.NaN : x < 0.015 ? Double.POSITIVE_INFINITY : level + r.nextGaussian();
            }
        };
    }

    static void assertClose(double streaming, double window, String what) {
        if (Double.isNaN(window) || Double.isNaN(streaming)) {
            assertThat(Double.isNaN(streaming)).as(what + ": " + streaming + " vs " + window).isEqualTo(Double.isNaN(window));
            return;
        }
        if (window == streaming) {
            return;
        }
        assertThat(Math.abs(streaming - window)).as(what + ": " + streaming + " vs " + window)
                .isLessThanOrEqualTo(TOLERANCE * Math.max(Math.abs(streaming), Math.abs(window)));
    }

    @Example
    void rejectsPointsOutOfOrder() {
        for (StreamingDetector d : new StreamingDetector[]{new ZScore(), new RobustZScore(),
                new SeasonalBaseline(SEASON), new CombinedDetector(SEASON)}) {
            d.add(1000, 1);
            assertThatThrownBy(() -> d.add(1000, 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1000 ms is not after");
            assertThat(d.size()).isEqualTo(1);
        }
    }

    @Example
    void emptyAndShortWindowsHaveNoScore() {
        for (StreamingDetector d : new StreamingDetector[]{new ZScore(), new RobustZScore(),
                new SeasonalBaseline(SEASON), new CombinedDetector(SEASON)}) {
            assertThat(d.logP()).isNaN();
            assertThat(d.score()).isNaN();
            for (int i = 0; i < 5; i++) {
                d.add(i * MINUTE, i);
            }
            assertThat(d.logP()).as("five points: four of baseline").isNaN();
            d.evictThrough(10 * MINUTE);
            assertThat(d.size()).isZero();
            assertThat(d.logP()).isNaN();
        }
    }
}
