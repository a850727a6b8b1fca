package dev.sightline.tsdb.wal;

import java.util.Arrays;

/**
 * Start timestamps parallel to a batch's items (a {@link WalBatch}'s, an appender's pending samples). Most series have
 * none: no array until a non-zero one comes, and once there, it is kept (and written for every item) so that batches
 * with start timestamps allocate nothing.
 */
public final class StartTimestamps {
    private long[] values;
    private boolean any;

    /** Sets item {@code i}'s start (0: none); {@code capacity} is the length of the items' own arrays. */
    public void set(int i, long st, int capacity) {
        if (values == null) {
            if (st == 0) {
                return;
            }
            values = new long[capacity];
        } else if (i >= values.length) {
            values = Arrays.copyOf(values, capacity);
        }
        values[i] = st;
        any |= st != 0;
    }

    public long get(int i) {
        return any ? values[i] : 0;
    }

    public boolean any() {
        return any;
    }

    /** Forgets the items, keeping the array for the next batch. */
    public void clear() {
        any = false;
    }
}
