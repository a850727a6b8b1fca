package dev.sightline.promql.anomaly;

/**
 * What the streaming detectors share: their window of points, which the additions and evictions go to, and the
 * judgement of its latest point.
 */
abstract class WindowedStream implements StreamingDetector {
    final PointWindow window = new PointWindow();

    /** Judges the latest point of the window against its baseline, as the window form would. */
    abstract Tail judgeLatest();

    @Override
    public double logP() {
        return judgeLatest().logP();
    }

    /** The signed z of the latest point in the window, as the window form gives it; NaN with too little history. */
    public double z() {
        return judgeLatest().z();
    }

    @Override
    public void add(long t, double v) {
        window.add(t, v);
    }

    @Override
    public void evictThrough(long t) {
        window.evictThrough(t);
    }

    @Override
    public int size() {
        return window.size();
    }

    @Override
    public void clear() {
        window.clear();
    }
}
