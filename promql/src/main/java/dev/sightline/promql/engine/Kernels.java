package dev.sightline.promql.engine;

import java.util.Arrays;

/**
 * Pure numeric kernels of PromQL functions over primitive arrays: points {@code [from, to)} of {@code t}/{@code v}.
 * They follow Prometheus's definitions (promql/functions.go, quantile.go), including its compensated (Kahan-Neumaier)
 * sums, so results agree to the last bits in the cases the acceptance tests check.
 */
public final class Kernels {
    private Kernels() {
    }

    /** Neumaier's improved Kahan step: returns the new sum; the new compensation is left in {@code c[0]}. */
    public static double kahanInc(double inc, double sum, double[] c) {
        double t = sum + inc;
        c[0] = kahanC(inc, sum, t, c[0]);
        return t;
    }

    /** The compensation {@code c} after the Neumaier step {@code t = sum + inc}, for loops that keep it in a local. */
    static double kahanC(double inc, double sum, double t, double c) {
        if (Double.isInfinite(t)) {
            return 0;
        }
        return c + (Math.abs(sum) >= Math.abs(inc) ? (sum - t) + inc : (inc - t) + sum);
    }

    /**
     * Prometheus 3's extrapolated rate/increase/delta over float points in the left-open range
     * (rangeStart, rangeEnd]. Returns NaN-free result or {@code Double.NaN} sentinel via {@code ok[0]=false} when
     * fewer than two points exist.
     */
    public static double extrapolatedDelta(long[] t, double[] v, int from, int to, long rangeStart, long rangeEnd,
                                           boolean isCounter, boolean isRate, boolean[] ok) {
        return extrapolatedDelta(t, v, null, from, to, rangeStart, rangeEnd, isCounter, isCounter, isRate, ok);
    }

    /**
     * As above, with the points' start timestamps ({@code st}, null when none); {@code mayReset} false says no value
     * in the range drops and no start shows a reset, which skips the scan for resets. For a counter the starts show
     * resets that the values hide, and a first point whose start lies inside the range marks where the counter was
     * 0: the increase is then counted from there instead of extrapolated towards the range start, which also gives a
     * single point a result.
     */
    static double extrapolatedDelta(long[] t, double[] v, long[] st, int from, int to, long rangeStart, long rangeEnd,
                                    boolean isCounter, boolean mayReset, boolean isRate, boolean[] ok) {
        int n = to - from;
        long zeroAt = isCounter && st != null && n > 0 ? zeroPoint(st[from], t[from], rangeStart) : 0;
        if (n < 2 && zeroAt == 0) {
            ok[0] = false;
            return 0;
        }
        ok[0] = true;
        double result = v[to - 1] - v[from];
        if (isCounter && mayReset) {
            for (int i = from + 1; i < to; i++) {
                if (v[i] < v[i - 1] || (st != null && startTimestampReset(st[i - 1], t[i - 1], st[i], t[i]))) {
                    result += v[i - 1];
                }
            }
        }
        if (zeroAt != 0) {
            result += v[from];
        }
        return result * extrapolationFactor(t[from], t[to - 1], n - 1, rangeStart, rangeEnd, isRate, result,
                isCounter && result > 0 && v[from] >= 0 ? v[from] : Double.NaN, zeroAt);
    }

    /**
     * Scales a raw difference over [firstT, lastT] to the range boundaries as Prometheus does. {@code firstValue}
     * is the first counter value when the zero point may bound the extrapolation, else NaN. {@code zeroAt} non-zero
     * (see {@link #zeroPoint}) replaces extrapolation towards the start: the counter is taken to be 0 at that time.
     * Extrapolation towards the end still uses the average spacing of the points, so a single point is not
     * extrapolated at all.
     */
    static double extrapolationFactor(long firstT, long lastT, int numSamplesMinusOne, long rangeStart,
                                      long rangeEnd, boolean isRate, double result, double firstValue, long zeroAt) {
        double durationToStart = (firstT - rangeStart) / 1000.0;
        double durationToEnd = (rangeEnd - lastT) / 1000.0;
        double sampledInterval = (lastT - firstT) / 1000.0;
        double avg = numSamplesMinusOne > 0 ? sampledInterval / numSamplesMinusOne : 0;
        double threshold = avg * 1.1;
        if (zeroAt != 0) {
            durationToStart = 0;
            sampledInterval = (lastT - zeroAt) / 1000.0;
        } else {
            if (durationToStart >= threshold) {
                durationToStart = avg / 2;
            }
            if (!Double.isNaN(firstValue)) {
                double durationToZero = sampledInterval * (firstValue / result);
                if (durationToZero < durationToStart) {
                    durationToStart = durationToZero;
                }
            }
        }
        if (durationToEnd >= threshold) {
            durationToEnd = avg / 2;
        }
        double factor = sampledInterval == 0 ? 1 : (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate) {
            factor /= (rangeEnd - rangeStart) / 1000.0;
        }
        return factor;
    }

    /**
     * The start timestamp of a range's first point when it says where the counter was 0 inside the range (after the
     * left-open start, before the point), else 0.
     */
    static long zeroPoint(long firstSt, long firstT, long rangeStart) {
        return firstSt != 0 && firstSt > rangeStart && firstSt < firstT ? firstSt : 0;
    }

    /**
     * Whether a point's start timestamp shows a counter reset since the previous point, by Prometheus's rules: none
     * when the start is unknown (0), after the point (invalid) or equal to it (OpenTelemetry's "unknown start"), or
     * before the previous point (the same counter still counting); a reset when it lies after the previous point.
     * A start equal to the previous point's time is a delta sample (a reset) unless the previous start was unknown,
     * which is how a cumulative series with an unknown start continues.
     */
    static boolean startTimestampReset(long prevSt, long prevT, long currSt, long currT) {
        if (currSt == 0 || currSt >= currT || currSt < prevT) {
            return false;
        }
        return currSt > prevT || (prevSt != 0 && prevSt < prevT);
    }

    /**
     * Whether a point's start overlaps the previous point in a way neither a delta (start = previous time) nor a
     * cumulative series (same start) explains: a data quality problem PromQL warns about.
     */
    static boolean startTimeOverlap(long prevSt, long prevT, long currSt) {
        return currSt != 0 && currSt < prevT && currSt != prevSt;
    }

    /** Least-squares slope and intercept (at {@code interceptTime}) with compensated sums; {@code out = {slope, intercept}}. */
    public static void linearRegression(long[] t, double[] v, int from, int to, long interceptTime, double[] out) {
        double n = 0;
        double sumX = 0, sumY = 0, sumXY = 0, sumX2 = 0;
        double[] cX = {0}, cY = {0}, cXY = {0}, cX2 = {0};
        double initY = v[from];
        boolean constY = true;
        for (int i = from; i < to; i++) {
            if (constY && i > from && v[i] != initY) {
                constY = false;
            }
            n += 1;
            double x = (t[i] - interceptTime) / 1e3;
            sumX = kahanInc(x, sumX, cX);
            sumY = kahanInc(v[i], sumY, cY);
            sumXY = kahanInc(x * v[i], sumXY, cXY);
            sumX2 = kahanInc(x * x, sumX2, cX2);
        }
        if (constY) {
            if (Double.isInfinite(initY)) {
                out[0] = Double.NaN;
                out[1] = Double.NaN;
            } else {
                out[0] = 0;
                out[1] = initY;
            }
            return;
        }
        sumX += cX[0];
        sumY += cY[0];
        sumXY += cXY[0];
        sumX2 += cX2[0];
        double covXY = sumXY - sumX * sumY / n;
        double varX = sumX2 - sumX * sumX / n;
        double slope = covXY / varX;
        out[0] = slope;
        out[1] = sumY / n - slope * sumX / n;
    }

    public static double sum(double[] v, int from, int to) {
        double s = 0;
        double c = 0;
        for (int i = from; i < to; i++) {
            double t = s + v[i];
            c = kahanC(v[i], s, t, c);
            s = t;
        }
        return Double.isInfinite(s) ? s : s + c;
    }

    /** avg_over_time: compensated sum, switching to an incremental mean if the sum overflows. */
    public static double avg(double[] v, int from, int to) {
        // The compensated sum without the overflow checks: a finite total means no partial sum overflowed (an
        // infinite one stays infinite or turns NaN), so the checks would have changed nothing. Most of the range
        // function's time (JFR: 44% of max by (job) (avg_over_time(...)) went to the checked loop, about twice as slow.
        return avgFrom(v, from, from + 1, to, v[from], 0);
    }

    /**
     * {@link #avg} of the windows {@code v[from[j], to[j])} into {@code out[j]}, lo <= j < hi; an empty window's slot
     * is left alone. Four windows are summed in one loop as far as the shortest of them goes and the rest of each alone: one
     * window's compensated sum is a chain of dependent additions, and four chains at once keep the core busy where
     * one waits for each addition (the overlapping windows of a range query's steps are read from cache anyway). Each
     * window sees the same operations in the same order as {@link #avg}, so the results are the same bit for bit.
     */
    static void avgs(double[] v, int[] from, int[] to, int lo, int hi, double[] out) {
        int j = lo;
        for (; j + 4 <= hi; j += 4) {
            int a0 = from[j], a1 = from[j + 1], a2 = from[j + 2], a3 = from[j + 3];
            int common = Math.min(Math.min(to[j] - a0, to[j + 1] - a1), Math.min(to[j + 2] - a2, to[j + 3] - a3));
            if (common < 1) {
                for (int q = j; q < j + 4; q++) {
                    if (to[q] > from[q]) {
                        out[q] = avg(v, from[q], to[q]);
                    }
                }
                continue;
            }
            double s0 = v[a0], s1 = v[a1], s2 = v[a2], s3 = v[a3];
            double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
            for (int i = 1; i < common; i++) {
                double x0 = v[a0 + i], x1 = v[a1 + i], x2 = v[a2 + i], x3 = v[a3 + i];
                double t0 = s0 + x0, t1 = s1 + x1, t2 = s2 + x2, t3 = s3 + x3;
                c0 += Math.abs(s0) >= Math.abs(x0) ? (s0 - t0) + x0 : (x0 - t0) + s0;
                c1 += Math.abs(s1) >= Math.abs(x1) ? (s1 - t1) + x1 : (x1 - t1) + s1;
                c2 += Math.abs(s2) >= Math.abs(x2) ? (s2 - t2) + x2 : (x2 - t2) + s2;
                c3 += Math.abs(s3) >= Math.abs(x3) ? (s3 - t3) + x3 : (x3 - t3) + s3;
                s0 = t0;
                s1 = t1;
                s2 = t2;
                s3 = t3;
            }
            out[j] = avgFrom(v, a0, a0 + common, to[j], s0, c0);
            out[j + 1] = avgFrom(v, a1, a1 + common, to[j + 1], s1, c1);
            out[j + 2] = avgFrom(v, a2, a2 + common, to[j + 2], s2, c2);
            out[j + 3] = avgFrom(v, a3, a3 + common, to[j + 3], s3, c3);
        }
        for (; j < hi; j++) {
            if (to[j] > from[j]) {
                out[j] = avg(v, from[j], to[j]);
            }
        }
    }

    /** {@link #avg} of {@code v[from, to)} carried on from the sum and compensation of {@code v[from, next)}. */
    private static double avgFrom(double[] v, int from, int next, int to, double sum, double c) {
        for (int i = next; i < to; i++) {
            double x = v[i];
            double t = sum + x;
            c += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }
        if (Double.isFinite(sum)) {
            double count = to - from;
            return sum / count + c / count;
        }
        return avgChecked(v, from, to);
    }

    /** avg for windows whose plain sum overflows or holds NaN or an infinity: Prometheus's loop step by step. */
    static double avgChecked(double[] v, int from, int to) {
        double sum = v[from];
        double count = 1;
        double mean = 0;
        double c = 0;
        boolean incremental = false;
        for (int i = from + 1; i < to; i++) {
            count = i - from + 1;
            if (!incremental) {
                double newSum = sum + v[i];
                if (!Double.isInfinite(newSum)) {
                    c = kahanC(v[i], sum, newSum, c);
                    sum = newSum;
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1);
                c /= (count - 1);
            }
            double q = (count - 1) / count;
            c = q * c;
            double inc = v[i] / count;
            double base = q * mean;
            mean = base + inc;
            c = kahanC(inc, base, mean, c);
        }
        if (incremental) {
            return mean + c;
        }
        return sum / count + c / count;
    }

    /** Population variance with Welford's method and compensated sums (stdvar_over_time). */
    public static double variance(double[] v, int from, int to) {
        double count = 0;
        double mean = 0;
        double aux = 0;
        double cMean = 0;
        double cAux = 0;
        for (int i = from; i < to; i++) {
            count++;
            double delta = v[i] - (mean + cMean);
            double inc = delta / count;
            double t = mean + inc;
            cMean = kahanC(inc, mean, t, cMean);
            mean = t;
            inc = delta * (v[i] - (mean + cMean));
            t = aux + inc;
            cAux = kahanC(inc, aux, t, cAux);
            aux = t;
        }
        return (aux + cAux) / count;
    }

    public static double min(double[] v, int from, int to) {
        double m = v[from];
        for (int i = from + 1; i < to; i++) {
            if (v[i] < m || Double.isNaN(m)) {
                m = v[i];
            }
        }
        return m;
    }

    public static double max(double[] v, int from, int to) {
        double m = v[from];
        for (int i = from + 1; i < to; i++) {
            if (v[i] > m || Double.isNaN(m)) {
                m = v[i];
            }
        }
        return m;
    }

    /** Sorts ascending with NaN first, as Prometheus's vectorByValueHeap orders values. */
    public static void sortNaNFirst(double[] a, int n) {
        Arrays.sort(a, 0, n);
        int nan = 0;
        for (int i = n - 1; i >= 0 && Double.isNaN(a[i]); i--) {
            nan++;
        }
        if (nan > 0) {
            System.arraycopy(a, 0, a, nan, n - nan);
            Arrays.fill(a, 0, nan, Double.NaN);
        }
    }

    /** Prometheus's quantile with linear interpolation between closest ranks; sorts {@code values[0, n)} in place. */
    public static double quantile(double q, double[] values, int n) {
        if (n == 0 || Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        sortNaNFirst(values, n);
        double rank = q * (n - 1);
        int lower = (int) Math.max(0, Math.floor(rank));
        int upper = Math.min(n - 1, lower + 1);
        double weight = rank - Math.floor(rank);
        return values[lower] * (1 - weight) + values[upper] * weight;
    }

    /** Median absolute deviation of {@code v[from, to)}; sorts a copy in {@code scratch} (length at least to - from). */
    public static double mad(double[] v, int from, int to, double[] scratch) {
        int n = to - from;
        double[] a = scratch;
        System.arraycopy(v, from, a, 0, n);
        double median = quantile(0.5, a, n);
        for (int i = 0; i < n; i++) {
            a[i] = Math.abs(v[from + i] - median);
        }
        return quantile(0.5, a, n);
    }

    public static int changes(double[] v, int from, int to) {
        int c = 0;
        for (int i = from + 1; i < to; i++) {
            if (v[i] != v[i - 1] && !(Double.isNaN(v[i]) && Double.isNaN(v[i - 1]))) {
                c++;
            }
        }
        return c;
    }

    public static int resets(double[] v, int from, int to) {
        return resets(null, v, null, from, to);
    }

    /** resets() counting the resets start timestamps show too ({@code st} null: none; then {@code t} is unused). */
    static int resets(long[] t, double[] v, long[] st, int from, int to) {
        int c = 0;
        for (int i = from + 1; i < to; i++) {
            if (v[i] < v[i - 1] || (st != null && startTimestampReset(st[i - 1], t[i - 1], st[i], t[i]))) {
                c++;
            }
        }
        return c;
    }

    /** Holt's double exponential smoothing; NaN when fewer than two points. */
    public static double doubleExponentialSmoothing(double[] v, int from, int to, double sf, double tf) {
        int l = to - from;
        if (l < 2) {
            return Double.NaN;
        }
        double s0 = 0;
        double s1 = v[from];
        double b = v[from + 1] - v[from];
        for (int i = 1; i < l; i++) {
            double x = sf * v[from + i];
            if (i > 1) {
                b = tf * (s1 - s0) + (1 - tf) * b;
            }
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        return s1;
    }

    /** Prometheus's round: half up towards +Inf, to a multiple of {@code toNearest}. */
    public static double round(double v, double toNearest) {
        double inv = 1.0 / toNearest;
        return Math.floor(v * inv + 0.5) / inv;
    }

    /** Classic-histogram quantile over cumulative buckets; see {@link #bucketQuantile}. */
    public record BucketResult(double value, boolean forcedMonotonic, boolean fixedPrecision) {
    }

    /**
     * histogram_quantile over classic buckets: {@code upper[i]}/{@code count[i]} (cumulative), any order. Sorts,
     * merges equal bounds, removes decreases (reporting them) and numerically insignificant differences, then
     * interpolates linearly inside the bucket holding the rank.
     */
    public static BucketResult bucketQuantile(double q, double[] upper, double[] count, int n) {
        if (Double.isNaN(q)) {
            return new BucketResult(Double.NaN, false, false);
        }
        if (q < 0) {
            return new BucketResult(Double.NEGATIVE_INFINITY, false, false);
        }
        if (q > 1) {
            return new BucketResult(Double.POSITIVE_INFINITY, false, false);
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(upper[a], upper[b]));
        double[] ub = new double[n];
        double[] cnt = new double[n];
        int m = 0;
        for (int k = 0; k < n; k++) {
            int i = idx[k];
            if (m > 0 && ub[m - 1] == upper[i]) {
                cnt[m - 1] += count[i];
            } else {
                ub[m] = upper[i];
                cnt[m++] = count[i];
            }
        }
        if (m == 0 || ub[m - 1] != Double.POSITIVE_INFINITY) {
            return new BucketResult(Double.NaN, false, false);
        }
        boolean forced = false;
        boolean fixed = false;
        double prev = cnt[0];
        for (int i = 1; i < m; i++) {
            double curr = cnt[i];
            if (curr == prev) {
                continue;
            }
            if (almostEqual(prev, curr, 1e-12)) {
                cnt[i] = prev;
                fixed = true;
                continue;
            }
            if (curr < prev) {
                cnt[i] = prev;
                forced = true;
                continue;
            }
            prev = curr;
        }
        if (m < 2) {
            return new BucketResult(Double.NaN, forced, fixed);
        }
        double observations = cnt[m - 1];
        if (observations == 0) {
            return new BucketResult(Double.NaN, forced, fixed);
        }
        double rank = q * observations;
        int b = 0;
        while (b < m - 1 && !(cnt[b] >= rank)) {
            b++;
        }
        if (b == m - 1) {
            return new BucketResult(ub[m - 2], forced, fixed);
        }
        if (b == 0 && ub[0] <= 0) {
            return new BucketResult(ub[0], forced, fixed);
        }
        double bucketStart = 0;
        double bucketEnd = ub[b];
        double c = cnt[b];
        if (b > 0) {
            bucketStart = ub[b - 1];
            c -= cnt[b - 1];
            rank -= cnt[b - 1];
        }
        return new BucketResult(bucketStart + (bucketEnd - bucketStart) * (rank / c), forced, fixed);
    }

    /** Prometheus's util/almost.Equal: relative tolerance, with special cases for zero and NaN. */
    public static boolean almostEqual(double a, double b, double epsilon) {
        final double minNormal = Double.MIN_NORMAL;
        if (Double.isNaN(a) && Double.isNaN(b)) {
            return true;
        }
        if (a == b) {
            return true;
        }
        double absSum = Math.abs(a) + Math.abs(b);
        double diff = Math.abs(a - b);
        if (a == 0 || b == 0 || absSum < minNormal) {
            return diff < epsilon * minNormal;
        }
        return diff / Math.min(absSum, Double.MAX_VALUE) < epsilon;
    }
}
