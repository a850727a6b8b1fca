package dev.sightline.promql.anomaly;

/**
 * The robust z-score of the latest point: its distance from the median of the points before it in the window, in
 * units of their median absolute deviation times 1.4826 (see {@link RobustSpread}). Up to half the baseline can be
 * spikes without moving either, so one past incident does not blind the detector for the rest of the lookback.
 */
public final class RobustZScore implements Detector {
    private final RobustSpread spread = new RobustSpread();

    /** Robust z of {@code vs[to-1]} against {@code vs[from, to-1)}; NaN with fewer than {@link #MIN_HISTORY} points before it. */
    public double zscore(double[] vs, int from, int to) {
        if (to - 1 - from < MIN_HISTORY) {
            return Double.NaN;
        }
        spread.clear();
        spread.addAll(vs, from, to - 1);
        spread.compute();
        return Scores.z(vs[to - 1], spread.median(), spread.sigma());
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return Scores.ofZ(zscore(vs, from, to));
    }
}
