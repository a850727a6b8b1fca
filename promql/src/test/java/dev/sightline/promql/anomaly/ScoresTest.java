package dev.sightline.promql.anomaly;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScoresTest {
    @Test
    void scoreIsErfOfZOverRootTwoAsCommonsMathComputesIt() {
        for (double z = -12; z <= 12; z += 0.001) {
            double reference = Erf.erf(Math.abs(z) / Math.sqrt(2));
            assertThat(Scores.ofZ(z)).as("z = %s", z).isCloseTo(reference, within(2e-15));
            // Far out, the distance from 1 (the p-value) keeps its relative precision too.
            assertThat(1 - Scores.ofZ(z)).as("z = %s", z).isCloseTo(1 - reference, within(2e-15 + 1e-9 * (1 - reference)));
        }
        assertThat(Scores.ofZ(1e300)).isEqualTo(1);
        assertThat(Scores.ofZ(Double.POSITIVE_INFINITY)).isEqualTo(1);
        assertThat(Scores.ofZ(0)).isZero();
        assertThat(Scores.THREE_SIGMA).isCloseTo(0.9973002039367398, within(1e-15));
    }
}
