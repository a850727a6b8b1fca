package dev.sightline.promql.anomaly;

/**
 * Millisecond timestamps in slots of an array, stored as 4-byte offsets from an origin while the live ones span
 * less than 2^31 ms (24.8 days) and as longs once they do not: a week of points costs half the memory of longs.
 * The owner says which slots are live ({@code head} and {@code count}, cyclically), so that a timestamp that no
 * longer fits the offsets can move the origin to the oldest live one (rare: once per 24.8 days less the window of a
 * stream that never stops) before the storage widens for good.
 */
final class Times {
    private long origin;
    private int[] off;
    /** The timestamps themselves, once the live ones spanned more than the offsets reach; then off is null. */
    private long[] wide;

    Times(int capacity) {
        off = new int[capacity];
    }

    int capacity() {
        return wide != null ? wide.length : off.length;
    }

    long get(int i) {
        return wide != null ? wide[i] : origin + off[i];
    }

    /** Stores t at slot i; the live slots are {@code count} from {@code head} (cyclically), i not among them. */
    void set(int i, long t, int head, int count) {
        if (wide == null) {
            long d = t - origin;
            if (d == (int) d) {
                off[i] = (int) d;
                return;
            }
            if (count == 0) {
                origin = t;
                off[i] = 0;
                return;
            }
            rebase(get(head), head, count, t);
        }
        if (wide != null) {
            wide[i] = t;
        } else {
            off[i] = (int) (t - origin);
        }
    }

    /** Moves the origin to o, or widens when the live slots and t do not fit offsets from it. */
    private void rebase(long o, int head, int count, long t) {
        int cap = off.length;
        long span = Math.max(t - o, get((head + count - 1) % cap) - o);
        if (span != (int) span) {
            wide = new long[cap];
            for (int k = 0; k < count; k++) {
                int i = (head + k) % cap;
                wide[i] = origin + off[i];
            }
            off = null;
            return;
        }
        int shift = (int) (o - origin);
        for (int k = 0; k < count; k++) {
            off[(head + k) % cap] -= shift;
        }
        origin = o;
    }

    /** The {@code count} live slots from {@code head} (cyclically) at slots [0, count) of a new storage of {@code cap}. */
    Times relayout(int head, int count, int cap) {
        Times r = new Times(0);
        if (wide == null) {
            // The offsets stay valid from the same origin: two array copies (a full read grows the ring often).
            r.origin = origin;
            r.off = new int[cap];
            copyRing(off, head, count, r.off);
            return r;
        }
        int n = capacity();
        long o = count == 0 ? origin : get(head);
        long span = count == 0 ? 0 : get((head + count - 1) % n) - o;
        if (span == (int) span) {
            r.off = new int[cap];
            r.origin = o;
            for (int k = 0; k < count; k++) {
                r.off[k] = (int) (get((head + k) % n) - o);
            }
        } else {
            r.off = null;
            r.wide = new long[cap];
            for (int k = 0; k < count; k++) {
                r.wide[k] = get((head + k) % n);
            }
        }
        return r;
    }

    /** Copies the {@code count} slots of ring {@code a} from {@code head} (cyclically) to {@code out[0, count)}. */
    static void copyRing(Object a, int head, int count, Object out) {
        int n = java.lang.reflect.Array.getLength(a);
        int first = Math.min(count, n - head);
        System.arraycopy(a, head, out, 0, first);
        System.arraycopy(a, 0, out, first, count - first);
    }

    /** Copies slots [from, from + n) to [0, n) (no wrap), as a window compacted to the front. */
    void moveToFront(int from, int n) {
        if (wide != null) {
            System.arraycopy(wide, from, wide, 0, n);
        } else {
            System.arraycopy(off, from, off, 0, n);
        }
    }

    /** Copies the timestamps of slots [from, to) into out at the same indexes. */
    void copyTo(long[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = get(i);
        }
    }
}
