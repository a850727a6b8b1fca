package dev.sightline.promql.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class KernelsTest {
    private static final boolean[] OK = new boolean[1];

    @Test
    void rateOverEvenlySpacedCounterExtrapolatesToRangeBoundaries() {
        // Samples every 10s from 10s to 60s with +10 each; range (0, 60s]: first sample 10s after start, within
        // 1.1 * average spacing, so extrapolation reaches the boundary: increase = 50 * 60/50 = 60, rate = 1/s.
        long[] t = {10_000, 20_000, 30_000, 40_000, 50_000, 60_000};
        double[] v = {10, 20, 30, 40, 50, 60};
        double inc = Kernels.extrapolatedDelta(t, v, 0, 6, 0, 60_000, true, false, OK);
        assertThat(OK[0]).isTrue();
        // Zero point is at 0s (value 10 at 10s, slope 1/s): durationToZero = 50 * 10/50 = 10s, same as to start.
        assertThat(inc).isCloseTo(60, within(1e-9));
        assertThat(Kernels.extrapolatedDelta(t, v, 0, 6, 0, 60_000, true, true, OK)).isCloseTo(1, within(1e-12));
    }

    @Test
    void counterResetAddsThePreviousValue() {
        long[] t = {0, 10_000, 20_000};
        double[] v = {5, 10, 3};
        // raw delta 3-5 = -2, plus 10 for the reset = 8, over a range exactly covering the samples.
        double inc = Kernels.extrapolatedDelta(t, v, 0, 3, -1, 20_000, true, false, OK);
        assertThat(inc).isCloseTo(8 * (20_001.0 / 20_000.0), within(1e-9));
    }

    @Test
    void fewerThanTwoPointsGiveNoRate() {
        Kernels.extrapolatedDelta(new long[]{1}, new double[]{1}, 0, 1, 0, 10, true, true, OK);
        assertThat(OK[0]).isFalse();
    }

    @Test
    void linearRegressionOfAStraightLine() {
        long[] t = {0, 1000, 2000, 3000};
        double[] v = {1, 3, 5, 7};
        double[] out = new double[2];
        Kernels.linearRegression(t, v, 0, 4, 0, out);
        assertThat(out[0]).isCloseTo(2, within(1e-12));
        assertThat(out[1]).isCloseTo(1, within(1e-12));
        Kernels.linearRegression(t, new double[]{4, 4, 4, 4}, 0, 4, 0, out);
        assertThat(out).containsExactly(0, 4);
    }

    @Test
    void kahanSumKeepsSmallTermsNextToLargeOnes() {
        double[] v = {1e100, 1.0, -1e100, 1.0};
        assertThat(Kernels.sum(v, 0, 4)).isEqualTo(2.0);
    }

    @Test
    void avgSurvivesOverflowOfTheSum() {
        double[] v = {Double.MAX_VALUE, Double.MAX_VALUE};
        assertThat(Kernels.avg(v, 0, 2)).isEqualTo(Double.MAX_VALUE);
        assertThat(Kernels.avg(new double[]{1, 2, 3, 4}, 0, 4)).isEqualTo(2.5);
    }

    /** The unchecked loop answers exactly as Prometheus's checked one, overflow, NaN and infinities included. */
    @Test
    void avgAnswersAsTheCheckedLoopBitForBit() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -Double.MAX_VALUE,
                Double.MIN_VALUE, -0.0, 0.0, 1e308, -1e308};
        double[] v = new double[64];
        for (int round = 0; round < 200_000; round++) {
            int n = 1 + r.nextInt(v.length);
            int kind = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                v[i] = switch (kind) {
                    case 0 -> 1e8 + r.nextDouble() * 1e9; // gauges
                    case 1 -> Double.longBitsToDouble(r.nextLong()); // any double
                    case 2 -> (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Double.MAX_VALUE; // sums overflow
                    default -> r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : r.nextDouble() * 100 - 50;
                };
            }
            // As bits: NaN equals NaN, and -0 differs from 0.
            assertThat(Double.doubleToLongBits(Kernels.avg(v, 0, n))).as("round %d", round)
                    .isEqualTo(Double.doubleToLongBits(Kernels.avgChecked(v, 0, n)));
        }
    }

    /** Four windows summed at once answer as each alone, bit for bit but for NaN payloads: windows of any length, empty ones, specials. */
    @Test
    void avgsOfManyWindowsAnswerAsAvgOfEach() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(43);
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -0.0};
        double[] v = new double[400];
        int[] from = new int[40];
        int[] to = new int[40];
        double[] out = new double[40];
        for (int round = 0; round < 20_000; round++) {
            boolean specials = r.nextInt(4) == 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = specials && r.nextInt(50) == 0 ? special[r.nextInt(special.length)]
                        : r.nextInt(3) == 0 ? (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Double.MAX_VALUE : 1e8 + r.nextDouble() * 1e9;
            }
            int n = r.nextInt(from.length + 1);
            for (int j = 0; j < n; j++) {
                from[j] = r.nextInt(v.length);
                to[j] = r.nextInt(8) == 0 ? from[j] : Math.min(v.length, from[j] + 1 + r.nextInt(60));
                out[j] = -1;
            }
            Kernels.avgs(v, from, to, 0, n, out);
            for (int j = 0; j < n; j++) {
                double expected = to[j] > from[j] ? Kernels.avg(v, from[j], to[j]) : -1;
                // doubleToLongBits: a NaN's sign and payload are the hardware's and the JIT's (WindowAveragesTest).
                assertThat(Double.doubleToLongBits(out[j])).as("round %d window %d", round, j)
                        .isEqualTo(Double.doubleToLongBits(expected));
            }
        }
    }

    @Test
    void varianceIsThePopulationVariance() {
        assertThat(Kernels.variance(new double[]{2, 4, 4, 4, 5, 5, 7, 9}, 0, 8)).isCloseTo(4, within(1e-12));
    }

    @Test
    void quantileInterpolatesBetweenRanksAndSortsNaNFirst() {
        assertThat(Kernels.quantile(0.5, new double[]{1, 2, 3, 4}, 4)).isEqualTo(2.5);
        assertThat(Kernels.quantile(0.0, new double[]{5, Double.NaN, 1}, 3)).isNaN();
        assertThat(Kernels.quantile(1.5, new double[]{1}, 1)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Kernels.quantile(-1, new double[]{1}, 1)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void madIsMedianOfAbsoluteDeviations() {
        assertThat(Kernels.mad(new double[]{1, 1, 2, 2, 4, 6, 9}, 0, 7, new double[7])).isEqualTo(1);
        // A longer scratch with stale values beyond the window changes nothing.
        assertThat(Kernels.mad(new double[]{0, 1, 1, 2, 2, 4, 6, 9}, 1, 8, new double[]{9, 9, 9, 9, 9, 9, 9, 9, 9, 9}))
                .isEqualTo(1);
    }

    @Test
    void changesAndResets() {
        double[] v = {1, 1, 2, 1, Double.NaN, Double.NaN, 3};
        assertThat(Kernels.changes(v, 0, v.length)).isEqualTo(4);
        assertThat(Kernels.resets(v, 0, v.length)).isEqualTo(1);
    }

    @Test
    void doubleExponentialSmoothingOfALineFollowsTheLine() {
        assertThat(Kernels.doubleExponentialSmoothing(new double[]{0, 10, 20, 30}, 0, 4, 0.5, 0.5)).isCloseTo(30, within(1e-9));
        assertThat(Kernels.doubleExponentialSmoothing(new double[]{1}, 0, 1, 0.5, 0.5)).isNaN();
    }

    @Test
    void roundHalfUp() {
        assertThat(Kernels.round(2.5, 1)).isEqualTo(3);
        assertThat(Kernels.round(-2.5, 1)).isEqualTo(-2);
        assertThat(Kernels.round(7.3, 5)).isEqualTo(5);
    }

    @Test
    void bucketQuantileInterpolatesWithinTheBucketAndFixesMonotonicity() {
        double[] ub = {0.1, 0.2, Double.POSITIVE_INFINITY};
        var r = Kernels.bucketQuantile(0.5, ub, new double[]{10, 20, 20}, 3);
        assertThat(r.value()).isCloseTo(0.1, within(1e-12));
        assertThat(r.forcedMonotonic()).isFalse();
        r = Kernels.bucketQuantile(0.75, ub, new double[]{10, 20, 20}, 3);
        assertThat(r.value()).isCloseTo(0.15, within(1e-12));
        r = Kernels.bucketQuantile(0.5, ub, new double[]{10, 5, 20}, 3);
        assertThat(r.forcedMonotonic()).isTrue();
        assertThat(Kernels.bucketQuantile(0.5, new double[]{1}, new double[]{1}, 1).value()).isNaN();
    }

    @Test
    void almostEqualIsRelative() {
        assertThat(Kernels.almostEqual(1e9, 1e9 + 1, 1e-6)).isTrue();
        assertThat(Kernels.almostEqual(1, 1.1, 1e-6)).isFalse();
        assertThat(Kernels.almostEqual(Double.NaN, Double.NaN, 1e-6)).isTrue();
        assertThat(Kernels.almostEqual(0, 1e-300, 1e-6)).isFalse();
    }
}
