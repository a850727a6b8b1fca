package dev.sightline.tsdb.head;

import java.util.Arrays;

/**
 * The sorted series refs of one label pair. Refs are handed out in increasing order, so an add is almost always an
 * append; concurrent creators may still arrive slightly out of order, which a short shift handles. Readers take a
 * copy, so a query never sees a half-shifted array.
 *
 * <p>Refs are kept as ints while they fit (a head hands out refs densely from 1, so that is its first 2^31 series):
 * the lists hold one entry per label pair of every series, and ints halve them. The first ref beyond an int turns the
 * list into longs for good.
 */
final class MemPostingsList {
    private int[] narrow = new int[2];
    /** Null until a ref beyond an int arrives; then it holds every ref and {@code narrow} is dropped. */
    private long[] wide;
    private int size;

    synchronized void add(long ref) {
        if (wide == null && ref != (int) ref) {
            wide = new long[Math.max(2, narrow.length)];
            for (int i = 0; i < size; i++) {
                wide[i] = narrow[i];
            }
            narrow = null;
        }
        int pos = size;
        if (size > 0 && at(size - 1) >= ref) {
            int i = search(ref);
            if (i >= 0) {
                return;
            }
            pos = -i - 1;
        }
        int capacity = wide != null ? wide.length : narrow.length;
        if (size == capacity) {
            // Long lists grow by an eighth: they hold most of the index's refs, and 1.5x growth left a quarter of
            // their space unused on average. Adds happen once per new series, so the extra copying stays cheap.
            resize(size < 64 ? size * 2 : size + (size >> 3));
        }
        Object array = wide != null ? wide : narrow;
        System.arraycopy(array, pos, array, pos + 1, size - pos);
        if (wide != null) {
            wide[pos] = ref;
        } else {
            narrow[pos] = (int) ref;
        }
        size++;
    }

    /** Adds {@code n} ascending refs: one copy when they all follow the list's last, as when an index is rebuilt. */
    synchronized void addSorted(long[] sorted, int n) {
        // The slow path also covers a ref beyond an int, which add() turns the list into longs for.
        if (n > 0 && (size > 0 && at(size - 1) >= sorted[0] || wide == null && sorted[n - 1] != (int) sorted[n - 1])) {
            for (int i = 0; i < n; i++) {
                add(sorted[i]);
            }
            return;
        }
        int capacity = wide != null ? wide.length : narrow.length;
        if (size + n > capacity) {
            resize(size + n);
        }
        if (wide != null) {
            System.arraycopy(sorted, 0, wide, size, n);
        } else {
            for (int i = 0; i < n; i++) {
                narrow[size + i] = (int) sorted[i];
            }
        }
        size += n;
    }

    /** Removes the ref; returns the remaining size. */
    synchronized int remove(long ref) {
        int i = search(ref);
        if (i >= 0) {
            Object array = wide != null ? wide : narrow;
            System.arraycopy(array, i + 1, array, i, size - i - 1);
            size--;
            int capacity = wide != null ? wide.length : narrow.length;
            if (size > 16 && size < capacity / 4) {
                resize(size * 2);
            }
        }
        return size;
    }

    synchronized long[] snapshot() {
        if (wide != null) {
            return Arrays.copyOf(wide, size);
        }
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = narrow[i];
        }
        return out;
    }

    synchronized int size() {
        return size;
    }

    private long at(int i) {
        return wide != null ? wide[i] : narrow[i];
    }

    /** As {@link Arrays#binarySearch}: the index of ref, else -(insertion point) - 1. */
    private int search(long ref) {
        if (wide != null) {
            return Arrays.binarySearch(wide, 0, size, ref);
        }
        if (ref != (int) ref) {
            return ref < 0 ? -1 : -size - 1;
        }
        return Arrays.binarySearch(narrow, 0, size, (int) ref);
    }

    private void resize(int capacity) {
        if (wide != null) {
            wide = Arrays.copyOf(wide, capacity);
        } else {
            narrow = Arrays.copyOf(narrow, capacity);
        }
    }
}
