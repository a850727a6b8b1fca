package dev.sightline.promql.anomaly;

import java.util.Arrays;

/**
 * A two-component Gaussian mixture fitted by expectation-maximization to weighted 1-D points: raw values (weight 1
 * each) or a histogram's buckets (weight = count, at the bucket's representative value, with the bucket's own
 * variance width^2/12 added in the M-step so that mass inside one bucket is not mistaken for zero spread).
 *
 * <p>Reports the two modes (component means, low one first), their weights, deviations, the separation
 * |mode_high - mode_low| and the mean deviation (sigma_low + sigma_high) / 2. The seed's criterion, "both weights
 * > 0.1 and separation > 2 x mean deviation", is {@link #bimodal()}. For scoring, the separation is turned into a
 * z-equivalent calibrated so the criterion's boundary lands on z = 3 (z = 1.5 x separation / mean deviation) and
 * is 0 when a weight is at most 0.1; the score is {@link Scores#ofZ} of it, so {@code score > 0.9973} is the
 * seed's criterion.
 *
 * <p>Written here rather than using commons-math3's {@code MultivariateNormalMixtureExpectationMaximization}
 * because that takes neither weights nor per-point variances (histogram buckets need both) and allocates matrices
 * per iteration; the tests check that both agree on raw values. The start is deterministic: the best two-class
 * split of the sorted points (Otsu's between-class variance), so equal input gives equal output.
 */
public final class Bimodality implements Detector {
    public static final double MIN_WEIGHT = 0.1;
    public static final double MIN_SEPARATION = 2;
    private static final int MAX_ITERATIONS = 100;
    /** EM stops when the means move less than this many standard deviations and the weights less than this. */
    private static final double TOLERANCE = 1e-6;
    private static final int DIP_GRID = 64;
    private static final int BIC_EXTRA_PARAMETERS = 3;

    /** The statistics a fit reports, by the names the PromQL functions take. */
    public enum Stat {
        SCORE, MODE_LOW, MODE_HIGH, WEIGHT_LOW, WEIGHT_HIGH, MIN_WEIGHT, SIGMA_LOW, SIGMA_HIGH, SEPARATION,
        MEAN_DEVIATION, BIMODAL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The statistic called {@code label}, or null. */
        public static Stat byLabel(String label) {
            for (Stat s : values()) {
                if (s.label().equals(label)) {
                    return s;
                }
            }
            return null;
        }

        public double of(Bimodality b) {
            return switch (this) {
                case SCORE -> b.score();
                case MODE_LOW -> b.modeLow;
                case MODE_HIGH -> b.modeHigh;
                case WEIGHT_LOW -> b.weightLow;
                case WEIGHT_HIGH -> b.weightHigh;
                case MIN_WEIGHT -> Math.min(b.weightLow, b.weightHigh);
                case SIGMA_LOW -> b.sigmaLow;
                case SIGMA_HIGH -> b.sigmaHigh;
                case SEPARATION -> b.separation();
                case MEAN_DEVIATION -> b.meanDeviation();
                case BIMODAL -> b.bimodal() ? 1 : 0;
            };
        }
    }

    private double[] x = new double[64];
    private double[] w = new double[64];
    private double[] v = new double[64];
    private int n;
    /** The smallest gap between distinct values: the fitted deviation's floor, as for the point detectors. */
    private double resolution;

    private double modeLow, modeHigh, weightLow, weightHigh, sigmaLow, sigmaHigh;

    public void clear() {
        n = 0;
    }

    /** Adds a point; points must come in ascending order of value. Zero, negative and NaN weights are skipped. */
    public void add(double value, double weight, double variance) {
        if (!(weight > 0) || Double.isNaN(value) || Double.isInfinite(value)) {
            return;
        }
        if (n == x.length) {
            x = Arrays.copyOf(x, n * 2);
            w = Arrays.copyOf(w, n * 2);
            v = Arrays.copyOf(v, n * 2);
        }
        x[n] = value;
        w[n] = weight;
        v[n] = variance;
        n++;
    }

    /** Fits raw values {@code vs[from, to)}; false (no fit) with fewer than {@link #MIN_HISTORY} values or a NaN. */
    public boolean fitValues(double[] vs, int from, int to) {
        int len = to - from;
        if (len < MIN_HISTORY) {
            return false;
        }
        if (len > x.length) {
            int cap = Math.max(len, x.length * 2);
            x = new double[cap];
            w = new double[cap];
            v = new double[cap];
        }
        System.arraycopy(vs, from, x, 0, len);
        for (int i = 0; i < len; i++) {
            if (Double.isNaN(x[i])) {
                return false;
            }
        }
        Arrays.sort(x, 0, len);
        Arrays.fill(w, 0, len, 1);
        Arrays.fill(v, 0, len, 0);
        n = len;
        return fit();
    }

    /** Fits the points added since {@link #clear()}; false when there are none. */
    public boolean fit() {
        if (n == 0) {
            return false;
        }
        double total = 0, mean = 0;
        for (int i = 0; i < n; i++) {
            total += w[i];
            mean += w[i] * (x[i] - mean) / total;
        }
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += w[i] * ((x[i] - mean) * (x[i] - mean) + v[i]);
        }
        var /= total;
        resolution = smallestGap();
        int split = otsuSplit();
        if (split < 0 || !(var > 0)) {
            unimodal(mean, Math.sqrt(var));
            return true;
        }
        // Start from the two classes of the split.
        double w1 = 0, m1 = 0, w2 = 0, m2 = 0;
        for (int i = 0; i < n; i++) {
            if (i <= split) {
                w1 += w[i];
                m1 += w[i] * (x[i] - m1) / w1;
            } else {
                w2 += w[i];
                m2 += w[i] * (x[i] - m2) / w2;
            }
        }
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            double d = i <= split ? x[i] - m1 : x[i] - m2;
            if (i <= split) {
                s1 += w[i] * (d * d + v[i]);
            } else {
                s2 += w[i] * (d * d + v[i]);
            }
        }
        // A floor keeps a component on a single repeated value from collapsing to a spike of infinite density.
        double floor = var * 1e-6;
        s1 = Math.max(s1 / w1, floor);
        s2 = Math.max(s2 / w2, floor);
        double p1 = w1 / total;
        double scale = Math.sqrt(var);
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            // E-step with one exp per point: the first component's share is 1 / (1 + exp(l2 - l1)).
            double lp1 = Math.log(p1) - 0.5 * Math.log(s1), lp2 = Math.log(1 - p1) - 0.5 * Math.log(s2);
            double r1 = 0, r1x = 0, r1xx = 0, r2x = 0, r2xx = 0, r1v = 0, r2v = 0;
            for (int i = 0; i < n; i++) {
                double d1 = x[i] - m1, d2 = x[i] - m2;
                double a = w[i] / (1 + Math.exp(lp2 - d2 * d2 / (2 * s2) - lp1 + d1 * d1 / (2 * s1))), b = w[i] - a;
                // Sums shifted by the old means, for precision when the values are large and close together.
                r1 += a;
                r1x += a * d1;
                r1xx += a * d1 * d1;
                r1v += a * v[i];
                r2x += b * d2;
                r2xx += b * d2 * d2;
                r2v += b * v[i];
            }
            double r2 = total - r1;
            if (r1 < total * 1e-9 || r2 < total * 1e-9) {
                unimodal(mean, scale);
                return true;
            }
            double dm1 = r1x / r1, dm2 = r2x / r2, dp = r1 / total - p1;
            m1 += dm1;
            m2 += dm2;
            s1 = Math.max((r1xx + r1v) / r1 - dm1 * dm1, floor);
            s2 = Math.max((r2xx + r2v) / r2 - dm2 * dm2, floor);
            p1 += dp;
            if (Math.abs(dm1) + Math.abs(dm2) < TOLERANCE * scale && Math.abs(dp) < TOLERANCE) {
                break;
            }
        }
        boolean firstLow = m1 <= m2;
        modeLow = firstLow ? m1 : m2;
        modeHigh = firstLow ? m2 : m1;
        weightLow = firstLow ? p1 : 1 - p1;
        weightHigh = 1 - weightLow;
        sigmaLow = Math.sqrt(firstLow ? s1 : s2);
        sigmaHigh = Math.sqrt(firstLow ? s2 : s1);
        // Two modes only if the density has a valley between them and the mixture beats one Gaussian by more
        // than its three extra parameters cost (BIC, sample size = total weight): small windows of unimodal noise
        // often look two-humped to EM. For histograms feed counts (increase), not per-second rates.
        // The log-likelihood of one Gaussian leaves out the same constant as the mixture's.
        double ll1 = -0.5 * total * (Math.log(var) + 1);
        if (!dipBetweenModes() || 2 * (logLikelihood(m1, s1, m2, s2, p1) - ll1)
                <= BIC_EXTRA_PARAMETERS * Math.log(Math.max(total, 1))) {
            unimodal(mean, scale);
        }
        return true;
    }

    /**
     * Whether the fitted density has a valley between the two means. EM fits two components to any data, and on
     * unimodal data it often settles on a lopsided pair (a narrow main one and a wide shoulder) that can pass the
     * seed's criterion by itself; such a pair describes one mode, so it is reported as unimodal.
     */
    private boolean dipBetweenModes() {
        if (!(modeHigh > modeLow)) {
            return false;
        }
        double ends = Math.min(density(modeLow), density(modeHigh));
        double step = (modeHigh - modeLow) / (DIP_GRID + 1);
        for (int k = 1; k <= DIP_GRID; k++) {
            if (density(modeLow + k * step) < ends * (1 - 1e-9)) {
                return true;
            }
        }
        return false;
    }

    private double density(double at) {
        return normal(at, modeLow, sigmaLow) * weightLow + normal(at, modeHigh, sigmaHigh) * weightHigh;
    }

    private static double normal(double at, double mean, double sigma) {
        double d = (at - mean) / sigma;
        return Math.exp(-0.5 * d * d) / sigma;
    }

    /** The mixture's log-likelihood of the points, without the constant -log(sqrt(2 pi)) per unit of weight. */
    private double logLikelihood(double m1, double s1, double m2, double s2, double p1) {
        double lp1 = Math.log(p1) - 0.5 * Math.log(s1), lp2 = Math.log(1 - p1) - 0.5 * Math.log(s2);
        double ll = 0;
        for (int i = 0; i < n; i++) {
            double d1 = x[i] - m1, d2 = x[i] - m2;
            double l1 = lp1 - d1 * d1 / (2 * s1), l2 = lp2 - d2 * d2 / (2 * s2);
            double m = Math.max(l1, l2);
            ll += w[i] * (m + Math.log(Math.exp(l1 - m) + Math.exp(l2 - m)));
        }
        return ll;
    }

    /** The smallest non-zero gap between successive (sorted) values; 0 when all are equal. */
    private double smallestGap() {
        double q = Double.POSITIVE_INFINITY;
        for (int i = 1; i < n; i++) {
            double d = x[i] - x[i - 1];
            if (d > 0 && d < q) {
                q = d;
            }
        }
        return q == Double.POSITIVE_INFINITY ? 0 : q;
    }

    /** The index ending the lower class of the best two-class split (max between-class variance), or -1 if none. */
    private int otsuSplit() {
        double total = 0, sum = 0;
        for (int i = 0; i < n; i++) {
            total += w[i];
            sum += w[i] * x[i];
        }
        int best = -1;
        double bestScore = 0, w1 = 0, s1 = 0;
        for (int i = 0; i < n - 1; i++) {
            w1 += w[i];
            s1 += w[i] * x[i];
            if (x[i + 1] == x[i]) {
                continue;
            }
            double w2 = total - w1;
            double d = s1 / w1 - (sum - s1) / w2;
            double score = w1 * w2 * d * d;
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    private void unimodal(double mean, double sigma) {
        modeLow = mean;
        modeHigh = mean;
        weightLow = 1;
        weightHigh = 0;
        sigmaLow = sigma;
        sigmaHigh = sigma;
    }

    public double modeLow() {
        return modeLow;
    }

    public double modeHigh() {
        return modeHigh;
    }

    public double weightLow() {
        return weightLow;
    }

    public double weightHigh() {
        return weightHigh;
    }

    public double separation() {
        return modeHigh - modeLow;
    }

    public double meanDeviation() {
        return (sigmaLow + sigmaHigh) / 2;
    }

    /** The seed's criterion: both weights above 0.1 and the modes more than 2 mean deviations apart. */
    public boolean bimodal() {
        return Math.min(weightLow, weightHigh) > MIN_WEIGHT && separation() > MIN_SEPARATION * meanDeviation();
    }

    /**
     * 1.5 x separation / mean deviation when both weights exceed 0.1, else 0: the criterion's boundary is z = 3. The
     * mean deviation is floored at the values' resolution over sqrt 12 (see {@link Tail}): a series that alternates
     * between two exact values has no spread, and its z stays finite (1.5 x sqrt 12 = 5.2 for values one step apart).
     */
    public double zEquivalent() {
        if (!(Math.min(weightLow, weightHigh) > MIN_WEIGHT)) {
            return 0;
        }
        return Tail.z(1.5 * separation(), meanDeviation(), resolution);
    }

    public double score() {
        return Scores.ofZ(zEquivalent());
    }

    /** ln of the two-sided tail probability of {@link #zEquivalent()} for the window's values; NaN when unfitted. */
    public double logP(double[] vs, int from, int to) {
        return fitValues(vs, from, to) ? Scores.logTwoSidedP(zEquivalent()) : Double.NaN;
    }

    /** The score of the distribution of the whole window's values (the latest point included). */
    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return fitValues(vs, from, to) ? score() : Double.NaN;
    }
}
