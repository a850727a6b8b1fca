package dev.sightline.promql.anomaly;

/** The timestamps of a window's points, oldest first, for detectors whose state is not itself a window. */
final class TimeRing {
    private long[] ts = new long[256];
    private int head;
    private int count;

    void add(long t) {
        if (count == ts.length) {
            relayout(ts.length + ts.length / 2);
        }
        ts[(head + count) % ts.length] = t;
        count++;
    }

    /** Shrinks the ring to the timestamps held and a 16th more. */
    void trim() {
        int cap = PointWindow.roomFor(count);
        if (ts.length > cap) {
            relayout(cap);
        }
    }

    private void relayout(int cap) {
        long[] g = new long[cap];
        for (int i = 0; i < count; i++) {
            g[i] = ts[(head + i) % ts.length];
        }
        ts = g;
        head = 0;
    }

    void evictThrough(long t) {
        while (count > 0 && ts[head] <= t) {
            head = (head + 1) % ts.length;
            count--;
        }
    }

    void clear() {
        head = 0;
        count = 0;
    }

    int size() {
        return count;
    }

    /** The oldest timestamp; only when not empty. */
    long first() {
        return ts[head];
    }
}
