package dev.sightline.logs.logql;

import java.util.Arrays;

/**
 * The samples of one range-aggregation group: times (unix nanoseconds) and values in parallel growable arrays, sorted
 * by time before evaluation (a group may merge several streams, each time-ordered on its own), and the range
 * functions over a window of them.
 */
final class Samples {
    long[] times = new long[16];
    double[] values = new double[16];
    int size;
    private boolean sorted = true;
    /** prefix[i] = values[0] + ... + values[i-1], built on demand for windowed sums of byte counts. */
    private double[] prefix;

    void add(long t, double v) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        if (size > 0 && t < times[size - 1]) {
            sorted = false;
        }
        times[size] = t;
        values[size++] = v;
    }

    /** Sorts by time, stable (equal times keep their order). */
    void sort() {
        if (sorted) {
            return;
        }
        long[] t2 = new long[size];
        double[] v2 = new double[size];
        mergeSort(times, values, t2, v2, 0, size);
        sorted = true;
    }

    private static void mergeSort(long[] t, double[] v, long[] tt, double[] tv, int from, int to) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(t, v, tt, tv, from, mid);
        mergeSort(t, v, tt, tv, mid, to);
        if (t[mid - 1] <= t[mid]) {
            return;
        }
        System.arraycopy(t, from, tt, from, to - from);
        System.arraycopy(v, from, tv, from, to - from);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            if (tt[j] < tt[i]) {
                t[k] = tt[j];
                v[k++] = tv[j++];
            } else {
                t[k] = tt[i];
                v[k++] = tv[i++];
            }
        }
        while (i < mid) {
            t[k] = tt[i];
            v[k++] = tv[i++];
        }
        while (j < to) {
            t[k] = tt[j];
            v[k++] = tv[j++];
        }
    }

    /** The first index whose time is after {@code t}, searching from {@code from} (windows move forward). */
    int after(long t, int from) {
        int i = from;
        while (i < size && times[i] <= t) {
            i++;
        }
        return i;
    }

    /**
     * The range function over samples {@code [lo, hi)} of the window {@code (end - range, end]}; NaN when the window
     * gives no point (empty).
     */
    double apply(String op, double param, int lo, int hi, long end, long rangeNanos, boolean unwrapped) {
        int n = hi - lo;
        if (n == 0) {
            return Double.NaN;
        }
        double seconds = rangeNanos / 1e9;
        switch (op) {
            case "count_over_time", "absent_over_time": // absent: the caller inverts presence
                return n;
            case "rate":
                return unwrapped ? sum(lo, hi) / seconds : n / seconds;
            case "bytes_over_time":
                return windowSum(lo, hi);
            case "bytes_rate":
                return windowSum(lo, hi) / seconds;
            case "sum_over_time":
                return sum(lo, hi);
            case "avg_over_time":
                return sum(lo, hi) / n;
            case "min_over_time": {
                double m = values[lo];
                for (int i = lo + 1; i < hi; i++) {
                    m = values[i] < m || Double.isNaN(m) ? values[i] : m;
                }
                return m;
            }
            case "max_over_time": {
                double m = values[lo];
                for (int i = lo + 1; i < hi; i++) {
                    m = values[i] > m || Double.isNaN(m) ? values[i] : m;
                }
                return m;
            }
            case "stdvar_over_time":
                return variance(lo, hi);
            case "stddev_over_time":
                return Math.sqrt(variance(lo, hi));
            case "first_over_time":
                return values[lo];
            case "last_over_time":
                return values[hi - 1];
            case "quantile_over_time":
                return quantile(param, lo, hi);
            case "rate_counter":
                return counterRate(lo, hi, end, rangeNanos);
            default:
                throw new LogQlException("not implemented: " + op);
        }
    }

    private double sum(int lo, int hi) {
        double s = 0;
        for (int i = lo; i < hi; i++) {
            s += values[i];
        }
        return s;
    }

    private double windowSum(int lo, int hi) {
        if (prefix == null) {
            prefix = new double[size + 1];
            for (int i = 0; i < size; i++) {
                prefix[i + 1] = prefix[i] + values[i];
            }
        }
        return prefix[hi] - prefix[lo];
    }

    /** Population variance, Welford's running form. */
    private double variance(int lo, int hi) {
        double mean = 0;
        double m2 = 0;
        int count = 0;
        for (int i = lo; i < hi; i++) {
            count++;
            double d = values[i] - mean;
            mean += d / count;
            m2 += d * (values[i] - mean);
        }
        return m2 / count;
    }

    /** Prometheus's quantile: linear interpolation between the closest ranks; below 0 is -Inf, above 1 is +Inf. */
    private double quantile(double q, int lo, int hi) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        double[] s = Arrays.copyOfRange(values, lo, hi);
        Arrays.sort(s);
        double rank = q * (s.length - 1);
        int below = (int) Math.max(0, Math.floor(rank));
        int above = Math.min(s.length - 1, below + 1);
        double weight = rank - Math.floor(rank);
        return s[below] * (1 - weight) + s[above] * weight;
    }

    /**
     * Loki's rate_counter: the values as a counter (resets add the value before the reset), extrapolated to the
     * window's edges as Prometheus's rate() does, per second; 0 with fewer than two samples, as Loki gives.
     */
    private double counterRate(int lo, int hi, long end, long rangeNanos) {
        if (hi - lo < 2) {
            return 0;
        }
        double first = values[lo];
        double last = values[hi - 1];
        double result = last - first;
        for (int i = lo + 1; i < hi; i++) {
            if (values[i] < values[i - 1]) {
                result += values[i - 1];
            }
        }
        double toStart = (times[lo] - (end - rangeNanos)) / 1e9;
        double toEnd = (end - times[hi - 1]) / 1e9;
        double sampled = (times[hi - 1] - times[lo]) / 1e9;
        double averageGap = sampled / (hi - lo - 1);
        if (result > 0 && first >= 0) {
            double toZero = sampled * (first / result);
            toStart = Math.min(toStart, toZero);
        }
        double threshold = averageGap * 1.1;
        double interval = sampled + (toStart < threshold ? toStart : averageGap / 2)
                + (toEnd < threshold ? toEnd : averageGap / 2);
        return result * (interval / sampled) / (rangeNanos / 1e9);
    }
}
