package dev.sightline.promql.anomaly;

/**
 * Judges one point against a baseline: its z and the log of its two-sided tail probability, with the two guards
 * that keep both meaningful on real series (docs/anomaly.md, "The score: one scale for all detectors"). A mutable
 * scratch result, reused from call to call, so judging allocates nothing.
 *
 * <ul>
 *   <li><b>Scale floor.</b> The scale is at least the series' resolution q over sqrt 12 (the deviation of rounding to
 *   a step of q): q is the smallest non-zero step between successive baseline points, or the point's own distance
 *   from the centre when the baseline never moved. A flat series that moves by one step thus has |z| = sqrt 12 = 3.46,
 *   unusual but not infinitely so, and quantized series cannot collapse the scale to zero.</li>
 *   <li><b>Empirical tail.</b> The normal tail is a model; the baseline is evidence. When k >= 1 baseline points are
 *   at least as far from the centre, p is at least (k + 1) / (n + 1), the rank (conformal) p-value, so a value the
 *   series takes often (an integer gauge's next step, a heavy tail's usual excursion) is never rare. Beyond the
 *   baseline's farthest point (distance f), p is at least (f / |x|)^2 / (n + 1): the chance of a new record times
 *   Chebyshev's fall-off, so the most extreme points keep their order without trusting the normal tail. When the
 *   baseline never moved (f = 0), p is at least 1 / (n + 1): five flat points make a first move unsurprising, a
 *   week of them a rare one.</li>
 * </ul>
 */
final class Tail {
    private static final double SQRT12 = Math.sqrt(12);

    private double z = Double.NaN;
    private double logP = Double.NaN;

    /**
     * Judges a point at signed distance {@code dev} from the centre, with scale {@code sigma} and resolution
     * {@code resolution} (0 when the baseline never moved), against the baseline {@code |base[i] - center|} for i in
     * [from, to). A NaN distance or scale gives NaN.
     */
    void judge(double dev, double sigma, double resolution, double[] base, int from, int to, double center) {
        if (!start(dev, sigma, resolution)) {
            return;
        }
        double a = Math.abs(dev);
        int k = 0;
        double farthest = 0;
        for (int i = from; i < to; i++) {
            double d = Math.abs(base[i] - center);
            if (d >= a) {
                k++;
            }
            farthest = Math.max(farthest, d);
        }
        finish(a, k, to - from, farthest);
    }

    /** {@link #judge(double, double, double, double[], int, int, double)} with the baseline held sorted. */
    void judge(double dev, double sigma, double resolution, SortedValues base, double center) {
        if (start(dev, sigma, resolution)) {
            double a = Math.abs(dev);
            finish(a, base.countAtLeast(center, a), base.size(), base.farthest(center));
        }
    }

    /** Sets z; false when the judgement is already complete (NaN input, or a point at the centre: p = 1). */
    private boolean start(double dev, double sigma, double resolution) {
        if (Double.isNaN(dev) || Double.isNaN(sigma)) {
            none();
            return false;
        }
        z = z(dev, sigma, resolution);
        if (dev == 0) {
            logP = 0;
            return false;
        }
        return true;
    }

    /** logP from z and the baseline's k points at least as far as the point (distance a) out of n, farthest f. */
    private void finish(double a, int k, int n, double farthest) {
        double n1 = n + 1;
        // Beyond the farthest baseline point the tail falls off no faster than Chebyshev's 1/a^2 allows: a normal
        // fall-off would call a heavy tail's next record astronomically rare. A baseline that never moved has no
        // fall-off to scale: the first move is just a record, 1 / (n + 1) (Laplace's rule of succession).
        double beyond = farthest > 0 ? 2 * Math.log(farthest / a) : 0;
        double empirical = k > 0 ? Math.log((k + 1) / n1) : beyond - Math.log(n1);
        logP = Math.max(Scores.logTwoSidedP(z), empirical);
    }

    /** No judgement (too little history): NaN z and tail. */
    Tail none() {
        z = Double.NaN;
        logP = Double.NaN;
        return this;
    }

    /** dev / sigma with sigma floored as {@link #judge} floors it; 0 for a point at the centre. */
    static double z(double dev, double sigma, double resolution) {
        return dev == 0 ? 0 : dev / scale(sigma, resolution > 0 ? resolution : Math.abs(dev));
    }

    /** The scale floored at the deviation of rounding to the resolution. */
    static double scale(double sigma, double resolution) {
        return Math.max(sigma, resolution / SQRT12);
    }

    /** The smallest non-zero step between successive points of vs[from, to); 0 when they never move. */
    static double smallestStep(double[] vs, int from, int to) {
        double q = Double.POSITIVE_INFINITY;
        for (int i = from + 1; i < to; i++) {
            double d = Math.abs(vs[i] - vs[i - 1]);
            if (d > 0 && d < q) {
                q = d;
            }
        }
        return q == Double.POSITIVE_INFINITY ? 0 : q;
    }

    double z() {
        return z;
    }

    double logP() {
        return logP;
    }

    double score() {
        return Scores.ofLogP(logP);
    }
}
