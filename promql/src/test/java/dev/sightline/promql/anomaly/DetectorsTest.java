package dev.sightline.promql.anomaly;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The point detectors, the score mapping and the registry the detect command uses. */
class DetectorsTest {
    private static final long MIN = 60_000L;
    private static final long DAY = 1440 * MIN;

    private static long[] minutes(int n) {
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = i * MIN;
        }
        return ts;
    }

    @Test
    void scoreMappingIsTheNormalMassWithinZ() {
        assertThat(Scores.ofZ(0)).isZero();
        assertThat(Scores.ofZ(1)).isCloseTo(0.682689, within(1e-6));
        assertThat(Scores.ofZ(-2)).isCloseTo(0.954500, within(1e-6));
        assertThat(Scores.THREE_SIGMA).isCloseTo(0.997300, within(1e-6));
        assertThat(Scores.ofZ(4)).isCloseTo(0.999937, within(1e-6));
        assertThat(Scores.ofZ(Double.NEGATIVE_INFINITY)).isEqualTo(1);
        assertThat(Scores.ofZ(9)).isGreaterThan(Scores.ofZ(8.5)).isLessThan(1);
        assertThat(Scores.ofZ(Double.NaN)).isNaN();
    }

    @Test
    void zscoreUsesOnlyThePointsBeforeTheLatest() {
        double[] vs = {1, 2, 3, 4, 5, 6, 100};
        // Baseline 1..6 (mean 3.5, population sd sqrt(35/12)); the window starts at index 1 here.
        double z = ZScore.zscore(vs, 1, 7);
        assertThat(z).isCloseTo((100 - 4) / Math.sqrt(2), within(1e-12));
        assertThat(ZScore.zscore(vs, 0, 7)).isCloseTo((100 - 3.5) / Math.sqrt(35.0 / 12), within(1e-12));
        assertThat(ZScore.zscore(vs, 2, 7)).as("a baseline of 4 is too little").isNaN();
    }

    @Test
    void aFlatBaselineThatMovesByOneStepIsUnusualButNotInfinitelySo() {
        double[] vs = {5, 5, 5, 5, 5, 5, 7};
        assertThat(ZScore.zscore(vs, 0, 6)).isZero();
        // No resolution in the baseline: the move itself is the step, sigma step / sqrt 12 (rounding's deviation).
        assertThat(ZScore.zscore(vs, 0, 7)).isCloseTo(Math.sqrt(12), within(1e-12));
        assertThat(new RobustZScore().zscore(vs, 0, 7)).isCloseTo(Math.sqrt(12), within(1e-12));
        long[] ts = minutes(2001);
        double[] week = new double[2001];
        week[2000] = 1;
        for (Detector d : new Detector[]{new ZScore(), new RobustZScore()}) {
            // After six flat points a first move is just a record: p = 1/7 (rule of succession).
            assertThat(d.score(ts, vs, 0, 7)).isCloseTo(1 - 1.0 / 7, within(1e-15));
            assertThat(d.score(ts, vs, 0, 6)).isZero();
            // After 2,000 the normal tail of z = sqrt 12 (5.3e-4) is the larger p, not 1/2001.
            assertThat(d.score(ts, week, 0, 2001)).isCloseTo(Scores.ofZ(Math.sqrt(12)), within(1e-15));
        }
    }

    @Test
    void aZeroCounterRanksItsBurstsByTheirSizeAndANewOneAboveARepeat() {
        int n = 2000;
        long[] ts = minutes(n + 1);
        double[] vs = new double[n + 1];
        vs[700] = 1;
        for (Detector d : new Detector[]{new ZScore(), new RobustZScore()}) {
            double previous = 0;
            for (double burst : new double[]{1, 2, 5, 20, 50, 1e6}) {
                vs[n] = burst;
                double s = d.score(ts, vs, 0, n + 1);
                assertThat(s).as("%s, burst %s", d.getClass().getSimpleName(), burst).isGreaterThan(previous).isLessThan(1);
                previous = s;
            }
            // A 1 the baseline has seen once: p = (1 + 1) / (n + 1), not the normal tail of a near-zero deviation.
            vs[n] = 1;
            assertThat(d.score(ts, vs, 0, n + 1)).isCloseTo(1 - 2.0 / (n + 1), within(1e-12));
        }
        // The resolution (1) floors the scale, so a burst of 2 is z = 2 sqrt 12 at most.
        vs[n] = 2;
        assertThat(new RobustZScore().zscore(vs, 0, n + 1)).isCloseTo(2 * Math.sqrt(12), within(1e-12));
    }

    @Test
    void aValueTheSeriesTakesOftenIsNeverRare() {
        // An integer gauge at 3 with 30% of its points at 4: MAD 0, yet a 4 is ordinary (p >= 31/101).
        double[] vs = new double[101];
        for (int i = 0; i < 100; i++) {
            vs[i] = i % 10 < 3 ? 4 : 3;
        }
        vs[100] = 4;
        long[] ts = minutes(vs.length);
        for (Detector d : new Detector[]{new ZScore(), new RobustZScore(), new CombinedDetector(0)}) {
            assertThat(d.score(ts, vs, 0, vs.length)).as(d.getClass().getSimpleName()).isLessThanOrEqualTo(1 - 31.0 / 101 + 1e-12);
        }
    }

    @Test
    void robustZscoreIgnoresAPastSpikeThatBlindsThePlainOne() {
        Random r = new Random(1);
        double[] vs = new double[200];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = 100 + r.nextGaussian();
        }
        vs[50] = 10_000;
        vs[199] = 108;
        assertThat(ZScore.zscore(vs, 0, 200)).isLessThan(1);
        assertThat(new RobustZScore().zscore(vs, 0, 200)).isCloseTo(8, within(1.0));
    }

    @Test
    void robustSigmaFallsBackToTheMeanAbsoluteDeviationWhenMadIsZero() {
        // Seven of ten equal the median: MAD 0; mean absolute deviation 3 * 2 / 10 = 0.6 before scaling.
        double[] vs = {3, 3, 3, 1, 3, 3, 5, 3, 3, 5, 9};
        double z = new RobustZScore().zscore(vs, 0, vs.length);
        assertThat(z).isCloseTo((9 - 3) / (Math.sqrt(Math.PI / 2) * 0.6), within(1e-9));
    }

    @Property(tries = 200)
    void medianBySelectionEqualsTheSortedMedian(@ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = -5, max = 5) Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).map(v -> Math.rint(v * 2) / 2).toArray();
        double[] sorted = a.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        assertThat(RobustSpread.median(a.clone(), n)).isEqualTo(expected);
    }

    @Test
    void seasonalBaselineUsesTheSamePhaseOfEarlierSeasonsOnly() {
        // Every 10 minutes for 3 days: the value is the minute of the day, so each phase has its own level.
        int n = 3 * 144 + 1;
        long[] ts = new long[n];
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            ts[i] = i * 10 * MIN;
            vs[i] = (ts[i] % DAY) / MIN;
        }
        SeasonalBaseline s = new SeasonalBaseline(DAY, 10 * MIN);
        // The last point is at day 3, 00:00: earlier same-phase points are at days 2, 1, 0 +-10 minutes,
        // i.e. minutes 1430, 0 and 10 of the day, three times each (index 0 has no point before it at -10m).
        assertThat(s.fit(ts, vs, 0, n)).isTrue();
        assertThat(s.expected()).isEqualTo(10);
        assertThat(s.lower(3)).isLessThan(s.expected());
        assertThat(s.upper(2)).isEqualTo(s.expected() + 2 * s.sigma());
        // With a window of only the last 1.5 days, one earlier season is too few.
        int from = n - 216;
        assertThat(s.fit(ts, vs, from, n)).isFalse();
        assertThat(s.expected()).isNaN();
        assertThat(s.score(ts, vs, from, n)).isNaN();
    }

    @Test
    void seasonalParametersAreValidated() {
        assertThatThrownBy(() -> new SeasonalBaseline(0)).hasMessageContaining("season must be positive");
        assertThatThrownBy(() -> new SeasonalBaseline(DAY, DAY / 2)).hasMessageContaining("less than half the season");
    }

    @Test
    void combinedIsTheHarmonicMeanOfTheMembersTailProbabilities() {
        Random r = new Random(3);
        int n = 3000;
        long[] ts = minutes(n);
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            vs[i] = 10 + r.nextGaussian();
        }
        vs[n - 1] = 16;
        double z = new ZScore().logP(vs, 0, n);
        double robust = new RobustZScore().logP(vs, 0, n);
        double seasonal = new SeasonalBaseline(DAY).logP(ts, vs, 0, n);
        assertThat(seasonal).isNotNaN();
        SeasonalDecomposition stl = new SeasonalDecomposition();
        for (int i = 0; i < n; i++) {
            stl.add(ts[i], vs[i]);
        }
        double decomposition = stl.logP();
        assertThat(decomposition).isNotNaN();
        double hmp = 4 / (Math.exp(-z) + Math.exp(-robust) + Math.exp(-seasonal) + Math.exp(-decomposition));
        double combined = new CombinedDetector(DAY).score(ts, vs, 0, n);
        assertThat(combined).isCloseTo(Scores.ofLogP(Math.log(hmp)), within(1e-12)).isGreaterThan(Scores.THREE_SIGMA);
        // Between the smallest member p and four times it.
        double best = Math.min(Math.min(z, decomposition), Math.min(robust, seasonal));
        assertThat(Math.log(hmp)).isBetween(best, best + Math.log(4));
        assertThat(new CombinedDetector(0).logP(ts, vs, 0, n))
                .isCloseTo(Math.log(2 / (Math.exp(-z) + Math.exp(-robust))), within(1e-9));
        // Too little history for every member: NaN.
        assertThat(new CombinedDetector(DAY).score(ts, vs, 0, 3)).isNaN();
    }

    @Test
    void theHarmonicMeanNeitherOverflowsNorLosesAnInfinitelyRarePoint() {
        assertThat(hmp(-1e6, -2e6, Double.NaN)).isCloseTo(Math.log(2) - 2e6, within(1e-6));
        assertThat(hmp(Double.NEGATIVE_INFINITY, -1, Double.NaN)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(hmp(0, 0, 0)).isZero();
        assertThat(hmp(Double.NaN, Double.NaN, Double.NaN)).isNaN();
        assertThat(hmp(Math.log(0.5))).isCloseTo(Math.log(0.5), within(1e-15));
    }

    private static double hmp(double... lp) {
        return CombinedDetector.harmonicMeanLogP(lp, lp.length);
    }

    @Test
    void registryConfiguresDetectorsFromTheirParameters() {
        assertThat(Detectors.all()).extracting(Detectors.Spec::name)
                .containsExactly("combined", "zscore", "robust_zscore", "seasonal", "bimodality", "level_shift", "drift",
                        "stl", "contextual", "likelihood");
        Detectors.Configured c = Detectors.get("seasonal").configure(Map.of("lookback", "14d", "season", "1w", "tolerance", "2h"));
        assertThat(c.lookbackMs()).isEqualTo(14 * DAY);
        assertThat(c.newDetector()).isInstanceOf(WindowDetector.class);
        assertThat(Detectors.get("combined").configure(Map.of()).newDetector()).isInstanceOf(CombinedDetector.class);
        assertThat(Detectors.get("bimodality").configure(Map.of()).lookbackMs()).isEqualTo(60 * MIN);
        assertThat(Detectors.get("nosuch")).isNull();
        assertThatThrownBy(() -> Detectors.get("zscore").configure(Map.of("season", "1d")))
                .hasMessage("detector zscore has no parameter \"season\"; it takes: lookback");
        assertThatThrownBy(() -> Detectors.get("zscore").configure(Map.of("lookback", "0")))
                .hasMessage("parameter lookback: must be positive");
        assertThatThrownBy(() -> Detectors.get("seasonal").configure(Map.of("tolerance", "12h")))
                .hasMessageContaining("parameters season/tolerance: tolerance must be >= 0 and less than half the season");
        assertThatThrownBy(() -> Detectors.get("level_shift").configure(Map.of("threshold", "x")))
                .hasMessage("parameter threshold: not a number: \"x\"");
        assertThatThrownBy(() -> Detectors.get("level_shift").configure(Map.of("season", "10ms")))
                .hasMessage("season must be 0 (none) or at least 48 ms, got 10");
        assertThatThrownBy(() -> Detectors.get("drift").configure(Map.of("short", "2d")))
                .hasMessageContaining("need 0 < short < long time constant");
        assertThatThrownBy(() -> Detectors.get("contextual").configure(Map.of("context", "6")))
                .hasMessageContaining("context length must be a positive multiple of 4, got 6");
        assertThatThrownBy(() -> Detectors.get("likelihood").configure(Map.of("of", "likelihood")))
                .hasMessage("parameter of: expected a detector other than likelihood, got \"likelihood\"");
    }
}
