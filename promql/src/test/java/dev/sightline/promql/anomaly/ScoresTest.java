package dev.sightline.promql.anomaly;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScoresTest {
    @Test
    void upToPOfOneInAMillionTheScoreIsErfOfZOverRootTwoAsCommonsMathComputesIt() {
        for (double z = -4.89; z <= 4.89; z += 0.001) {
            double reference = Erf.erf(Math.abs(z) / Math.sqrt(2));
            assertThat(Scores.ofZ(z)).as("z = %s", z).isCloseTo(reference, within(2e-15));
            // The distance from 1 (the p-value) keeps its relative precision too.
            assertThat(1 - Scores.ofZ(z)).as("z = %s", z).isCloseTo(1 - reference, within(2e-15 + 1e-9 * (1 - reference)));
        }
        assertThat(Scores.ofZ(0)).isZero();
        assertThat(Scores.THREE_SIGMA).isCloseTo(0.9973002039367398, within(1e-15));
    }

    @Test
    void theLogTailIsLnErfcWithoutUnderflow() {
        // commons-math3's erfc underflows to 0 near x = 27 (|z| = 38): compare in logs up to there.
        for (double z = 0; z <= 37; z += 0.01) {
            double reference = Math.log(Erf.erfc(z / Math.sqrt(2)));
            assertThat(Scores.logTwoSidedP(z)).as("z = %s", z).isCloseTo(reference, within(1e-12 * (1 + Math.abs(reference))));
        }
        // Beyond, against the asymptotic series ln erfc(x) = -x^2 - ln(x sqrt pi) + ln(1 - 1/(2x^2) + 3/(4x^4) - ...).
        for (double z : new double[]{50, 300, 1e4, 1e8}) {
            double x = z / Math.sqrt(2);
            double asymptotic = -x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log1p(-1 / (2 * x * x) + 3 / (4 * x * x * x * x));
            assertThat(Scores.logTwoSidedP(-z)).as("z = %s", z).isCloseTo(asymptotic, within(1e-12 * Math.abs(asymptotic)));
        }
        assertThat(Scores.logTwoSidedP(Double.POSITIVE_INFINITY)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Scores.logTwoSidedP(Double.NaN)).isNaN();
    }

    @Test
    void scoresKeepTheirOrderFarBeyondWhereOneMinusPSaturates() {
        // 1 - p is 1.0 in doubles from |z| = 8.3; the score stays strictly increasing and below 1.
        double previous = -1;
        for (double z = 0; z <= 40; z += 0.001) {
            double s = Scores.ofZ(z);
            assertThat(s).as("z = %s", z).isGreaterThan(previous).isLessThan(1);
            previous = s;
        }
        assertThat(Scores.ofZ(37 + 1e-6)).isGreaterThan(Scores.ofZ(37));
        assertThat(Scores.ofZ(1000)).isGreaterThan(Scores.ofZ(999)).isLessThan(1);
        assertThat(Scores.ofLogP(Math.log(1e-300))).isGreaterThan(Scores.ofLogP(Math.log(1e-30)));
        // Continuous at the knee p = 1e-6 where the mapping switches from p to ln p.
        double knee = Math.log(1e-6);
        assertThat(Scores.ofLogP(knee - 1e-9)).isCloseTo(Scores.ofLogP(knee + 1e-9), within(1e-14));
        assertThat(Scores.ofLogP(Double.NEGATIVE_INFINITY)).isEqualTo(1);
        assertThat(Scores.ofZ(Double.NEGATIVE_INFINITY)).isEqualTo(1);
        assertThat(Scores.ofLogP(0)).isEqualTo(0.0).isNotNegative();
        assertThat(1 / Scores.ofZ(0)).as("+0.0, not -0.0").isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Scores.ofLogP(Double.NaN)).isNaN();
    }
}
