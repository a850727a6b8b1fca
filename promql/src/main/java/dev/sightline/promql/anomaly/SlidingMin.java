package dev.sightline.promql.anomaly;

/**
 * The minimum of a window of keyed values whose two ends only move forward (keys pushed in increasing order,
 * expired from the front): a monotonic deque, O(1) amortized per value. Holds the steps of a run of points for
 * the resolution floor of {@link Tail}; for noisy data it stays a few entries long.
 */
final class SlidingMin {
    private long[] keys = new long[8];
    private double[] values = new double[8];
    private int head;
    private int size;

    void clear() {
        head = 0;
        size = 0;
    }

    /**
     * Pushes the non-zero finite steps {@code |vs[i] - vs[i - 1]|} for i in [from, to), under keys {@code firstKey}
     * + (i - from): as pushing them one by one, but in two passes from the back, since of a run only the steps below
     * every later one stay (a full read pushes a week of steps at once).
     */
    void pushSteps(double[] vs, int from, int to, long firstKey) {
        int kept = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int i = to - 1; i >= from; i--) {
            double d = Math.abs(vs[i] - vs[i - 1]);
            if (d > 0 && d < min) {
                min = d;
                kept++;
            }
        }
        if (kept == 0) {
            return;
        }
        while (size > 0 && values[slot(size - 1)] >= min) {
            size--;
        }
        while (size + kept > keys.length) {
            grow();
        }
        size += kept;
        int k = size;
        min = Double.POSITIVE_INFINITY;
        for (int i = to - 1; i >= from; i--) {
            double d = Math.abs(vs[i] - vs[i - 1]);
            if (d > 0 && d < min) {
                min = d;
                int s = slot(--k);
                keys[s] = firstKey + (i - from);
                values[s] = d;
            }
        }
    }

    /** Drops the values pushed under keys below {@code key}. */
    void expireBelow(long key) {
        while (size > 0 && keys[head] < key) {
            head = (head + 1) & (keys.length - 1);
            size--;
        }
    }

    /** The smallest value held, or {@code Double.POSITIVE_INFINITY} when none is. */
    double min() {
        return size == 0 ? Double.POSITIVE_INFINITY : values[head];
    }

    private int slot(int i) {
        return (head + i) & (keys.length - 1);
    }

    private void grow() {
        long[] k = new long[keys.length * 2];
        double[] v = new double[keys.length * 2];
        for (int i = 0; i < size; i++) {
            k[i] = keys[slot(i)];
            v[i] = values[slot(i)];
        }
        keys = k;
        values = v;
        head = 0;
    }
}
