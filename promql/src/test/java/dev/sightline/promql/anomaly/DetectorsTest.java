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
    void flatBaselinesGiveZeroOrInfinity() {
        double[] vs = {5, 5, 5, 5, 5, 5, 7};
        assertThat(ZScore.zscore(vs, 0, 6)).isZero();
        assertThat(ZScore.zscore(vs, 0, 7)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(new RobustZScore().zscore(vs, 0, 7)).isEqualTo(Double.POSITIVE_INFINITY);
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
    void combinedIsTheLargestMemberScore() {
        Random r = new Random(3);
        int n = 3000;
        long[] ts = minutes(n);
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            vs[i] = 10 + r.nextGaussian();
        }
        vs[n - 1] = 16;
        double combined = new CombinedDetector(DAY).score(ts, vs, 0, n);
        double z = new ZScore().score(ts, vs, 0, n);
        double robust = new RobustZScore().score(ts, vs, 0, n);
        double seasonal = new SeasonalBaseline(DAY).score(ts, vs, 0, n);
        assertThat(seasonal).isNotNaN();
        assertThat(combined).isEqualTo(Math.max(z, Math.max(robust, seasonal))).isGreaterThan(Scores.THREE_SIGMA);
        assertThat(new CombinedDetector(0).score(ts, vs, 0, n)).isEqualTo(Math.max(z, robust));
        // Too little history for every member: NaN.
        assertThat(new CombinedDetector(DAY).score(ts, vs, 0, 3)).isNaN();
    }

    @Test
    void registryConfiguresDetectorsFromTheirParameters() {
        assertThat(Detectors.all()).extracting(Detectors.Spec::name)
                .containsExactly("combined", "zscore", "robust_zscore", "seasonal", "bimodality");
        Detectors.Configured c = Detectors.get("seasonal").configure(Map.of("lookback", "14d", "season", "1w", "tolerance", "2h"));
        assertThat(c.lookbackMs()).isEqualTo(14 * DAY);
        assertThat(c.detector()).isInstanceOf(SeasonalBaseline.class);
        assertThat(Detectors.get("bimodality").configure(Map.of()).lookbackMs()).isEqualTo(60 * MIN);
        assertThat(Detectors.get("nosuch")).isNull();
        assertThatThrownBy(() -> Detectors.get("zscore").configure(Map.of("season", "1d")))
                .hasMessage("detector zscore has no parameter \"season\"; it takes: lookback");
        assertThatThrownBy(() -> Detectors.get("zscore").configure(Map.of("lookback", "0")))
                .hasMessage("parameter lookback: must be positive");
        assertThatThrownBy(() -> Detectors.get("seasonal").configure(Map.of("tolerance", "12h")))
                .hasMessageContaining("parameters season/tolerance: tolerance must be >= 0 and less than half the season");
    }
}
