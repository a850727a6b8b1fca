package dev.sightline.promql.anomaly;

import org.apache.commons.math3.special.Erf;

/**
 * The one mapping from a detector's statistic to a score in [0,1]. Every detector reduces to a z-like statistic
 * (how many deviations the point is from what was expected) and scores it as {@code erf(|z|/sqrt 2)}, the mass of
 * a standard normal within |z|, i.e. one minus the two-sided p-value: 0 at z = 0, 0.6827 at 1, 0.9545 at 2,
 * 0.9973 at 3, 0.99994 at 4. Scores of different detectors are therefore comparable and can be fused by max.
 */
public final class Scores {
    private static final double SQRT2 = Math.sqrt(2);

    /** The score of |z| = 3 (0.9973), the customary alert threshold: {@code score > THREE_SIGMA} is beyond 3 sigma. */
    public static final double THREE_SIGMA = ofZ(3);

    private Scores() {
    }

    /** {@code erf(|z|/sqrt 2)}; NaN stays NaN, infinite z scores 1. */
    public static double ofZ(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        if (Double.isInfinite(z)) {
            return 1;
        }
        return Erf.erf(Math.abs(z) / SQRT2);
    }

    /**
     * {@code (x - center) / sigma}; a zero sigma (a perfectly flat baseline) gives 0 when x equals the center and
     * an infinity of x's side otherwise: any departure from a constant is as unexpected as can be.
     */
    static double z(double x, double center, double sigma) {
        if (sigma > 0 || Double.isNaN(sigma)) {
            return (x - center) / sigma;
        }
        if (x == center) {
            return 0;
        }
        return x > center ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
}
