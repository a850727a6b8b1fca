package dev.sightline.tsdb;

import java.util.Arrays;

/**
 * Growable parallel arrays of float samples that {@link SampleIterator#appendFloats} fills. A reader keeps one and
 * reuses it across series, so bulk reads allocate only when a series is longer than any before it.
 */
public final class FloatSamples {
    public long[] t;
    public double[] v;
    public int n;

    public FloatSamples(int capacity) {
        t = new long[Math.max(capacity, 8)];
        v = new double[t.length];
    }

    public void clear() {
        n = 0;
    }

    public void add(long ts, double value) {
        if (n == t.length) {
            ensureCapacity(n + 1);
        }
        t[n] = ts;
        v[n++] = value;
    }

    /** Makes room for at least {@code min} samples in all, keeping the ones held. */
    public void ensureCapacity(int min) {
        if (min > t.length) {
            int cap = Math.max(min, t.length * 2);
            t = Arrays.copyOf(t, cap);
            v = Arrays.copyOf(v, cap);
        }
    }
}
