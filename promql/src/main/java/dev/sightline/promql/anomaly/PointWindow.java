package dev.sightline.promql.anomaly;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The points of a streaming detector's window, oldest first: values in a primitive array {@code vs[from, to)} that
 * the window forms of the detectors read directly, times ({@link #time}) as 4-byte offsets while the window spans
 * less than 24.8 days ({@link Times}). Points are numbered by a sequence that
 * survives compaction ({@link #seq}), so the {@link Run}s derived from the window can keep their place while the
 * arrays shift. Eviction tells the runs first, while the evicted values can still be read.
 */
final class PointWindow {
    private Times ts = new Times(64);
    double[] vs = new double[64];
    /** The times as longs for a window form (NaN in the window), made on demand and dropped by {@link #trim}. */
    private long[] longTimes;
    int from;
    int to;
    /** Sequence number of index 0. */
    private long base;
    /** NaN and infinite values in the window: the streaming forms then defer to the window forms. */
    private int nonFinite;
    private final List<Run> runs = new ArrayList<>(1);

    void register(Run r) {
        runs.add(r);
    }

    int size() {
        return to - from;
    }

    boolean allFinite() {
        return nonFinite == 0;
    }

    long seq(int index) {
        return base + index;
    }

    int index(long seq) {
        return (int) (seq - base);
    }

    long firstSeq() {
        return base + from;
    }

    /** Sequence number of the latest point (one before {@link #firstSeq} when empty). */
    long lastSeq() {
        return base + to - 1;
    }

    void add(long t, double v) {
        if (to > from && t <= ts.get(to - 1)) {
            throw new IllegalArgumentException("point at " + t + " ms is not after the window's latest point at "
                    + ts.get(to - 1) + " ms");
        }
        if (to == vs.length) {
            makeRoom();
        }
        ts.set(to, t, from, to - from);
        vs[to++] = v;
        if (!Double.isFinite(v)) {
            nonFinite++;
        }
    }

    private void makeRoom() {
        int n = to - from;
        // Grown by half while a read fills it; compacted while a 32nd is free, so a trimmed window slides in place
        // (one move of the window per 16th of it added).
        if ((vs.length - n) * 32 < vs.length) {
            int cap = vs.length + vs.length / 2;
            ts = ts.relayout(from, n, cap);
            vs = Arrays.copyOfRange(vs, from, from + cap);
        } else {
            ts.moveToFront(from, n);
            System.arraycopy(vs, from, vs, 0, n);
        }
        base += from;
        from = 0;
        to = n;
    }

    /** Shrinks the arrays to the window and a 16th more (a week of points is the bulk of a rule's memory). */
    void trim() {
        int n = to - from;
        int cap = roomFor(n);
        longTimes = null;
        if (vs.length > cap) {
            ts = ts.relayout(from, n, cap);
            vs = Arrays.copyOfRange(vs, from, from + cap);
            base += from;
            from = 0;
            to = n;
        }
    }

    /** The capacity a trimmed array of n values keeps. */
    static int roomFor(int n) {
        return n + n / 16 + 16;
    }

    void evictThrough(long t) {
        int f = from;
        while (f < to && ts.get(f) <= t) {
            if (!Double.isFinite(vs[f])) {
                nonFinite--;
            }
            f++;
        }
        if (f == from) {
            return;
        }
        for (Run r : runs) {
            r.evictBelow(seq(f));
        }
        from = f;
    }

    void clear() {
        for (Run r : runs) {
            r.clear();
        }
        base += to;
        from = 0;
        to = 0;
        nonFinite = 0;
    }

    /** Time of the point at index i (from <= i < to). */
    long time(int i) {
        return ts.get(i);
    }

    /** The times as longs at the same indexes as {@link #vs}, for the window forms. */
    long[] longTimes() {
        if (longTimes == null || longTimes.length < to) {
            longTimes = new long[vs.length];
        }
        ts.copyTo(longTimes, from, to);
        return longTimes;
    }

    /** Sequence number of the first point at or after time t (the end when none is). */
    long firstAtOrAfter(long t) {
        int lo = from, hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts.get(mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return seq(lo);
    }

    /** The first index in ts[lo, hi) (ascending) whose time is at or after t; hi when none is. */
    static int firstAtOrAfter(long[] ts, int lo, int hi, long t) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
