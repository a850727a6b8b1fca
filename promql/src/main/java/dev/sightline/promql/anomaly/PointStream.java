package dev.sightline.promql.anomaly;

/**
 * What the streaming detectors share: the window's timestamps (for {@link #size} and eviction), the latest point's
 * judgement, and the rule that a NaN value is neither judged nor taken into the state. A detector implements
 * {@link #accept} (a non-NaN point: update the state, set {@link #logP} or leave it NaN), {@link #evict} and
 * {@link #reset} for its own state.
 */
abstract class PointStream implements StreamingDetector {
    private final TimeRing window = new TimeRing();
    /** The latest point's ln p; NaN until {@link #accept} judges it. */
    protected double logP = Double.NaN;
    /** {@link #accept} left the judgement to {@link #judge}, when (and if) logP is asked for. */
    private boolean pending;

    /** A non-NaN point, after the window took its timestamp. */
    abstract void accept(long t, double v);

    /** Drops the state of the points with a timestamp {@code <= t}. */
    abstract void evict(long t);

    /** Forgets the state, as for a new series. */
    abstract void reset();

    /** The latest point's ln p for a detector that calls {@link #judgeLater} (a replayed window judges only its last). */
    double judge() {
        return logP;
    }

    /** Called by {@link #accept}: the point is judged by {@link #judge} when its logP is asked for. */
    final void judgeLater() {
        pending = true;
    }

    @Override
    public final void add(long t, double v) {
        window.add(t);
        logP = Double.NaN;
        pending = false;
        if (!Double.isNaN(v)) {
            accept(t, v);
        }
    }

    @Override
    public final void evictThrough(long t) {
        window.evictThrough(t);
        evict(t);
    }

    @Override
    public final double logP() {
        if (pending) {
            pending = false;
            logP = judge();
        }
        return logP;
    }

    @Override
    public final int size() {
        return window.size();
    }

    /** Trims the window's timestamps and, through {@link #trimState}, the detector's own arrays. */
    @Override
    public final void trim() {
        window.trim();
        trimState();
    }

    /** Shrinks the detector's own arrays to what they hold (none by default). */
    void trimState() {
    }

    @Override
    public final void clear() {
        window.clear();
        logP = Double.NaN;
        pending = false;
        reset();
    }
}
