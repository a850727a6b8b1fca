package dev.sightline.tsdb.block;

import java.util.Arrays;

/** Set operations on a block's on-disk postings: sorted arrays of the block index's int series ids. */
final class BlockPostings {
    private BlockPostings() {
    }

    static int[] intersect(int[] a, int[] b) {
        int[] out = new int[Math.min(a.length, b.length)];
        int i = 0, j = 0, n = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) {
                i++;
            } else if (a[i] > b[j]) {
                j++;
            } else {
                out[n++] = a[i];
                i++;
                j++;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** {@code a} without the ids in {@code b}. */
    static int[] subtract(int[] a, int[] b) {
        if (b.length == 0) {
            return a;
        }
        int[] out = new int[a.length];
        int i = 0, j = 0, n = 0;
        while (i < a.length) {
            while (j < b.length && b[j] < a[i]) {
                j++;
            }
            if (j >= b.length || b[j] != a[i]) {
                out[n++] = a[i];
            }
            i++;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }
}
