package dev.sightline.promql.anomaly;

/**
 * The z-score of the latest point against the mean and (population) standard deviation of the points before it in
 * the window, the deviation floored at the series' resolution (see {@link Tail}): the seed's {@code volume_spike}.
 * A single large past spike inflates the deviation for as long as it stays in the window; {@link RobustZScore} does
 * not have that weakness.
 */
public final class ZScore implements Detector {
    private final Tail tail = new Tail();

    /** z of {@code vs[to-1]} against {@code vs[from, to-1)}; NaN with fewer than {@link #MIN_HISTORY} points before it. */
    public static double zscore(double[] vs, int from, int to) {
        if (to - 1 - from < MIN_HISTORY) {
            return Double.NaN;
        }
        double mean = mean(vs, from, to - 1);
        return Tail.z(vs[to - 1] - mean, deviation(vs, from, to - 1, mean), Tail.smallestStep(vs, from, to - 1));
    }

    /** ln of the point's tail probability (see {@link Tail}); NaN with too little history. */
    public double logP(double[] vs, int from, int to) {
        if (to - 1 - from < MIN_HISTORY) {
            return Double.NaN;
        }
        double mean = mean(vs, from, to - 1);
        tail.judge(vs[to - 1] - mean, deviation(vs, from, to - 1, mean), Tail.smallestStep(vs, from, to - 1),
                vs, from, to - 1, mean);
        return tail.logP();
    }

    // Two passes (mean, then squared deviations from it): as stable as Welford for large values with a small
    // spread, without a division per point.
    private static double mean(double[] vs, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += vs[i];
        }
        return sum / (to - from);
    }

    private static double deviation(double[] vs, int from, int to, double mean) {
        double m2 = 0;
        for (int i = from; i < to; i++) {
            double d = vs[i] - mean;
            m2 += d * d;
        }
        return Math.sqrt(m2 / (to - from));
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return Scores.ofLogP(logP(vs, from, to));
    }
}
