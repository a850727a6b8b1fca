package dev.sightline.promql.anomaly;

/**
 * The robust z-score of the latest point: its distance from the median of the points before it in the window, in
 * units of their median absolute deviation times 1.4826 (see {@link RobustSpread}), floored at the series'
 * resolution (see {@link Tail}). Up to half the baseline can be spikes without moving either, so one past incident
 * does not blind the detector for the rest of the lookback.
 *
 * <p>As a {@link StreamingDetector} it keeps the baseline sorted: the median, the MAD (the median of the distances
 * from it, a bisection over the two sides of the median) and the rank guard are then O(log n) and the very doubles
 * of the window form; only the fallback scale of a baseline whose MAD is 0 takes a pass over it.
 */
public final class RobustZScore extends LatestPointStream implements Detector {
    private final RobustSpread spread = new RobustSpread();
    private final SortedValues sorted = new SortedValues();
    private final Run baseline;

    public RobustZScore() {
        this(new PointWindow());
    }

    /** A streaming robust z-score over a window shared with other detectors. */
    RobustZScore(PointWindow window) {
        super(window);
        baseline = new Run(window, sorted, null);
    }

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

    @Override
    Tail judgeLatest() {
        SortedValues base = sortedBaseline();
        if (base == null) {
            return judge(window.vs, window.from, window.to);
        }
        spread.compute(base, baseline.resolution());
        return spread.judge(window.vs[window.to - 1]);
    }

    /**
     * The baseline (the window's points before the latest) sorted, brought up to the window; null when the window
     * form judges instead (too short a baseline, or a value not finite).
     */
    SortedValues sortedBaseline() {
        if (window.to - 1 - window.from < MIN_HISTORY || !window.allFinite()) {
            return null;
        }
        baseline.moveTo(window.firstSeq(), window.lastSeq());
        return sorted;
    }

    @Override
    public void trim() {
        super.trim();
        sorted.trim();
    }
}
