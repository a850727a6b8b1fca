package dev.sightline.promql.anomaly;

import java.util.Arrays;

/**
 * One series' trailing window as contiguous arrays {@code ts()[from(), to())} and {@code vs()[from(), to())}, the
 * form {@link Detector#score} reads: points are appended at the end and evicted from the front; when the arrays
 * fill, the live window slides to the front (and the arrays grow only when it fills more than half), so memory
 * follows the window, not the stream, and appending allocates nothing in the steady state.
 */
public final class WindowBuffer {
    private long[] ts = new long[1024];
    private double[] vs = new double[1024];
    private int from;
    private int to;

    public void add(long t, double v) {
        if (to == ts.length) {
            int live = to - from;
            if (live > ts.length / 2) {
                ts = Arrays.copyOf(ts, ts.length * 2);
                vs = Arrays.copyOf(vs, vs.length * 2);
            }
            System.arraycopy(ts, from, ts, 0, live);
            System.arraycopy(vs, from, vs, 0, live);
            from = 0;
            to = live;
        }
        ts[to] = t;
        vs[to] = v;
        to++;
    }

    /** Drops the points with a timestamp {@code <= t}. */
    public void evictThrough(long t) {
        while (from < to && ts[from] <= t) {
            from++;
        }
    }

    public void clear() {
        from = 0;
        to = 0;
    }

    public int size() {
        return to - from;
    }

    public long[] ts() {
        return ts;
    }

    public double[] vs() {
        return vs;
    }

    public int from() {
        return from;
    }

    public int to() {
        return to;
    }

    /** Time of the latest point; only when the window is not empty. */
    public long lastTime() {
        return ts[to - 1];
    }
}
