package dev.sightline.promql.anomaly;

import java.util.Arrays;

/**
 * A statistic's values over a trailing time window, kept sorted so that its median is at hand and a new value can be
 * judged against them by {@link Tail} (robust scale, rank and record guards): how the streaming detectors calibrate
 * their statistics on the series' own history instead of trusting a model. A value enters and leaves with its
 * timestamp; the sorted copy is updated by binary search and one array move, O(log n + n) with a small constant,
 * and nothing is allocated once the arrays have grown to the window.
 */
final class RollingSample {
    private static final double SQRT_PI_OVER_2 = Math.sqrt(Math.PI / 2);

    private long[] ringT = new long[256];
    private double[] ringV = new double[256];
    private int head;
    private int count;
    private double[] sorted = new double[256];
    private final Tail tail = new Tail();

    /** Adds a value (NaN is ignored). */
    void add(long t, double v) {
        if (Double.isNaN(v)) {
            return;
        }
        if (count == ringT.length) {
            grow();
        }
        int slot = (head + count) % ringT.length;
        ringT[slot] = t;
        ringV[slot] = v;
        int at = lowerBound(v);
        System.arraycopy(sorted, at, sorted, at + 1, count - at);
        sorted[at] = v;
        count++;
    }

    /** Drops the values with a timestamp {@code <= t}. */
    void evictThrough(long t) {
        while (count > 0 && ringT[head] <= t) {
            removeOldest();
        }
    }

    /** Drops the oldest value. */
    void removeOldest() {
        double v = ringV[head];
        head = (head + 1) % ringT.length;
        int at = lowerBound(v);
        count--;
        System.arraycopy(sorted, at + 1, sorted, at, count - at);
    }

    void clear() {
        head = 0;
        count = 0;
    }

    int size() {
        return count;
    }

    /** Time of the i-th oldest value. */
    long time(int i) {
        return ringT[(head + i) % ringT.length];
    }

    /** The i-th oldest value. */
    double value(int i) {
        return ringV[(head + i) % ringT.length];
    }

    double median() {
        if (count == 0) {
            return Double.NaN;
        }
        int k = count / 2;
        return count % 2 == 1 ? sorted[k] : sorted[k - 1] + (sorted[k] - sorted[k - 1]) / 2;
    }

    /**
     * 1.4826 x the median absolute deviation from the median; the mean absolute deviation x sqrt(pi/2) when more
     * than half the values tie at the median (as {@link RobustSpread}). The k-th smallest distance is found by
     * walking outwards from the median, the distances on each side being sorted already.
     */
    double sigma() {
        if (count == 0) {
            return Double.NaN;
        }
        double m = median();
        int right = lowerBound(m);
        int left = right - 1;
        double d = 0;
        int need = (count + 1) / 2;
        for (int taken = 0; taken < need; taken++) {
            double dl = left >= 0 ? m - sorted[left] : Double.POSITIVE_INFINITY;
            double dr = right < count ? sorted[right] - m : Double.POSITIVE_INFINITY;
            if (dl <= dr) {
                d = dl;
                left--;
            } else {
                d = dr;
                right++;
            }
        }
        if (d > 0) {
            return RobustSpread.MAD_SCALE * d;
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += Math.abs(sorted[i] - m);
        }
        return SQRT_PI_OVER_2 * sum / count;
    }

    /**
     * ln of the tail probability of {@code x} against the values (their median as centre, {@link #sigma} floored at
     * {@code resolution} as scale, with {@link Tail}'s rank and record guards); NaN with fewer than
     * {@link Detector#MIN_HISTORY} values. {@code upperOnly}: only values above the median are unusual (a
     * statistic of surprise, where unusually calm is not news); the two-sided p is then a conservative bound.
     */
    double logP(double x, double resolution, boolean upperOnly) {
        if (count < Detector.MIN_HISTORY || Double.isNaN(x)) {
            return Double.NaN;
        }
        double m = median();
        if (upperOnly && x <= m) {
            return 0;
        }
        tail.judge(x - m, sigma(), resolution, sorted, 0, count, m);
        return tail.logP();
    }

    /** The mid-rank of v among the values as a fraction in [0,1]: (below + equal / 2) / n; NaN when empty. */
    double rankFraction(double v) {
        if (count == 0) {
            return Double.NaN;
        }
        int below = lowerBound(v), atOrBelow = lowerBound(Math.nextUp(v));
        return (below + (atOrBelow - below) / 2.0) / count;
    }

    /** Index of the first sorted value {@code >= v}. */
    private int lowerBound(double v) {
        int lo = 0, hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void grow() {
        int cap = ringT.length * 2;
        long[] t = new long[cap];
        double[] v = new double[cap];
        for (int i = 0; i < count; i++) {
            t[i] = time(i);
            v[i] = value(i);
        }
        ringT = t;
        ringV = v;
        head = 0;
        sorted = Arrays.copyOf(sorted, cap);
    }
}
