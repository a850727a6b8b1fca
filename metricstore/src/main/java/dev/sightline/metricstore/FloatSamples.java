package dev.sightline.metricstore;

import java.util.Arrays;

/**
 * Growable parallel arrays of float samples that {@link SampleIterator#appendFloats} fills. A reader keeps one and
 * reuses it across series, so bulk reads allocate only when a series is longer than any before it.
 */
public final class FloatSamples {
    public long[] t;
    public double[] v;
    /**
     * Start timestamps parallel to {@link #t}, or null while every sample read so far has none (0): series without
     * start timestamps never pay for the array.
     */
    public long[] st;
    public int n;

    public FloatSamples(int capacity) {
        t = new long[Math.max(capacity, 8)];
        v = new double[t.length];
    }

    public void clear() {
        n = 0;
        st = null;
    }

    /** Adds a sample without a start timestamp (a 0 in {@link #st} when the buffer has starts already). */
    public void add(long ts, double value) {
        add(ts, value, 0);
    }

    /** Adds a sample with its start timestamp (0: none). */
    public void add(long ts, double value, long startTs) {
        if (startTs != 0 && st == null) {
            st = new long[t.length];
        }
        if (n == t.length) {
            ensureCapacity(n + 1);
        }
        if (st != null) {
            st[n] = startTs;
        }
        t[n] = ts;
        v[n++] = value;
    }

    /** Sets the start timestamp of samples [from, n) to {@code startTs} (0: none), after a bulk decode of them. */
    public void fillStart(int from, long startTs) {
        if (startTs == 0 && st == null) {
            return;
        }
        if (st == null) {
            st = new long[t.length];
        }
        Arrays.fill(st, from, n, startTs);
    }

    /** Makes room for at least {@code min} samples in all, keeping the ones held. */
    public void ensureCapacity(int min) {
        if (min > t.length) {
            int cap = Math.max(min, t.length * 2);
            t = Arrays.copyOf(t, cap);
            v = Arrays.copyOf(v, cap);
            if (st != null) {
                st = Arrays.copyOf(st, cap);
            }
        }
    }
}
