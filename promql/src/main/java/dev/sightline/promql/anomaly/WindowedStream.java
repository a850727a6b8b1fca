package dev.sightline.promql.anomaly;

/**
 * What the streaming detectors share: their window of points, which the additions and evictions go to. The members
 * of {@link CombinedDetector} share one window, so a point is held once however many members judge it.
 */
abstract class WindowedStream implements StreamingDetector {
    final PointWindow window;

    WindowedStream(PointWindow window) {
        this.window = window;
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

    @Override
    public void trim() {
        window.trim();
    }
}
