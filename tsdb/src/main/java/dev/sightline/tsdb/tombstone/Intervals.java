package dev.sightline.tsdb.tombstone;

import java.util.Arrays;

/**
 * Deleted time ranges of one series: closed intervals [min, max] in milliseconds, sorted, neither overlapping nor
 * touching (adjacent ones are merged). Immutable: {@link #add} returns a new value, so readers holding one need no lock.
 */
public final class Intervals {
    /** min0, max0, min1, max1, ... */
    private final long[] bounds;

    private Intervals(long[] bounds) {
        this.bounds = bounds;
    }

    /** The single interval [mint, maxt]; throws IllegalArgumentException when mint is after maxt. */
    public static Intervals of(long mint, long maxt) {
        if (mint > maxt) {
            throw new IllegalArgumentException("interval start " + mint + " is after its end " + maxt);
        }
        return new Intervals(new long[]{mint, maxt});
    }

    /** These intervals and [mint, maxt], merged. */
    public Intervals add(long mint, long maxt) {
        if (mint > maxt) {
            throw new IllegalArgumentException("interval start " + mint + " is after its end " + maxt);
        }
        // Insert by start, then merge what overlaps or touches.
        long[] all = Arrays.copyOf(bounds, bounds.length + 2);
        int at = bounds.length;
        while (at > 0 && all[at - 2] > mint) {
            all[at] = all[at - 2];
            all[at + 1] = all[at - 1];
            at -= 2;
        }
        all[at] = mint;
        all[at + 1] = maxt;
        long[] out = new long[all.length];
        int n = 0;
        for (int i = 0; i < all.length; i += 2) {
            long lo = all[i];
            long hi = all[i + 1];
            // prev + 1 overflows only when prev is Long.MAX_VALUE, and then the first test holds.
            if (n > 0 && (lo <= out[n - 1] || lo == out[n - 1] + 1)) {
                out[n - 1] = Math.max(out[n - 1], hi);
            } else {
                out[n++] = lo;
                out[n++] = hi;
            }
        }
        return new Intervals(Arrays.copyOf(out, n));
    }

    public int size() {
        return bounds.length / 2;
    }

    public long min(int i) {
        return bounds[2 * i];
    }

    public long max(int i) {
        return bounds[2 * i + 1];
    }

    /** Whether every millisecond of [mint, maxt] is deleted. */
    public boolean covers(long mint, long maxt) {
        int i = indexAtOrAfter(mint);
        return i < size() && min(i) <= mint && max(i) >= maxt;
    }

    /** The index of the first interval ending at or after {@code t}; {@link #size()} when none does. */
    public int indexAtOrAfter(long t) {
        int lo = 0;
        int hi = size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (max(mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Intervals other && Arrays.equals(bounds, other.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < size(); i++) {
            b.append(i == 0 ? "" : ", ").append('[').append(min(i)).append(", ").append(max(i)).append(']');
        }
        return b.append(']').toString();
    }
}
