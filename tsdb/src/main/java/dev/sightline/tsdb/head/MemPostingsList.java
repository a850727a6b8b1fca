package dev.sightline.tsdb.head;

import java.util.Arrays;

/**
 * The sorted series refs of one label pair. Refs are handed out in increasing order, so an add is almost always an
 * append; concurrent creators may still arrive slightly out of order, which a short shift handles. Readers take a
 * copy, so a query never sees a half-shifted array.
 */
final class MemPostingsList {
    private long[] refs = new long[2];
    private int size;

    synchronized void add(long ref) {
        int pos = size;
        if (size > 0 && refs[size - 1] >= ref) {
            int i = Arrays.binarySearch(refs, 0, size, ref);
            if (i >= 0) {
                return;
            }
            pos = -i - 1;
        }
        if (size == refs.length) {
            // Long lists grow by an eighth: they hold most of the index's refs, and 1.5x growth left a quarter of
            // their space unused on average. Adds happen once per new series, so the extra copying stays cheap.
            refs = Arrays.copyOf(refs, size < 64 ? size * 2 : size + (size >> 3));
        }
        System.arraycopy(refs, pos, refs, pos + 1, size - pos);
        refs[pos] = ref;
        size++;
    }

    /** Adds {@code n} ascending refs: one copy when they all follow the list's last, as when an index is rebuilt. */
    synchronized void addSorted(long[] sorted, int n) {
        if (size > 0 && n > 0 && refs[size - 1] >= sorted[0]) {
            for (int i = 0; i < n; i++) {
                add(sorted[i]);
            }
            return;
        }
        if (size + n > refs.length) {
            refs = Arrays.copyOf(refs, size + n);
        }
        System.arraycopy(sorted, 0, refs, size, n);
        size += n;
    }

    /** Removes the ref; returns the remaining size. */
    synchronized int remove(long ref) {
        int i = Arrays.binarySearch(refs, 0, size, ref);
        if (i >= 0) {
            System.arraycopy(refs, i + 1, refs, i, size - i - 1);
            size--;
            if (size > 16 && size < refs.length / 4) {
                refs = Arrays.copyOf(refs, size * 2);
            }
        }
        return size;
    }

    synchronized long[] snapshot() {
        return Arrays.copyOf(refs, size);
    }

    synchronized int size() {
        return size;
    }
}
