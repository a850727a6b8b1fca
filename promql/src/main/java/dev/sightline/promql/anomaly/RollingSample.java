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
 * <p>Several statistics of the same points (a decomposition's residuals under each of its models) are columns of one
 * sample ({@link #column}): their times are held once, as 4-byte offsets ({@link Times}), and a NaN in one column
 * is left out of that column only.
 *
 * <p>A value can be held back from the sample for a while after it is added ({@code delayMs}, {@code delayPoints}):
 * a statistic that grows through an episode (a drift's gap, a CUSUM's run) would otherwise be judged against its own
 * previous step, always just beyond the farthest value, and never look rarer than a record.
 */
final class RollingSample {
    private static final double SQRT_PI_OVER_2 = Math.sqrt(Math.PI / 2);
    /** Top values whose excesses fit the exponential tail of {@link Column#upperRankLogP}. */
    static final int TAIL = 10;

    private Times times = new Times(256);
    private int head;
    /** Rows in the ring, oldest at head. */
    private int count;
    /** Rows merged at once through the kept scratch array; more (a column first read after many) use a new one. */
    private static final int SCRATCH = 64;
    /** The values waiting to be merged, sorted. Not grown: a week of them would be kept as long as the state. */
    private final double[] scratch = new double[SCRATCH];
    private final long delayMs;
    private final int delayPoints;
    private final Column[] columns;
    private static final double[] EMPTY = {};

    RollingSample() {
        this(0, 0);
    }

    /** Values join the sample once {@code delayMs} older than and {@code delayPoints} points before the latest. */
    RollingSample(long delayMs, int delayPoints) {
        this(1, delayMs, delayPoints);
    }

    /** A sample of {@code columns} statistics per point, with the delays above. */
    RollingSample(int columns, long delayMs, int delayPoints) {
        this.delayMs = delayMs;
        this.delayPoints = delayPoints;
        this.columns = new Column[columns];
        for (int c = 0; c < columns; c++) {
            this.columns[c] = new Column();
        }
    }

    Column column(int c) {
        return columns[c];
    }

    /** Adds a value to a one-column sample (NaN is ignored). */
    void add(long t, double v) {
        if (Double.isNaN(v)) {
            return;
        }
        int slot = addRow(t);
        columns[0].ring[slot] = v;
        columns[0].added(t);
    }

    /** Adds a row of column values (a NaN is left out of its column; a row of NaN is ignored). */
    void add(long t, double[] row) {
        boolean any = false;
        for (double v : row) {
            any |= !Double.isNaN(v);
        }
        if (!any) {
            return;
        }
        int slot = addRow(t);
        for (int c = 0; c < columns.length; c++) {
            columns[c].ring[slot] = row[c];
        }
        for (int c = 0; c < columns.length; c++) {
            if (!Double.isNaN(row[c])) {
                columns[c].added(t);
            }
        }
    }

    private int addRow(long t) {
        if (count == times.capacity()) {
            relayout(count + count / 2);
        }
        int slot = (head + count) % times.capacity();
        times.set(slot, t, head, count);
        count++;
        return slot;
    }

    private int slot(int i) {
        return (head + i) % times.capacity();
    }

    /** Drops the values with a timestamp {@code <= t}. */
    void evictThrough(long t) {
        while (count > 0 && times.get(head) <= t) {
            removeOldest();
        }
    }

    /** Drops the oldest row. */
    void removeOldest() {
        for (Column c : columns) {
            c.removeOldest(head);
        }
        head = (head + 1) % times.capacity();
        count--;
    }

    void clear() {
        head = 0;
        count = 0;
        for (Column c : columns) {
            c.n = 0;
            c.merged = 0;
            c.matured = 0;
            c.size = 0;
            c.pending = 0;
        }
    }

    /** Time of the i-th oldest row. */
    long time(int i) {
        return times.get(slot(i));
    }

    /** The i-th oldest value of a one-column sample. */
    double value(int i) {
        return columns[0].ring[slot(i)];
    }

    /** Values in a one-column sample (not counting those held back). */
    int size() {
        return columns[0].size;
    }

    double median() {
        return columns[0].median();
    }

    double sigma() {
        return columns[0].sigma();
    }

    double logP(double x, double resolution, boolean upperOnly) {
        return columns[0].logP(x, resolution, upperOnly);
    }

    double upperRankLogP(double x, double tolerance, double minScale) {
        return columns[0].upperRankLogP(x, tolerance, minScale);
    }

    double rankFraction(double v) {
        return columns[0].rankFraction(v);
    }

    /** Shrinks the ring and the sorted copies to the rows held and a 16th more. */
    void trim() {
        int cap = PointWindow.roomFor(count);
        if (times.capacity() > cap) {
            relayout(cap);
        }
    }

    private void relayout(int cap) {
        for (Column c : columns) {
            double[] v = new double[cap];
            Times.copyRing(c.ring, head, count, v);
            c.ring = v;
            // A column not read yet (a full read under way) has no sorted copy to keep: it is made when merged.
            c.sorted = c.n == 0 ? EMPTY : Arrays.copyOf(c.sorted, cap);
        }
        times = times.relayout(head, count, cap);
        head = 0;
    }

    /**
     * One statistic's values: its ring (aligned with the rows; NaN where a row has none) and its sorted copy. Its
     * values mature as those of a one-column sample of them would: on its own additions, counting its own points.
     */
    final class Column {
        private double[] ring = new double[256];
        private double[] sorted = EMPTY;
        /** Values in the sorted copy. */
        private int n;
        /** Rows, from the oldest, whose values (bar NaN) are in the sorted copy: at most {@link #matured}. */
        private int merged;
        /** Rows, from the oldest, in the sample; the rest are held back. */
        private int matured;
        /** Non-NaN values among the matured rows. */
        private int size;
        /** Non-NaN values among the rows held back. */
        private int pending;
        private final Tail tail = new Tail();

        /** Values in the sample (not counting those held back). */
        int size() {
            return size;
        }

        /** Its value in the latest row was not NaN: the values now old enough join the sample. */
        private void added(long t) {
            pending++;
            while (matured < count) {
                double v = ring[slot(matured)];
                if (!Double.isNaN(v)) {
                    if (pending - 1 < delayPoints || t - time(matured) < delayMs) {
                        return;
                    }
                    pending--;
                    size++;
                }
                matured++;
            }
        }

        private void removeOldest(int slot) {
            double v = ring[slot];
            boolean held = !Double.isNaN(v);
            boolean inSample = matured > 0;
            if (inSample) {
                matured--;
            } else if (held) {
                pending--;
            }
            if (merged > 0) {
                merged--;
                if (held) {
                    int at = lowerBound(v);
                    n--;
                    System.arraycopy(sorted, at + 1, sorted, at, n - at);
                }
            }
            if (inSample && held) {
                size--;
            }
        }

        /**
         * Merges the matured values into the sorted copy. Done when the sample is read rather than on every add, so a
         * window replayed to judge only its last point sorts once (O(n log n), in place) instead of inserting n
         * times; a column not read for a while (a model not chosen) is merged in bulk when it is.
         */
        private void merge() {
            if (merged == matured) {
                return;
            }
            int rows = matured - merged;
            if (sorted.length < times.capacity()) {
                sorted = Arrays.copyOf(sorted, times.capacity());
            }
            double[] in = n == 0 ? sorted : rows <= SCRATCH ? scratch : new double[rows];
            int p = 0;
            for (int i = merged; i < matured; i++) {
                double v = ring[slot(i)];
                if (!Double.isNaN(v)) {
                    in[p++] = v;
                }
            }
            merged = matured;
            Arrays.sort(in, 0, p);
            if (in == sorted) {
                n = p;
                return;
            }
            int i = n - 1, j = p - 1;
            for (int k = n + p - 1; j >= 0; k--) {
                sorted[k] = i >= 0 && sorted[i] > in[j] ? sorted[i--] : in[j--];
            }
            n += p;
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
    }
}
