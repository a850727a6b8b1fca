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

    /** Adds {@code value} under {@code key}, greater than every key pushed before. */
    void push(long key, double value) {
        while (size > 0 && values[slot(size - 1)] >= value) {
            size--;
        }
        if (size == keys.length) {
            grow();
        }
        int s = slot(size++);
        keys[s] = key;
        values[s] = value;
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
