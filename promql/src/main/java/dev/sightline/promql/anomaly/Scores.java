package dev.sightline.promql.anomaly;

/**
 * The one mapping from a detector's statistic to a score in [0,1]. Every detector reduces to a z-like statistic
 * (how many deviations the point is from what was expected) and scores it as {@code erf(|z|/sqrt 2)}, the mass of
 * a standard normal within |z|, i.e. one minus the two-sided p-value: 0 at z = 0, 0.6827 at 1, 0.9545 at 2,
 * 0.9973 at 3, 0.99994 at 4. Scores of different detectors are therefore comparable and can be fused by max.
 */
public final class Scores {
    private static final double SQRT2 = Math.sqrt(2);
    // erf by hand rather than commons-math3's Erf, which allocates a continued-fraction object per call: this runs
    // once per evaluated point. Both forms below agree with commons-math3 to 1e-15 (ScoresTest).
    private static final double SERIES_LIMIT = 3;
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    /** The score of |z| = 3 (0.9973), the customary alert threshold: {@code score > THREE_SIGMA} is beyond 3 sigma. */
    public static final double THREE_SIGMA = ofZ(3);

    private Scores() {
    }

    /** {@code erf(|z|/sqrt 2)}; NaN stays NaN, infinite z scores 1. */
    public static double ofZ(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        double x = Math.abs(z) / SQRT2;
        return x <= SERIES_LIMIT ? erfSeries(x) : 1 - erfcContinuedFraction(x);
    }

    /** erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (1*3*...*(2n+1)): positive terms, no cancellation. */
    private static double erfSeries(double x) {
        double term = x, sum = x, x2 = 2 * x * x;
        for (int n = 1; term > sum * 1e-17; n++) {
            term *= x2 / (2 * n + 1);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
    }

    /** erfc(x) for x > 3 by its continued fraction exp(-x^2)/sqrt(pi) / (x + 1/2 / (x + 1 / (x + 3/2 / ...))). */
    private static double erfcContinuedFraction(double x) {
        if (x > 27) {
            return 0; // exp(-x^2) underflows
        }
        // Evaluated bottom-up from a depth where the tail no longer matters for x > 3.
        double f = x;
        for (int k = 60; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
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
