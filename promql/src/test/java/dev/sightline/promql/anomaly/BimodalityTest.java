package dev.sightline.promql.anomaly;

import org.apache.commons.math3.distribution.MixtureMultivariateNormalDistribution;
import org.apache.commons.math3.distribution.MultivariateNormalDistribution;
import org.apache.commons.math3.distribution.fitting.MultivariateNormalMixtureExpectationMaximization;
import org.apache.commons.math3.util.Pair;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BimodalityTest {
    private static double[] twoClusters(Random r, int n, double share, double a, double b, double sigma) {
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            vs[i] = (r.nextDouble() < share ? a : b) + sigma * r.nextGaussian();
        }
        return vs;
    }

    @Test
    void findsTheSeedsSurgeModesAndAgreesWithCommonsMathEm() {
        // Case 3: most rides at a 1.2x surge, a fifth charged about 10x.
        double[] vs = twoClusters(new Random(3), 500, 0.2, 10, 1.2, 0.3);
        Bimodality b = new Bimodality();
        assertThat(b.fitValues(vs, 0, vs.length)).isTrue();
        assertThat(b.bimodal()).isTrue();
        assertThat(b.score()).isGreaterThan(Scores.THREE_SIGMA);

        // commons-math3's EM refuses 1-D data: give it an independent second dimension, which leaves the first
        // dimension's fit nearly unchanged when the clusters are this well separated.
        Random noise = new Random(4);
        double[][] data = new double[vs.length][];
        for (int i = 0; i < vs.length; i++) {
            data[i] = new double[]{vs[i], noise.nextGaussian()};
        }
        double[][] unit = {{1, 0}, {0, 1}};
        var em = new MultivariateNormalMixtureExpectationMaximization(data);
        em.fit(new MixtureMultivariateNormalDistribution(List.of(
                new Pair<>(0.5, new MultivariateNormalDistribution(new double[]{1, 0}, unit)),
                new Pair<>(0.5, new MultivariateNormalDistribution(new double[]{8, 0}, unit)))));
        var comps = em.getFittedModel().getComponents();
        var low = comps.get(0).getValue().getMeans()[0] < comps.get(1).getValue().getMeans()[0] ? comps.get(0) : comps.get(1);
        var high = low == comps.get(0) ? comps.get(1) : comps.get(0);
        assertThat(b.modeLow()).isCloseTo(low.getValue().getMeans()[0], within(0.01));
        assertThat(b.modeHigh()).isCloseTo(high.getValue().getMeans()[0], within(0.01));
        assertThat(b.weightLow()).isCloseTo(low.getFirst(), within(0.01));
        assertThat(b.meanDeviation()).isCloseTo((Math.sqrt(low.getValue().getCovariances().getEntry(0, 0))
                + Math.sqrt(high.getValue().getCovariances().getEntry(0, 0))) / 2, within(0.01));
    }

    @Test
    void unimodalNoiseIsRarelyCalledBimodal() {
        Random r = new Random(1);
        int bimodal = 0;
        Bimodality b = new Bimodality();
        for (int trial = 0; trial < 400; trial++) {
            int n = 30 + (trial % 20) * 50;
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                vs[i] = 10 + r.nextGaussian();
            }
            b.fitValues(vs, 0, n);
            bimodal += b.bimodal() ? 1 : 0;
        }
        assertThat(bimodal).isLessThanOrEqualTo(4);
    }

    @Test
    void theCriterionNeedsBothWeightsAboveATenth() {
        double[] vs = twoClusters(new Random(5), 1000, 0.05, 10, 1, 0.3);
        Bimodality b = new Bimodality();
        b.fitValues(vs, 0, vs.length);
        assertThat(Math.min(b.weightLow(), b.weightHigh())).isLessThanOrEqualTo(Bimodality.MIN_WEIGHT);
        assertThat(b.bimodal()).isFalse();
        assertThat(b.score()).isZero();
    }

    @Test
    void aSingleBucketHasItsWidthAsSpreadAndOneMode() {
        Bimodality b = new Bimodality();
        b.add(1.5, 100, 1.0 / 12);
        assertThat(b.fit()).isTrue();
        assertThat(b.modeLow()).isEqualTo(1.5);
        assertThat(Bimodality.Stat.SIGMA_LOW.of(b)).isCloseTo(Math.sqrt(1.0 / 12), within(1e-12));
        assertThat(b.separation()).isZero();
        assertThat(b.score()).isZero();
    }

    @Test
    void constantValuesAreOneMode() {
        double[] vs = {4, 4, 4, 4, 4, 4};
        Bimodality b = new Bimodality();
        assertThat(b.fitValues(vs, 0, vs.length)).isTrue();
        assertThat(b.modeLow()).isEqualTo(4);
        assertThat(b.weightHigh()).isZero();
        assertThat(b.score()).isZero();
        assertThat(b.fitValues(vs, 0, 4)).as("fewer than MIN_HISTORY").isFalse();
    }

    @Test
    void statisticsHaveTheirDocumentedNames() {
        assertThat(Bimodality.Stat.byLabel("mean_deviation")).isEqualTo(Bimodality.Stat.MEAN_DEVIATION);
        assertThat(Bimodality.Stat.byLabel("MODE_LOW")).isNull();
    }
}
