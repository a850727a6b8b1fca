package dev.sightline.promql.anomaly;

/**
 * The z-score of the latest point against the mean and (population) standard deviation of the points before it in
 * the window: the seed's {@code volume_spike}. A single large past spike inflates the deviation for as long as it
 * stays in the window; {@link RobustZScore} does not have that weakness.
 */
public final class ZScore implements Detector {
    /** z of {@code vs[to-1]} against {@code vs[from, to-1)}; NaN with fewer than {@link #MIN_HISTORY} points before it. */
    public static double zscore(double[] vs, int from, int to) {
        int n = to - 1 - from;
        if (n < MIN_HISTORY) {
            return Double.NaN;
        }
        // Two passes (mean, then squared deviations from it): as stable as Welford for large values with a small
        // spread, without a division per point.
        double sum = 0;
        for (int i = from; i < to - 1; i++) {
            sum += vs[i];
        }
        double mean = sum / n, m2 = 0;
        for (int i = from; i < to - 1; i++) {
            double d = vs[i] - mean;
            m2 += d * d;
        }
        return Scores.z(vs[to - 1], mean, Math.sqrt(m2 / n));
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return Scores.ofZ(zscore(vs, from, to));
    }
}
