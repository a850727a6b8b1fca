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
 *
 * <p>A list lives in one array until it fills a block, then in fixed-size blocks. Growing one array copies it whole:
 * the long lists (every series of a metric, of a job, the list of all series) were reallocated every eighth of their
 * size, and while a million series were created those copies were a few hundred MB of arrays that the young
 * collections copied into the old generation, where they died and needed full collections. A block, once full, is
 * never copied again.
 */
final class MemPostingsList {
    /** Blocks of 1024 refs: 4 KB of ints. */
    static final int BLOCK_BITS = 10;

    private final int blockBits;
    /** int[] or long[] while the list fits one block; then int[][] or long[][] of full-size blocks. */
    private Object data;
    private int size;

    MemPostingsList() {
        this(BLOCK_BITS);
    }

    /** With blocks of 2^blockBits refs (small ones let tests cross block boundaries). */
    MemPostingsList(int blockBits) {
        this.blockBits = blockBits;
        this.data = new int[Math.min(2, 1 << blockBits)];
    }

    synchronized void add(long ref) {
        if (ref != (int) ref) {
            widen();
        }
        int pos = size;
        if (size > 0 && at(size - 1) >= ref) {
            int i = search(ref);
            if (i >= 0) {
                return;
            }
            pos = -i - 1;
        }
        makeRoom();
        // An out-of-order ref arrives close to the end: the shift is short.
        for (int i = size; i > pos; i--) {
            set(i, at(i - 1));
        }
        set(pos, ref);
        size++;
    }

    /** Adds {@code n} ascending refs: in one pass when they all follow the list's last, as when an index is rebuilt. */
    synchronized void addSorted(long[] sorted, int n) {
        if (n == 0) {
            return;
        }
        if (size > 0 && at(size - 1) >= sorted[0]) {
            for (int i = 0; i < n; i++) {
                add(sorted[i]);
            }
            return;
        }
        if (sorted[n - 1] != (int) sorted[n - 1]) {
            widen();
        }
        int block = 1 << blockBits;
        if (size + n <= block && size + n > capacity()) {
            // A rebuilt list that fits one array gets exactly its size.
            resizeFlat(size + n);
        }
        for (int i = 0; i < n; i++) {
            makeRoom();
            set(size++, sorted[i]);
        }
    }

    /** Removes the ascending refs {@code sorted[0..n)} in one pass over the list; returns the remaining size. */
    synchronized int removeAll(long[] sorted, int n) {
        int w = 0;
        int j = 0;
        for (int r = 0; r < size; r++) {
            long v = at(r);
            while (j < n && sorted[j] < v) {
                j++;
            }
            if (j < n && sorted[j] == v) {
                continue;
            }
            if (w != r) {
                set(w, v);
            }
            w++;
        }
        if (w == size) {
            return size;
        }
        size = w;
        shrink();
        return size;
    }

    synchronized long[] snapshot() {
        long[] out = new long[size];
        switch (data) {
            case int[] a -> {
                for (int i = 0; i < size; i++) {
                    out[i] = a[i];
                }
            }
            case long[] a -> System.arraycopy(a, 0, out, 0, size);
            case int[][] blocks -> {
                int block = 1 << blockBits;
                for (int from = 0, b = 0; from < size; from += block, b++) {
                    int[] a = blocks[b];
                    for (int i = 0, n = Math.min(block, size - from); i < n; i++) {
                        out[from + i] = a[i];
                    }
                }
            }
            case long[][] blocks -> {
                int block = 1 << blockBits;
                for (int from = 0, b = 0; from < size; from += block, b++) {
                    System.arraycopy(blocks[b], 0, out, from, Math.min(block, size - from));
                }
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    synchronized int size() {
        return size;
    }

    private long at(int i) {
        if (data instanceof int[] a) {
            return a[i];
        }
        if (data instanceof int[][] blocks) {
            return blocks[i >>> blockBits][i & ((1 << blockBits) - 1)];
        }
        if (data instanceof long[] a) {
            return a[i];
        }
        return ((long[][]) data)[i >>> blockBits][i & ((1 << blockBits) - 1)];
    }

    /** Stores {@code v} at {@code i}; the list is wide already if v needs it. */
    private void set(int i, long v) {
        if (data instanceof int[] a) {
            a[i] = (int) v;
        } else if (data instanceof int[][] blocks) {
            blocks[i >>> blockBits][i & ((1 << blockBits) - 1)] = (int) v;
        } else if (data instanceof long[] a) {
            a[i] = v;
        } else {
            ((long[][]) data)[i >>> blockBits][i & ((1 << blockBits) - 1)] = v;
        }
    }

    /** Slots allocated: the array's length, or every block's. */
    private int capacity() {
        if (data instanceof int[] a) {
            return a.length;
        }
        if (data instanceof Object[] blocks) {
            return blocks.length << blockBits;
        }
        return ((long[]) data).length;
    }

    /** Makes slot {@code size} exist: grows the one array, turns a full one into blocks, or adds a block. */
    private void makeRoom() {
        int capacity = capacity();
        if (size < capacity) {
            return;
        }
        int block = 1 << blockBits;
        if (!(data instanceof Object[])) {
            if (capacity < block) {
                // Short lists grow by doubling, longer ones by an eighth (1.5x growth left a quarter of them unused).
                resizeFlat(Math.min(block, size < 64 ? Math.max(2, size * 2) : size + (size >> 3)));
                return;
            }
            data = data instanceof int[] a ? new int[][] {a} : new long[][] {(long[]) data};
        }
        Object[] blocks = (Object[]) data;
        Object[] grown = Arrays.copyOf(blocks, blocks.length + 1);
        grown[blocks.length] = grown instanceof int[][] ? new int[block] : new long[block];
        data = grown;
    }

    private void resizeFlat(int capacity) {
        data = data instanceof int[] a ? Arrays.copyOf(a, capacity) : Arrays.copyOf((long[]) data, capacity);
    }

    /** Gives back what removals emptied: trailing blocks, blocks that fit one array again, a mostly empty array. */
    private void shrink() {
        int block = 1 << blockBits;
        if (data instanceof Object[] blocks) {
            if (size <= block / 2) {
                long[] rest = snapshot();
                data = blocks instanceof int[][] ? new int[Math.max(2, size * 2)] : new long[Math.max(2, size * 2)];
                for (int i = 0; i < rest.length; i++) {
                    set(i, rest[i]);
                }
            } else {
                int needed = (size + block - 1) >>> blockBits;
                if (needed < blocks.length) {
                    data = Arrays.copyOf(blocks, needed);
                }
            }
        } else if (size > 16 && size < capacity() / 4) {
            resizeFlat(size * 2);
        }
    }

    /** Turns an int list into a long one, for refs beyond an int. */
    private void widen() {
        switch (data) {
            case int[] a -> {
                long[] w = new long[a.length];
                for (int i = 0; i < size; i++) {
                    w[i] = a[i];
                }
                data = w;
            }
            case int[][] blocks -> {
                long[][] w = new long[blocks.length][1 << blockBits];
                int mask = (1 << blockBits) - 1;
                for (int i = 0; i < size; i++) {
                    w[i >>> blockBits][i & mask] = blocks[i >>> blockBits][i & mask];
                }
                data = w;
            }
            default -> {
                // Already longs.
            }
        }
    }

    /** As {@link Arrays#binarySearch}: the index of ref, else -(insertion point) - 1. */
    private int search(long ref) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = at(mid);
            if (v < ref) {
                lo = mid + 1;
            } else if (v > ref) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }
}
