package dev.sightline.promql.anomaly;

/**
 * A contiguous stretch {@code [a, b)} of a {@link PointWindow}'s points (by sequence number) folded into the minimum
 * of its non-zero steps (the resolution floor of {@link Tail}) and, for the robust detectors, a sorted multiset or,
 * for the z-score, its moments (either may be null). The stretch only moves forward ({@link #moveTo}), so each point enters and leaves once: the baseline of
 * the z-scores is one run, the seasonal baseline one per earlier season. Several runs may feed one multiset.
 */
final class Run {
    private final PointWindow w;
    private final SortedValues sorted;
    private final ZScore.Moments moments;
    private final SlidingMin steps = new SlidingMin();
    private long a;
    private long b;

    Run(PointWindow w, SortedValues sorted, ZScore.Moments moments) {
        this.w = w;
        this.sorted = sorted;
        this.moments = moments;
        w.register(this);
        a = b = w.firstSeq();
    }

    long size() {
        return b - a;
    }

    /** Index of the first point in the window's arrays. */
    int fromIndex() {
        return w.index(a);
    }

    int toIndex() {
        return w.index(b);
    }

    /** The smallest non-zero step between successive points of the run; 0 when they never move. */
    double resolution() {
        double q = steps.min();
        return q == Double.POSITIVE_INFINITY ? 0 : q;
    }

    /** Makes the run {@code [na, nb)}: removes what fell off the front, adds what came in at the back. */
    void moveTo(long na, long nb) {
        nb = Math.max(nb, na);
        if (na < a || nb < b) {
            clear();
            a = b = na;
        }
        long cut = Math.min(b, na);
        if (cut > a) {
            remove(w.index(a), w.index(cut));
        }
        long start = Math.max(b, na);
        if (nb > start) {
            add(w.index(start), w.index(nb), na);
        }
        steps.expireBelow(na + 1);
        a = na;
        b = nb;
    }

    /** The window drops its points below sequence {@code seq}. */
    void evictBelow(long seq) {
        if (a < seq) {
            moveTo(seq, Math.max(b, seq));
        }
    }

    void clear() {
        if (b > a && w.size() > 0) {
            remove(w.index(a), w.index(b));
        }
        steps.clear();
        if (moments != null) {
            moments.clear();
        }
        a = b = w.lastSeq() + 1;
    }

    private void remove(int from, int to) {
        if (sorted != null) {
            sorted.removeAll(w.vs, from, to);
        }
        if (moments != null) {
            moments.remove(w.vs, from, to);
        }
    }

    /** Adds the points at indexes [from, to), the run starting at sequence {@code start}. */
    private void add(int from, int to, long start) {
        if (sorted != null) {
            sorted.insertAll(w.vs, from, to);
        }
        if (moments != null) {
            moments.add(w.vs, from, to);
        }
        int first = Math.max(from, w.index(start) + 1);
        steps.pushSteps(w.vs, first, to, w.seq(first));
    }
}
