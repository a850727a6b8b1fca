package dev.sightline.promql.anomaly;

import java.util.Arrays;

/**
 * Median and robust standard deviation of a sample collected with {@link #addAll}, in a scratch array reused from
 * call to call. The deviation is the median absolute deviation scaled by 1.4826 (consistent with a normal's sigma);
 * when more than half the points equal the median (MAD 0) it falls back to the mean absolute deviation scaled by
 * sqrt(pi/2), as the modified z-score does, so a mostly flat baseline still has a scale. Qn, Sn and the IQR are no
 * better fallbacks: with more than half the points tied they are 0 as well. Below both lies the floor of
 * {@link Tail}: the sample's resolution, its smallest non-zero step between successive points of a run added.
 */
final class RobustSpread {
    static final double MAD_SCALE = 1.4826;
    static final double MEAN_AD_SCALE = Math.sqrt(Math.PI / 2);

    private double[] buf = new double[64];
    private int n;
    private double median;
    private double sigma;
    private double resolution;
    /** The baseline of a streaming detector, when the last compute was {@link #compute(SortedValues, double)}. */
    private SortedValues sorted;
    private final Tail tail = new Tail();

    void clear() {
        n = 0;
        resolution = Double.POSITIVE_INFINITY;
        sorted = null;
    }

    /** Adds the run vs[from, to) of successive points (their steps give the resolution). */
    void addAll(double[] vs, int from, int to) {
        double q = Tail.smallestStep(vs, from, to);
        if (q > 0) {
            resolution = Math.min(resolution, q);
        }
        int len = to - from;
        if (n + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + len));
        }
        System.arraycopy(vs, from, buf, n, len);
        n += len;
    }

    int size() {
        return n;
    }

    /** Computes median and sigma of the collected points (the points are reordered); NaN among them gives NaN. */
    void compute() {
        median = median(buf, n);
        for (int i = 0; i < n; i++) {
            buf[i] = Math.abs(buf[i] - median);
        }
        double mad = median(buf, n);
        sigma = mad > 0 || Double.isNaN(mad) ? MAD_SCALE * mad : meanAdSigma(CompensatedSum.of(buf, 0, n), n);
    }

    /**
     * {@link #compute()} for a streaming detector's baseline, held sorted, with the resolution its runs found: the
     * same doubles in O(log n), but for the mean absolute deviation (a pass, needed only when the MAD is 0).
     */
    void compute(SortedValues base, double resolution) {
        clear();
        sorted = base;
        n = base.size();
        if (resolution > 0) {
            this.resolution = resolution;
        }
        median = base.median();
        double mad = base.medianDistance(median);
        sigma = mad > 0 ? MAD_SCALE * mad : meanAdSigma(base.distanceSum(median), n);
    }

    private static double meanAdSigma(double distanceSum, int n) {
        return MEAN_AD_SCALE * distanceSum / n;
    }

    /** Judges x against the computed sample (median, sigma, resolution; the deviations left by {@link #compute}). */
    Tail judge(double x) {
        if (sorted != null) {
            tail.judge(x - median, sigma, resolution(), sorted, median);
        } else {
            tail.judge(x - median, sigma, resolution(), buf, 0, n, 0);
        }
        return tail;
    }

    /** The judgement when there is no sample to judge against: NaN. */
    Tail none() {
        return tail.none();
    }

    /** The smallest non-zero step between successive points of the runs added; 0 when none moved. */
    double resolution() {
        return resolution == Double.POSITIVE_INFINITY ? 0 : resolution;
    }

    double median() {
        return median;
    }

    /** The robust sigma floored at the resolution (see {@link Tail#scale}). */
    double sigma() {
        return Tail.scale(sigma, resolution());
    }

    /** Median of a[0, n) by selection (reorders a); NaN if any point is NaN or n is 0. */
    static double median(double[] a, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(a[i])) {
                return Double.NaN;
            }
        }
        int k = n / 2;
        double hi = select(a, n, k);
        if (n % 2 == 1) {
            return hi;
        }
        // After selection every element left of k is <= a[k]: the lower middle is their maximum.
        double lo = a[0];
        for (int i = 1; i < k; i++) {
            lo = Math.max(lo, a[i]);
        }
        return lo + (hi - lo) / 2;
    }

    /** Hoare selection: moves the k-th smallest of a[0, n) to index k, smaller ones before it, and returns it. */
    static double select(double[] a, int n, int k) {
        int lo = 0, hi = n - 1;
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            // Median of three as pivot keeps sorted and reversed input linear.
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[hi] < a[mid]) {
                swap(a, hi, mid);
            }
            double pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i++, j--);
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static void swap(double[] a, int i, int j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
