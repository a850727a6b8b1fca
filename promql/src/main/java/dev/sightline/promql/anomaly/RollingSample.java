package dev.sightline.promql.anomaly;

import java.util.Arrays;

/**
 * A statistic's values over a trailing time window, kept sorted so that its median is at hand and a new value can be
 * judged against them by {@link Tail} (robust scale, rank and record guards): how the streaming detectors calibrate
 * their statistics on the series' own history instead of trusting a model. A value enters and leaves with its
 * timestamp; the sorted copy is updated by binary search and one array move, O(log n + n) with a small constant
 * (values added between two reads are merged in at once), and nothing is allocated once the arrays have grown to
 * the window.
 *
 * <p>A value can be held back from the sample for a while after it is added ({@code delayMs}, {@code delayPoints}):
 * a statistic that grows through an episode (a drift's gap, a CUSUM's run) would otherwise be judged against its own
 * previous step, always just beyond the farthest value, and never look rarer than a record.
 */
final class RollingSample {
    private static final double SQRT_PI_OVER_2 = Math.sqrt(Math.PI / 2);
    /** Top values whose excesses fit the exponential tail of {@link #upperRankLogP}. */
    static final int TAIL = 10;

    private long[] ringT = new long[256];
    private double[] ringV = new double[256];
    private int head;
    private int count;
    private double[] sorted = new double[256];
    /** Values in the sorted copy: the oldest {@code n} of the ring. */
    private int n;
    /** Values in the sample, the oldest of the ring: the first n sorted, the rest waiting to be merged in. */
    private int matured;
    /** The values waiting to be merged, sorted: grown to the largest merge, emptied by {@link #trim}. */
    private double[] scratch = new double[16];
    private final long delayMs;
    private final int delayPoints;
    private final Tail tail = new Tail();

    RollingSample() {
        this(0, 0);
    }

    /** Values join the sample once {@code delayMs} older than and {@code delayPoints} points before the latest. */
    RollingSample(long delayMs, int delayPoints) {
        this.delayMs = delayMs;
        this.delayPoints = delayPoints;
    }

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
        count++;
        while (matured < count && count - 1 - matured >= delayPoints && t - time(matured) >= delayMs) {
            matured++;
        }
    }

    /**
     * Merges the matured values into the sorted copy. Done when the sample is read rather than on every add, so a
     * window replayed to judge only its last point sorts once (O(n log n)) instead of inserting n times.
     */
    private void merge() {
        int p = matured - n;
        if (p == 0) {
            return;
        }
        if (scratch.length < p) {
            scratch = new double[Math.max(p, scratch.length * 2)];
        }
        for (int i = 0; i < p; i++) {
            scratch[i] = value(n + i);
        }
        Arrays.sort(scratch, 0, p);
        int i = n - 1, j = p - 1;
        for (int k = n + p - 1; j >= 0; k--) {
            sorted[k] = i >= 0 && sorted[i] > scratch[j] ? sorted[i--] : scratch[j--];
        }
        n += p;
    }

    /** Drops the values with a timestamp {@code <= t}. */
    void evictThrough(long t) {
        while (count > 0 && ringT[head] <= t) {
            removeOldest();
        }
    }

    /** Drops the oldest value. */
    void removeOldest() {
        if (n > 0) {
            int at = lowerBound(ringV[head]);
            n--;
            System.arraycopy(sorted, at + 1, sorted, at, n - at);
        }
        if (matured > 0) {
            matured--;
        }
        head = (head + 1) % ringT.length;
        count--;
    }

    void clear() {
        head = 0;
        count = 0;
        n = 0;
        matured = 0;
    }

    /** Values in the sample (not counting those held back). */
    int size() {
        return matured;
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
        merge();
        if (n == 0) {
            return Double.NaN;
        }
        int k = n / 2;
        return n % 2 == 1 ? sorted[k] : sorted[k - 1] + (sorted[k] - sorted[k - 1]) / 2;
    }

    /**
     * 1.4826 x the median absolute deviation from the median; the mean absolute deviation x sqrt(pi/2) when more
     * than half the values tie at the median (as {@link RobustSpread}). The k-th smallest distance is found by
     * walking outwards from the median, the distances on each side being sorted already.
     */
    double sigma() {
        merge();
        if (n == 0) {
            return Double.NaN;
        }
        double m = median();
        int right = lowerBound(m);
        int left = right - 1;
        // The median distance: the k-th smallest (n odd) or the mean of the k-th and the next (n even), k = n/2 + 1
        // ned from 1 for odd n and n/2 for even n.
        double d = 0, previous = 0;
        int need = n / 2 + 1;
        for (int taken = 0; taken < need; taken++) {
            previous = d;
            double dl = left >= 0 ? m - sorted[left] : Double.POSITIVE_INFINITY;
            double dr = right < n ? sorted[right] - m : Double.POSITIVE_INFINITY;
            if (dl <= dr) {
                d = dl;
                left--;
            } else {
                d = dr;
                right++;
            }
        }
        if (n % 2 == 0) {
            d = previous + (d - previous) / 2;
        }
        if (d > 0) {
            return RobustSpread.MAD_SCALE * d;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.abs(sorted[i] - m);
        }
        return SQRT_PI_OVER_2 * sum / n;
    }

    /**
     * ln of the tail probability of {@code x} against the values (their median as centre, {@link #sigma} floored at
     * {@code resolution} as scale, with {@link Tail}'s rank and record guards, x's distance less half a resolution); NaN with fewer than
     * {@link Detector#MIN_HISTORY} values. {@code upperOnly}: only values above the median are unusual (a
     * statistic of surprise, where unusually calm is not news); the two-sided p is then a conservative bound.
     */
    double logP(double x, double resolution, boolean upperOnly) {
        merge();
        if (n < Detector.MIN_HISTORY || Double.isNaN(x)) {
            return Double.NaN;
        }
        double m = median();
        if (upperOnly && x <= m) {
            return 0;
        }
        // Distances within half the series' step of each other are ties: on a counter, a blip's residual moves with
        // the model's level by fractions of the step, and those fractions must not make one blip rarer than another.
        double a = Math.max(0, Math.abs(x - m) - resolution / 2);
        tail.judge(Math.copySign(a, x - m), sigma(), resolution, sorted, 0, n, m);
        return tail.logP();
    }

    /**
     * ln of the upper rank p-value of {@code x} among the values, {@code (k + 1) / (n + 1)} with k values
     * {@code >= x - tolerance} (values within the tolerance below x tie with it): at least uniform when x and the
     * values are exchangeable, whatever their distribution. More than the tolerance above every value (a record, p =
     * 1 / (n + 1)) the tail falls off exponentially, with the mean excess of the top {@link #TAIL} values over the
     * next as scale (the exponential's maximum-likelihood fit to the upper tail), at least {@code minScale}, so
     * records keep their order without leaving log space. NaN with fewer than {@link Detector#MIN_HISTORY} values.
     */
    double upperRankLogP(double x, double tolerance, double minScale) {
        merge();
        if (n < Detector.MIN_HISTORY || Double.isNaN(x)) {
            return Double.NaN;
        }
        double at = x - tolerance;
        int k = n - lowerBound(at);
        double n1 = n + 1;
        if (k > 0) {
            return Math.log((k + 1) / n1);
        }
        int m = Math.min(TAIL, n - 1);
        double base = sorted[n - 1 - m], excess = 0;
        for (int i = n - m; i < n; i++) {
            excess += sorted[i] - base;
        }
        return -Math.log(n1) - (at - sorted[n - 1]) / Math.max(minScale, excess / m);
    }

    /** The mid-rank of v among the values as a fraction in [0,1]: (below + equal / 2) / n; NaN when empty. */
    double rankFraction(double v) {
        merge();
        if (n == 0) {
            return Double.NaN;
        }
        int below = lowerBound(v), atOrBelow = lowerBound(Math.nextUp(v));
        return (below + (atOrBelow - below) / 2.0) / n;
    }

    /** Index of the first sorted value {@code >= v}. */
    private int lowerBound(double v) {
        int lo = 0, hi = n;
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
        relayout(ringT.length + ringT.length / 2);
    }

    /** Shrinks the ring and the sorted copy to the values held and a 16th more; drops the merge's scratch. */
    void trim() {
        int cap = PointWindow.roomFor(count);
        if (ringT.length > cap) {
            relayout(cap);
        }
        scratch = new double[16];
    }

    private void relayout(int cap) {
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
