package dev.sightline.tsdb.head;

import java.util.Arrays;
import java.util.List;

/** Set operations on the head's in-memory postings: sorted, duplicate-free arrays of long series refs. */
public final class MemPostingsOps {
    public static final long[] EMPTY = new long[0];

    private MemPostingsOps() {
    }

    /** Refs present in both. */
    public static long[] intersect(long[] a, long[] b) {
        if (a.length > b.length) {
            long[] t = a;
            a = b;
            b = t;
        }
        long[] out = new long[a.length];
        int n = 0;
        int j = 0;
        for (int i = 0; i < a.length && j < b.length; i++) {
            long v = a[i];
            if (b[j] < v) {
                j = seek(b, j, v);
                if (j == b.length) {
                    break;
                }
            }
            if (b[j] == v) {
                out[n++] = v;
                j++;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Refs in {@code a} that are not in {@code b}. */
    public static long[] subtract(long[] a, long[] b) {
        if (b.length == 0) {
            return a;
        }
        long[] out = new long[a.length];
        int n = 0;
        int j = 0;
        for (long v : a) {
            if (j < b.length && b[j] < v) {
                j = seek(b, j, v);
            }
            if (j < b.length && b[j] == v) {
                j++;
            } else {
                out[n++] = v;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Refs in any of the lists. */
    public static long[] union(List<long[]> lists) {
        if (lists.isEmpty()) {
            return EMPTY;
        }
        if (lists.size() == 1) {
            return lists.get(0);
        }
        int total = 0;
        for (long[] l : lists) {
            total += l.length;
        }
        // Concatenate and sort: simpler than a k-way heap merge and as fast for the list sizes a selector unions.
        long[] all = new long[total];
        int n = 0;
        for (long[] l : lists) {
            System.arraycopy(l, 0, all, n, l.length);
            n += l.length;
        }
        Arrays.sort(all);
        int w = 0;
        for (int i = 0; i < all.length; i++) {
            if (w == 0 || all[w - 1] != all[i]) {
                all[w++] = all[i];
            }
        }
        return w == all.length ? all : Arrays.copyOf(all, w);
    }

    /** The first index at or after {@code from} whose value is >= v (galloping, then binary search). */
    private static int seek(long[] b, int from, long v) {
        int step = 1;
        int hi = from;
        while (hi < b.length && b[hi] < v) {
            from = hi + 1;
            hi += step;
            step <<= 1;
        }
        hi = Math.min(hi, b.length);
        int i = Arrays.binarySearch(b, from, hi, v);
        return i >= 0 ? i : -i - 1;
    }
}
