package dev.sightline.promql.anomaly;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The streaming detectors on the shapes they are built for, and on flat, quantized, NaN and short input. */
class StreamingDetectorsTest {
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long DAY = 24 * HOUR;
    private static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % (7 * DAY); // a Thursday, 00:00 UTC

    /** Streams vs at the given step with a 7-day window; the scores, NaN where the detector cannot judge. */
    private static double[] run(StreamingDetector d, double[] vs, long step) {
        double[] s = new double[vs.length];
        for (int i = 0; i < vs.length; i++) {
            long t = T0 + i * step;
            d.evictThrough(t - 7 * DAY);
            d.add(t, vs[i]);
            s[i] = d.score();
        }
        return s;
    }

    private static double[] noise(int n, double level, double sigma, long seed) {
        Random r = new Random(seed);
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            vs[i] = level + sigma * r.nextGaussian();
        }
        return vs;
    }

    private static int above(double[] s, int from, int to, double threshold) {
        int k = 0;
        for (int i = from; i < to; i++) {
            k += s[i] >= threshold ? 1 : 0;
        }
        return k;
    }

    private static int firstAbove(double[] s, int from, double threshold) {
        for (int i = from; i < s.length; i++) {
            if (s[i] >= threshold) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void levelShiftFiresAtTheOnsetAndThenAdoptsTheNewLevel() {
        double[] vs = noise(3000, 100, 1, 1);
        for (int i = 2000; i < vs.length; i++) {
            vs[i] += 4;
        }
        double[] s = run(new LevelShift(12, DAY), vs, 5 * MIN);
        assertThat(firstAbove(s, 1900, 0.999)).isBetween(2000, 2004);
        // Adopted: after the shift the new level is as quiet as the old one was.
        assertThat(above(s, 2050, 3000, 0.999)).isLessThanOrEqualTo(above(s, 1000, 1950, 0.999) + 2);
        assertThat(above(s, 2050, 3000, 0.99)).isLessThanOrEqualTo(20);
        // The CUSUM statistic restarted: the shift is history, not an ongoing alarm.
        assertThat(s[2999]).isLessThan(0.99);
    }

    @Test
    void levelShiftIsNotFooledByOneSpike() {
        double[] vs = noise(2000, 100, 1, 2);
        vs[1500] = 200;
        double[] s = run(new LevelShift(12, DAY), vs, 5 * MIN);
        assertThat(s[1500]).isLessThan(0.999);
        assertThat(above(s, 1501, 2000, 0.999)).isZero();
    }

    @Test
    void levelShiftStaysQuietOnAGaugeBetweenTwoStepsAndStillSeesItMove() {
        // An integer gauge sitting between 157 and 158 (45% / 55%): z against the median is 0 or about -1, which
        // averages near k; uncentred, S wandered off and scored 14 of these 2000 points >= 0.99.
        Random r = new Random(2);
        double[] vs = new double[3000];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = (r.nextDouble() < 0.45 ? 157 : 158) + (i >= 2000 ? 3 : 0);
        }
        double[] s = run(new LevelShift(12, DAY), vs, 10 * MIN);
        assertThat(above(s, 0, 2000, 0.99)).isLessThanOrEqualTo(5);
        assertThat(firstAbove(s, 1990, 0.99)).isBetween(2000, 2004);
    }

    @Test
    void levelShiftReadsADailyRhythmBetweenTwoIntegersAsSeasonNotShifts() {
        // Ten days of 10-minute points: an integer gauge whose share of the upper value follows the time of day
        // (the calibration property's two-integer seasonal shape, seed 36 of the sweep in CalibrationPropertyTest's
        // javadoc), then one step up. Without the season's profile the CUSUM takes each day's swing for shifts.
        Random r = new Random(36);
        double level = r.nextDouble() * 1000;
        r.nextDouble();
        int n = 10 * 144, shift = 8 * 144 + 30;
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            double phase = 2 * Math.PI * (i % 144) / 144;
            vs[i] = Math.rint(level + 0.5 * (1 + Math.sin(phase)) + 0.1 * r.nextGaussian()) + (i >= shift ? 3 : 0);
        }
        double[] s = run(new LevelShift(12, DAY), vs, 10 * MIN);
        assertThat(above(s, 0, shift, 0.99)).isLessThanOrEqualTo(shift / 100);
        assertThat(firstAbove(s, shift - 10, 0.99)).isBetween(shift, shift + 4);
        // Without a season the same series is not calibrated: the detector is what fixed it.
        double[] plain = run(new LevelShift(12, 0), vs, 10 * MIN);
        assertThat(above(plain, 0, shift, 0.99)).isGreaterThan(shift / 50);
    }

    @Test
    void driftCatchesASlowRampBeforeItLeavesTheRange() {
        // Two days of noise, then a ramp of one sigma per hour for eight hours (5-minute points).
        double[] vs = noise(24 * 12 * 3, 50, 2, 3);
        int start = 2 * 24 * 12;
        for (int i = start; i < vs.length; i++) {
            vs[i] += 2.0 / 12 * Math.min(i - start, 8 * 12);
        }
        double[] s = run(new Drift(HOUR, DAY), vs, 5 * MIN);
        int found = firstAbove(s, start, 0.999);
        assertThat(found).isBetween(start, start + 5 * 12);
        assertThat(above(s, 24 * 12, start, 0.999)).isZero();
    }

    @Test
    void stlFindsTheWeeklySeasonAndFlagsAWeekendAtWeekdayLevel() {
        // Hourly-ish series at 10-minute points over three weeks: busy weekdays, quiet weekends, a daily cycle.
        int n = 21 * 144;
        double[] vs = new double[n];
        Random r = new Random(4);
        for (int i = 0; i < n; i++) {
            long t = T0 + i * 10 * MIN;
            double hour = (t % DAY) / (double) HOUR;
            long weekday = Math.floorMod(t / DAY + 4, 7); // 0 = Sunday
            boolean weekend = weekday == 0 || weekday == 6;
            vs[i] = (weekend ? 20 : 100) + (weekend ? 5 : 30) * Math.sin(2 * Math.PI * hour / 24) + 2 * r.nextGaussian();
        }
        // The third week's Saturday noon at weekday level.
        int saturdayNoon = (2 * 7 + 2) * 144 + 72;
        assertThat(Math.floorMod((T0 + saturdayNoon * 10 * MIN) / DAY + 4, 7)).isEqualTo(6);
        for (int i = saturdayNoon; i < saturdayNoon + 6; i++) {
            vs[i] += 80;
        }
        double[] s = run(new SeasonalDecomposition(), vs, 10 * MIN);
        assertThat(s[saturdayNoon]).isGreaterThan(0.999);
        // Quiet elsewhere in the third week, weekends and their ramps included.
        assertThat(above(s, 14 * 144, saturdayNoon - 1, 0.999)).isLessThanOrEqualTo(2);
    }

    @Test
    void contextualFlagsAPatternThatBreaksItsRhythm() {
        // A square wave of period 16 whose values are all usual; one period toggles every two points instead.
        double[] vs = new double[3000];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = i % 16 < 8 ? 10 : 0;
        }
        for (int i = 2496; i < 2512; i++) {
            vs[i] = i / 2 % 2 == 0 ? 10 : 0;
        }
        double[] s = run(new Contextual(8), vs, MIN);
        // The first context that ends unusually: a novel ending of a prefix seen about 2,500 / 16 times before.
        int found = firstAbove(s, 2400, 0.99);
        assertThat(found).isBetween(2496, 2512);
        assertThat(s[found]).isGreaterThan(1 - 1.0 / 100);
        assertThat(above(s, 1000, 2490, 0.99)).isZero();
        // The point detectors see nothing: every value is usual.
        assertThat(new ZScore().score(null, vs, 0, 2508)).isLessThan(0.9);
    }

    @Test
    void likelihoodIsSilentDuringProbationAndFlagsARunOfOddPoints() {
        double[] vs = noise(4000, 10, 1, 6);
        for (int i = 3000; i < 3010; i++) {
            vs[i] += 3.5 * (i % 2 == 0 ? 1 : -1); // each alone is merely odd
        }
        StreamingDetector inner = Detectors.get("zscore").configure(java.util.Map.of()).newDetector();
        double[] s = run(new Likelihood(inner, 10, DAY), vs, MIN);
        assertThat(s).startsWith(new double[]{Double.NaN, Double.NaN});
        assertThat(firstAbove(s, 0, 0)).isGreaterThanOrEqualTo((int) (DAY / MIN) + 5);
        assertThat(firstAbove(s, 2900, 0.999)).isBetween(3000, 3012);
        // Calibrated: at most 1% of quiet points reach 0.99 (CalibrationPropertyTest checks every shape).
        assertThat(above(s, 2000, 2990, 0.99)).isLessThanOrEqualTo(10);
    }

    /** Flat, quantized and NaN input: finite scores in [0,1], a first move unusual but never infinitely so. */
    @Property(tries = 20)
    void flatQuantizedAndNaNInputGiveFiniteScores(@ForAll @IntRange(min = 0, max = 4) int which,
                                                  @ForAll @IntRange(min = 0, max = 2) int shape) {
        Supplier<StreamingDetector> make = switch (which) {
            case 0 -> () -> new LevelShift(12, DAY);
            case 1 -> () -> new Drift(HOUR, DAY);
            case 2 -> SeasonalDecomposition::new;
            case 3 -> () -> new Contextual(8);
            default -> () -> new Likelihood(new LevelShift(12, DAY), 10, HOUR);
        };
        int n = 3 * 24 * 12;
        double[] vs = new double[n];
        Random r = new Random(which * 10L + shape);
        for (int i = 0; i < n; i++) {
            vs[i] = switch (shape) {
                case 0 -> 7;
                case 1 -> Math.rint(3 + r.nextGaussian() * 0.4);
                default -> i % 97 == 0 ? Double.NaN : 5 + r.nextGaussian();
            };
        }
        vs[n - 1] = shape == 0 ? 8 : vs[n - 1];
        StreamingDetector d = make.get();
        double[] s = run(d, vs, 5 * MIN);
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(vs[i])) {
                assertThat(s[i]).as("a NaN point is not judged").isNaN();
            } else if (!Double.isNaN(s[i])) {
                assertThat(s[i]).isBetween(0.0, 1.0).isLessThan(1.0);
            }
        }
        assertThat(d.size()).isEqualTo(n);
        // Short input: nothing to judge yet.
        d.clear();
        assertThat(d.size()).isZero();
        assertThat(d.logP()).isNaN();
        d.add(T0, 1);
        assertThat(d.score()).isNaN();
    }

    @Test
    void evictionKeepsTheWindow() {
        StreamingDetector d = new LevelShift(12, DAY);
        for (int i = 0; i < 100; i++) {
            d.add(T0 + i * MIN, i);
        }
        d.evictThrough(T0 + 49 * MIN);
        assertThat(d.size()).isEqualTo(50);
        d.evictThrough(T0 + 1000 * MIN);
        assertThat(d.size()).isZero();
    }

    @Test
    void badParametersAreRefusedWithTheirNames() {
        assertThatThrownBy(() -> new LevelShift(0, DAY)).hasMessageContaining("threshold must be positive");
        assertThatThrownBy(() -> new LevelShift(12, 47)).hasMessage("season must be 0 (none) or at least 48 ms, got 47");
        assertThatThrownBy(() -> new Drift(DAY, HOUR)).hasMessageContaining("short < long");
        assertThatThrownBy(() -> new Contextual(6)).hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> new Likelihood(new LevelShift(1, 0), 0, 0)).hasMessageContaining("recent points");
        assertThatThrownBy(() -> new Likelihood(new LevelShift(1, 0), 1, -1)).hasMessageContaining("probation");
    }

    /** The upper rank p-value: (k + 1) / (n + 1) with ties within the tolerance, records ordered by an exponential tail. */
    @Test
    void upperRankPValue() {
        RollingSample sample = new RollingSample();
        for (int i = 1; i <= 99; i++) {
            sample.add(i, i);
        }
        assertThat(sample.upperRankLogP(1, 0, 1)).isEqualTo(0.0); // every value is at least 1
        assertThat(Math.exp(sample.upperRankLogP(90, 0, 1))).isCloseTo(11 / 100.0, within(1e-12));
        assertThat(Math.exp(sample.upperRankLogP(90.5, 0, 1))).isCloseTo(10 / 100.0, within(1e-12));
        assertThat(Math.exp(sample.upperRankLogP(90.5, 1, 1))).isCloseTo(11 / 100.0, within(1e-12)); // 90 ties
        assertThat(Math.exp(sample.upperRankLogP(99.5, 1, 1))).isCloseTo(2 / 100.0, within(1e-12));
        // Above max + tolerance: 1 / (n + 1) falling off with the mean excess of the top 10 over the 11th (5.5).
        assertThat(sample.upperRankLogP(110, 0, 1)).isCloseTo(-Math.log(100) - 11 / 5.5, within(1e-12));
        assertThat(sample.upperRankLogP(110, 0, 20)).isCloseTo(-Math.log(100) - 11 / 20.0, within(1e-12));
        assertThat(sample.upperRankLogP(1e300, 0, 1)).isFinite().isLessThan(sample.upperRankLogP(1e299, 0, 1));
        assertThat(sample.upperRankLogP(Double.NaN, 0, 1)).isNaN();
        assertThat(new RollingSample().upperRankLogP(1, 0, 1)).isNaN();
    }

    /** The sorted window's median, robust sigma and judgement agree with RobustSpread's on the same points. */
    @Property(tries = 30)
    void rollingSampleAgreesWithRobustSpread(@ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int keep) {
        Random r = new Random(seed);
        RollingSample sample = new RollingSample();
        double[] all = new double[600];
        for (int i = 0; i < all.length; i++) {
            all[i] = r.nextInt(3) == 0 ? Math.rint(r.nextGaussian() * 3) : r.nextGaussian();
            sample.add(i, all[i]);
        }
        sample.evictThrough(all.length - 1 - keep);
        RobustSpread spread = new RobustSpread();
        spread.clear();
        spread.addAll(all, all.length - keep, all.length);
        spread.compute();
        assertThat(sample.size()).isEqualTo(keep);
        assertThat(sample.median()).isEqualTo(spread.median());
        double[] w = java.util.Arrays.copyOfRange(all, all.length - keep, all.length);
        double med = spread.median(), meanAd = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.abs(w[i] - med);
            meanAd += w[i];
        }
        double mad = RobustSpread.median(w, w.length);
        assertThat(sample.sigma()).isCloseTo(mad > 0 ? 1.4826 * mad : Math.sqrt(Math.PI / 2) * meanAd / keep, within(1e-12));
        if (keep >= Detector.MIN_HISTORY) {
            // Judged as RobustSpread judges a point half a resolution nearer the median.
            double q = spread.resolution();
            assertThat(sample.logP(9, q, false)).isCloseTo(spread.judge(9 - q / 2).logP(), within(1e-12));
        }
        assertThat(sample.rankFraction(1e9)).isEqualTo(1.0);
        assertThat(sample.rankFraction(-1e9)).isEqualTo(0.0);
    }
}
