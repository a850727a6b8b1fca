package dev.sightline.promql.engine;

/**
 * Which of a group's values topk, bottomk and limitk keep, and in which order they come out, decided exactly as
 * Prometheus does, so that among equal values the same series win (the differential peer is Prometheus 2.42).
 *
 * <p>topk/bottomk (2.42): the group's first value starts a binary heap whose root is the worst kept value (NaN
 * counts as worst). A later value enters when the heap holds fewer than k, or when the root is worse than it or
 * NaN; a full heap first drops its root (root swapped with the last entry and sifted down), except for k = 1,
 * where the newcomer just replaces the root. So on equal values the earlier series stays, and a NaN root gives
 * way even to another NaN. The kept values are then ordered best first by Go's {@code sort.Sort} (pdqsort, not
 * stable), whose exact moves decide the order of ties; that order is the next aggregation's input order.
 *
 * <p>limitk (3.x, unknown to 2.42): the first k values in input order, each pushed onto a topk-ordered heap,
 * output in heap array order.
 *
 * <p>Positions are indexes into the caller's value array (the group's values in input order). Nothing is
 * allocated: the caller passes the work array, of at least {@code n} entries.
 */
final class KSelection {
    private KSelection() {
    }

    /**
     * Keeps the k best of {@code v[0, n)} (topk when {@code top}, else bottomk) and writes their positions to
     * {@code out[0, kept)}, best first; returns kept.
     */
    static int select(double[] v, int n, long k, boolean top, int[] out) {
        if (n == 0 || k < 1) {
            return 0;
        }
        out[0] = 0;
        int size = 1;
        for (int x = 1; x < n; x++) {
            if (size < k || worse(v, out[0], x, top)) {
                if (size == k) {
                    if (k == 1) {
                        out[0] = x;
                        continue;
                    }
                    size--;
                    swap(out, 0, size);
                    down(v, out, size, top);
                }
                out[size] = x;
                up(v, out, size, top);
                size++;
            }
        }
        if (size > 1) {
            GoSort.sort(v, out, size, top);
        }
        return size;
    }

    /** limitk: the first min(n, k) positions, in the order a topk heap holds them after pushing each in turn. */
    static int limit(double[] v, int n, long k, int[] out) {
        int size = (int) Math.min(n, Math.max(k, 0));
        for (int x = 0; x < size; x++) {
            out[x] = x;
            up(v, out, x, true);
        }
        return size;
    }

    /** Heap order: whether {@code v[a]} is worse than {@code v[b]} (nearer the root). NaN is worse than anything. */
    static boolean worse(double[] v, int a, int b, boolean top) {
        double x = v[a];
        if (x != x) {
            return true;
        }
        return top ? x < v[b] : x > v[b];
    }

    private static void up(double[] v, int[] h, int j, boolean top) {
        while (j > 0) {
            int parent = (j - 1) / 2;
            if (!worse(v, h[j], h[parent], top)) {
                break;
            }
            swap(h, parent, j);
            j = parent;
        }
    }

    private static void down(double[] v, int[] h, int n, boolean top) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && worse(v, h[child + 1], h[child], top)) {
                child++;
            }
            if (!worse(v, h[child], h[i], top)) {
                break;
            }
            swap(h, i, child);
            i = child;
        }
    }

    static void swap(int[] h, int i, int j) {
        int t = h[i];
        h[i] = h[j];
        h[j] = t;
    }
}
