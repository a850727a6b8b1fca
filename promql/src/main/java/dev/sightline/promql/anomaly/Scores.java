package dev.sightline.promql.anomaly;

/**
 * The one mapping from a detector's evidence to a score in [0,1]. Every detector reduces to a z-like statistic and
 * a two-sided tail probability p, kept as its natural log so that nothing underflows: p = 1e-30 and p = 1e-300 stay
 * different, and so do their scores. Where p >= 1e-6 (|z| up to 4.89) the score is exactly {@code 1 - p}, the mass of
 * a standard normal within |z|: 0.6827 at z = 1, 0.9545 at 2, 0.99 at 2.58, 0.9973 at 3. Beyond, {@code 1 - p} would
 * reach 1.0 in doubles from |z| = 8.3 and lose the order of the worst points, so the distance from 1 shrinks with
 * the evidence (-ln p) instead of with p: {@code 1 - 1e-6 * ln(1e-6) / ln(p)}, continuous at 1e-6 and strictly
 * increasing, with distinct doubles for z differing by 1e-7 around |z| = 37 and a score of exactly 1 only for p = 0.
 */
public final class Scores {
    private static final double SQRT2 = Math.sqrt(2);
    // erf by hand rather than commons-math3's Erf, which allocates a continued-fraction object per call: this runs
    // once per evaluated point. Both forms below agree with commons-math3 to 1e-15 (ScoresTest).
    private static final double SERIES_LIMIT = 2;
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double LOG_SQRT_PI = Math.log(Math.sqrt(Math.PI));
    /** Below this p the score follows ln p instead of p. */
    private static final double P_KNEE = 1e-6;
    private static final double LOG_P_KNEE = Math.log(P_KNEE);

    /** The score of |z| = 3 (0.9973), the customary alert threshold: {@code score > THREE_SIGMA} is beyond 3 sigma. */
    public static final double THREE_SIGMA = ofZ(3);

    private Scores() {
    }

    /** The score of a normal z: {@link #ofLogP} of its two-sided p; NaN stays NaN, infinite z scores 1. */
    public static double ofZ(double z) {
        return ofLogP(logTwoSidedP(z));
    }

    /** The score of a tail probability given as ln p (<= 0): 1 - p down to p = 1e-6, then 1 - 1e-6 ln(1e-6) / ln p. */
    public static double ofLogP(double logP) {
        if (Double.isNaN(logP)) {
            return Double.NaN;
        }
        // 0 - expm1, not -expm1: p = 1 must score 0.0, not -0.0.
        return logP >= LOG_P_KNEE ? 0 - Math.expm1(logP) : 1 - P_KNEE * LOG_P_KNEE / logP;
    }

    /** The inverse of {@link #ofLogP}: ln p of a score in [0,1] (exact to rounding; 1 gives -Inf, NaN stays NaN). */
    public static double logPOf(double score) {
        if (Double.isNaN(score)) {
            return Double.NaN;
        }
        double knee = ofLogP(LOG_P_KNEE);
        return score <= knee ? Math.log1p(-score) : P_KNEE * LOG_P_KNEE / (1 - score);
    }

    /** ln P(|Z| >= |z|) for a standard normal Z, i.e. ln erfc(|z|/sqrt 2), without underflow; -Inf for infinite z. */
    public static double logTwoSidedP(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        double x = Math.abs(z) / SQRT2;
        if (x <= SERIES_LIMIT) {
            return Math.log1p(-erfSeries(x));
        }
        return x == Double.POSITIVE_INFINITY ? Double.NEGATIVE_INFINITY : -x * x - LOG_SQRT_PI - Math.log(erfcFraction(x));
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

    /**
     * The continued fraction f with erfc(x) = exp(-x^2) / sqrt(pi) / f for x > 3: x + 1/2 / (x + 1 / (x + 3/2 / ...)),
     * evaluated bottom-up from a depth where the tail no longer matters. Kept apart from exp(-x^2) so that the log
     * of erfc never underflows.
     */
    private static double erfcFraction(double x) {
        double f = x;
        for (int k = 60; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return f;
    }
}
