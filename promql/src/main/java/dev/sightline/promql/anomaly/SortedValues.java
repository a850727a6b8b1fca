package dev.sightline.promql.anomaly;

import java.util.Arrays;

/**
 * A multiset of finite values kept sorted in one primitive array: insertion and removal by binary search and an
 * array move (a few microseconds for a week of minutely points), runs of many values merged in O(n + m log m).
 * It answers what the robust detectors ask of their baseline without a pass over it: the median, the k-th smallest
 * distance from a centre (so the median absolute deviation) and how many values lie at least a given distance
 * from a centre (the rank guard of {@link Tail}), each with the very arithmetic the window form uses
 * ({@code |v - c|}), so the answers are the same doubles. -0.0 is stored as 0.0 (the window's comparisons do not
 * tell them apart either).
 */
final class SortedValues {
    /** Runs longer than this are merged in bulk instead of moved into place one by one. */
    private static final int BULK = 16;

    private double[] a = new double[16];
    private int n;
    private final CompensatedSum sum = new CompensatedSum();

    int size() {
        return n;
    }

    void clear() {
        n = 0;
    }

    /** Shrinks the array to the values held and a 16th more. */
    void trim() {
        int cap = PointWindow.roomFor(n);
        if (a.length > cap) {
            a = Arrays.copyOf(a, cap);
        }
    }

    void insert(double v) {
        v += 0.0;
        if (n == a.length) {
            a = Arrays.copyOf(a, n + n / 2);
        }
        int i = lowerBound(v);
        System.arraycopy(a, i, a, i + 1, n - i);
        a[i] = v;
        n++;
    }

    /** Removes one occurrence of v, which must be held. */
    void remove(double v) {
        v += 0.0;
        int i = lowerBound(v);
        if (i == n || a[i] != v) {
            throw new IllegalStateException("value " + v + " is not held");
        }
        System.arraycopy(a, i + 1, a, i, n - i - 1);
        n--;
    }

    /** Inserts the finite values of vs[from, to). */
    void insertAll(double[] vs, int from, int to) {
        if (to - from <= BULK) {
            for (int i = from; i < to; i++) {
                if (Double.isFinite(vs[i])) {
                    insert(vs[i]);
                }
            }
            return;
        }
        double[] scratch = finiteSorted(vs, from, to);
        int m = scratch.length;
        if (n + m > a.length) {
            a = Arrays.copyOf(a, n + m + (n + m) / 4);
        }
        // Merge from the back so nothing is overwritten before it is read.
        int i = n - 1, j = m - 1, k = n + m - 1;
        while (j >= 0) {
            a[k--] = i >= 0 && a[i] > scratch[j] ? a[i--] : scratch[j--];
        }
        n += m;
    }

    /** Removes the finite values of vs[from, to), which must be held. */
    void removeAll(double[] vs, int from, int to) {
        if (to - from <= BULK) {
            for (int i = from; i < to; i++) {
                if (Double.isFinite(vs[i])) {
                    remove(vs[i]);
                }
            }
            return;
        }
        double[] scratch = finiteSorted(vs, from, to);
        int m = scratch.length;
        int k = 0, j = 0;
        for (int i = 0; i < n; i++) {
            if (j < m && a[i] == scratch[j]) {
                j++;
            } else {
                a[k++] = a[i];
            }
        }
        if (j < m) {
            throw new IllegalStateException("value " + scratch[j] + " is not held");
        }
        n = k;
    }

    /**
     * The finite values of vs[from, to), sorted, in a new array: bulk runs come with full reads only, and a scratch
     * array kept for them would cost as much memory as the multiset itself.
     */
    private static double[] finiteSorted(double[] vs, int from, int to) {
        int m = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(vs[i])) {
                m++;
            }
        }
        double[] out = new double[m];
        m = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(vs[i])) {
                out[m++] = vs[i] + 0.0;
            }
        }
        Arrays.sort(out);
        return out;
    }

    /** The median as {@link RobustSpread#median} computes it; NaN when empty. */
    double median() {
        if (n == 0) {
            return Double.NaN;
        }
        double hi = a[n / 2];
        if (n % 2 == 1) {
            return hi;
        }
        double lo = a[n / 2 - 1];
        return lo + (hi - lo) / 2;
    }

    /** The median of the distances |v - c|, as {@link RobustSpread#median} of those distances computes it. */
    double medianDistance(double c) {
        if (n == 0) {
            return Double.NaN;
        }
        int split = lowerBound(c);
        double hi = kthDistance(c, split, n / 2);
        if (n % 2 == 1) {
            return hi;
        }
        double lo = kthDistance(c, split, n / 2 - 1);
        return lo + (hi - lo) / 2;
    }

    /**
     * The k-th smallest (from 0) of the distances from c: the merge of two ascending sequences, c - a[split - 1 - i]
     * to the left of c and a[split + j] - c to its right, found by bisecting how many come from the left.
     */
    private double kthDistance(double c, int split, int k) {
        int left = split, right = n - split;
        int lo = Math.max(0, k + 1 - right), hi = Math.min(k + 1, left);
        while (true) {
            int i = (lo + hi) >>> 1; // taken from the left among the k + 1 smallest
            int j = k + 1 - i;
            if (i < left && j > 0 && a[split + j - 1] - c > c - a[split - 1 - i]) {
                lo = i + 1;
            } else if (i > 0 && j < right && c - a[split - i] > a[split + j] - c) {
                hi = i - 1;
            } else {
                double l = i > 0 ? c - a[split - i] : Double.NEGATIVE_INFINITY;
                double r = j > 0 ? a[split + j - 1] - c : Double.NEGATIVE_INFINITY;
                return Math.max(l, r);
            }
        }
    }

    /** The compensated sum of |v - c| (for the mean absolute deviation, needed only when the MAD is 0). */
    double distanceSum(double c) {
        sum.clear();
        for (int i = 0; i < n; i++) {
            sum.add(Math.abs(a[i] - c));
        }
        return sum.value();
    }

    /** How many values lie at distance {@code |v - c| >= d} from c (d > 0). */
    int countAtLeast(double c, double d) {
        int split = lowerBound(c);
        // Right of c, v - c grows with v: the first index far enough.
        int lo = split, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] - c >= d) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        int count = n - lo;
        // Left of c, c - v shrinks as v grows: the first index no longer far enough.
        lo = 0;
        hi = split;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (c - a[mid] >= d) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return count + lo;
    }

    /** The largest distance |v - c|; 0 when empty. */
    double farthest(double c) {
        return n == 0 ? 0 : Math.max(Math.abs(a[0] - c), Math.abs(a[n - 1] - c));
    }

    /** The first index whose value is >= v. */
    private int lowerBound(double v) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
