package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;

import java.io.IOException;
import java.util.Arrays;

/**
 * A series' accepted out-of-order samples, sorted by time. Few series ever get one, so {@link MemSeries} holds one
 * reference to this, null until the first such sample, instead of five fields in every series. Guarded by the
 * owning series' monitor.
 */
final class OutOfOrderSamples {
    private long[] t = new long[8];
    private double[] v = new double[8];
    /** Null while every sample is a float. */
    private Histogram[] h;
    /** Start timestamps; null while all are 0. */
    private long[] st;
    private int count;

    int count() {
        return count;
    }

    long minTime() {
        return t[0];
    }

    long maxTime() {
        return t[count - 1];
    }

    /** Inserts in time order; a sample at a time already held is ignored (a repeated write is usually a retry). */
    void insert(long st, long t, double v, Histogram h) {
        int i = Arrays.binarySearch(this.t, 0, count, t);
        if (i >= 0) {
            return;
        }
        int pos = -i - 1;
        if (count == this.t.length) {
            this.t = Arrays.copyOf(this.t, count * 2);
            this.v = Arrays.copyOf(this.v, count * 2);
            if (this.h != null) {
                this.h = Arrays.copyOf(this.h, count * 2);
            }
            if (this.st != null) {
                this.st = Arrays.copyOf(this.st, count * 2);
            }
        }
        if (h != null && this.h == null) {
            this.h = new Histogram[this.t.length];
        }
        if (st != 0 && this.st == null) {
            this.st = new long[this.t.length];
        }
        if (this.st != null) {
            System.arraycopy(this.st, pos, this.st, pos + 1, count - pos);
            this.st[pos] = st;
        }
        System.arraycopy(this.t, pos, this.t, pos + 1, count - pos);
        System.arraycopy(this.v, pos, this.v, pos + 1, count - pos);
        if (this.h != null) {
            System.arraycopy(this.h, pos, this.h, pos + 1, count - pos);
            this.h[pos] = h;
        }
        this.t[pos] = t;
        this.v[pos] = v;
        count++;
    }

    /** Index of the first sample at or after {@code time} (count when none). */
    int lowerBound(long time) {
        int i = Arrays.binarySearch(t, 0, count, time);
        return i >= 0 ? i : -i - 1;
    }

    /** Whether any sample lies in [mint, maxt]. */
    boolean hasDataIn(long mint, long maxt) {
        int i = lowerBound(mint);
        return i < count && t[i] <= maxt;
    }

    long[] timestamps(int from, int to) {
        return Arrays.copyOfRange(t, from, to);
    }

    double[] values(int from, int to) {
        return Arrays.copyOfRange(v, from, to);
    }

    /** Null when every sample is a float. */
    Histogram[] histograms(int from, int to) {
        return h == null ? null : Arrays.copyOfRange(h, from, to);
    }

    /** Null when no sample has a start timestamp. */
    long[] startTimestamps(int from, int to) {
        return st == null ? null : Arrays.copyOfRange(st, from, to);
    }

    /** Drops the samples before {@code cut}; returns how many are left. */
    int truncateBefore(long cut) {
        int keepFrom = lowerBound(cut);
        if (keepFrom > 0) {
            System.arraycopy(t, keepFrom, t, 0, count - keepFrom);
            System.arraycopy(v, keepFrom, v, 0, count - keepFrom);
            if (h != null) {
                System.arraycopy(h, keepFrom, h, 0, count - keepFrom);
                Arrays.fill(h, count - keepFrom, count, null);
            }
            if (st != null) {
                System.arraycopy(st, keepFrom, st, 0, count - keepFrom);
            }
            count -= keepFrom;
        }
        return count;
    }

    /** Writes the samples (count first) for a head snapshot; {@link #read} reads them back. */
    static void write(OutOfOrderSamples ooo, HeadSnapshot.Out o) throws IOException {
        int n = ooo == null ? 0 : ooo.count;
        o.uvarint(n);
        if (n == 0) {
            return;
        }
        o.uvarint((ooo.h != null ? 1 : 0) | (ooo.st != null ? 2 : 0));
        for (int i = 0; i < n; i++) {
            o.varint(ooo.t[i]);
            o.fixed64(Double.doubleToRawLongBits(ooo.v[i]));
            if (ooo.st != null) {
                o.varint(ooo.st[i]);
            }
            if (ooo.h != null) {
                o.nullableHistogram(ooo.h[i]);
            }
        }
    }

    /** What {@link #write} wrote: null when there were no samples. */
    static OutOfOrderSamples read(HeadSnapshot.In in) throws IOException {
        int n = in.count(9);
        if (n == 0) {
            return null;
        }
        int flags = (int) in.uvarint();
        OutOfOrderSamples ooo = new OutOfOrderSamples();
        ooo.t = new long[n];
        ooo.v = new double[n];
        ooo.h = (flags & 1) != 0 ? new Histogram[n] : null;
        ooo.st = (flags & 2) != 0 ? new long[n] : null;
        for (int i = 0; i < n; i++) {
            ooo.t[i] = in.varint();
            ooo.v[i] = Double.longBitsToDouble(in.fixed64());
            if (ooo.st != null) {
                ooo.st[i] = in.varint();
            }
            if (ooo.h != null) {
                ooo.h[i] = in.nullableHistogram();
            }
        }
        ooo.count = n;
        return ooo;
    }
}
