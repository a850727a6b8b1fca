package dev.sightline.promql.anomaly;

/**
 * The robust z-score of the latest point: its distance from the median of the points before it in the window, in
 * units of their median absolute deviation times 1.4826 (see {@link RobustSpread}), floored at the series'
 * resolution (see {@link Tail}). Up to half the baseline can be spikes without moving either, so one past incident
 * does not blind the detector for the rest of the lookback.
 */
public final class RobustZScore implements Detector {
    private final RobustSpread spread = new RobustSpread();

    /** Robust z of {@code vs[to-1]} against {@code vs[from, to-1)}; NaN with fewer than {@link #MIN_HISTORY} points before it. */
    public double zscore(double[] vs, int from, int to) {
        return judge(vs, from, to).z();
    }

    /** ln of the point's tail probability (see {@link Tail}); NaN with too little history. */
    public double logP(double[] vs, int from, int to) {
        return judge(vs, from, to).logP();
    }

    private Tail judge(double[] vs, int from, int to) {
        if (to - 1 - from < MIN_HISTORY) {
            return spread.none();
        }
        spread.clear();
        spread.addAll(vs, from, to - 1);
        spread.compute();
        return spread.judge(vs[to - 1]);
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return Scores.ofLogP(logP(vs, from, to));
    }
}
