package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.PositionRange;

/** Applies one range-vector function to the window of one series at one step, appending to the output series. */
final class RangeKernels implements WindowKernel {
    /** Where this kernel's warnings go: the query's, or a helper thread's own until it is merged. */
    private final Annotations annos;
    private final String name;
    private final PositionRange argPos;
    private final Evaluator.RangeData rd;
    private final double[] reg = new double[2];
    private final boolean[] ok = new boolean[1];
    /**
     * The window copy quantile_over_time and mad_over_time sort, reused across steps and series: a fresh copy per
     * step was a query's main allocation (an hour's window of 5 s samples at 1 s steps: 20 GB per 1,000 series),
     * and its collections slowed ingestion more than the query's CPU did.
     */
    private double[] scratch = new double[0];
    /** rate/increase/delta, decided once: string switches per step and series cost a tenth of a rate query. */
    private final boolean extrapolating;
    private final boolean isCounter;
    private final boolean isRate;
    /** avg_over_time, with the steps' window bounds for {@link #applySteps}, reused across series. */
    private final boolean averaging;
    private int[] from = new int[0];
    private int[] to = new int[0];
    private final WindowAverages windowAverages = new WindowAverages();
    private MatrixSeries metricOf;
    private String metric;
    /** Whether metricOf's name does not look like a counter's, for rate and increase (an annotation). */
    private boolean possibleNonCounter;
    /**
     * For rate/increase: drops[i] counts the float values of metricOf up to i that are below their predecessor or
     * whose start timestamp shows a reset, so a window shows in O(1) whether it holds a counter reset (scanning every
     * window cost a sixth of a rate query).
     */
    private int[] drops = new int[0];
    /** Likewise, for series with start timestamps: overlaps[i] counts the starts up to i that overlap a predecessor. */
    private int[] overlaps = new int[0];

    RangeKernels(Annotations annos, Call c, Evaluator.RangeData rd, String name) {
        this.annos = annos;
        this.name = name;
        this.rd = rd;
        Expr arg = c.args().stream().filter(a -> a.type() == dev.sightline.promql.ast.ExprType.MATRIX).findFirst().orElseThrow();
        this.argPos = arg.position();
        this.extrapolating = name.equals("rate") || name.equals("increase") || name.equals("delta");
        this.isCounter = !name.equals("delta");
        this.isRate = name.equals("rate");
        this.averaging = name.equals("avg_over_time");
    }

    /** avg_over_time of a float series over a plain range: the windows of all steps first, then their averages. */
    @Override
    public boolean applySteps(Evaluator ev, Evaluator.RangeData rd, MatrixSeries s, MatrixSeries out) {
        if (!averaging || s.hn > 0 || !rd.slides()) {
            return false;
        }
        int n = ev.numSteps;
        if (from.length < n) {
            from = new int[n];
            to = new int[n];
        }
        rd.floatWindows(s, from, to);
        // Each step's average straight into the output's slot for the step, then the empty steps' slots closed up:
        // a point at a time (addFloat) was a twentieth of max by (job) (avg_over_time(...)).
        out.reserveFloats(n);
        long[] ft = out.ft;
        double[] fv = out.fv;
        windowAverages.avgs(s.fv, from, to, n, fv);
        int k = 0;
        for (int step = 0; step < n; step++) {
            if (to[step] > from[step]) {
                ft[k] = ev.stepTime(step);
                fv[k++] = fv[step];
            }
        }
        out.fn = k;
        return true;
    }

    @Override
    public void apply(MatrixSeries s, int[] w, long ref, long t, int step, double[][] scalars, MatrixSeries out) {
        int f0 = w[0], f1 = w[1], h0 = w[2], h1 = w[3];
        int nf = f1 - f0, nh = h1 - h0;
        if (nf == 0 && nh == 0) {
            return;
        }
        if (s != metricOf) {
            // Per series, not per step: only annotations use it.
            metricOf = s;
            metric = s.labels.metricName();
            possibleNonCounter = isCounter && metric != null && !(metric.endsWith("_total") || metric.endsWith("_sum")
                    || metric.endsWith("_count") || metric.endsWith("_bucket"));
            if (extrapolating && isCounter) {
                countDrops(s);
            }
        }
        String metric = this.metric;
        if (extrapolating) {
            extrapolated(s, f0, f1, h0, h1, ref, t, out, metric);
            return;
        }
        switch (name) {
            case "count_over_time" -> out.addFloat(t, nf + nh);
            case "present_over_time" -> out.addFloat(t, 1);
            case "last_over_time" -> {
                if (nh == 0 || (nf > 0 && s.ft[f1 - 1] > s.ht[h1 - 1])) {
                    out.addFloat(t, s.fv[f1 - 1]);
                } else {
                    out.addHistogram(t, s.hv[h1 - 1]);
                }
            }
            case "first_over_time" -> {
                if (nh == 0 || (nf > 0 && s.ft[f0] < s.ht[h0])) {
                    out.addFloat(t, s.fv[f0]);
                } else {
                    out.addHistogram(t, s.hv[h0]);
                }
            }
            case "ts_of_last_over_time" -> out.addFloat(t, Math.max(nf > 0 ? s.ft[f1 - 1] : Long.MIN_VALUE, nh > 0 ? s.ht[h1 - 1] : Long.MIN_VALUE) / 1000.0);
            case "ts_of_first_over_time" -> out.addFloat(t, Math.min(nf > 0 ? s.ft[f0] : Long.MAX_VALUE, nh > 0 ? s.ht[h0] : Long.MAX_VALUE) / 1000.0);
            case "sum_over_time", "avg_over_time" -> {
                if (nf > 0 && nh > 0) {
                    annos.mixedFloatsHistograms(metric, argPos);
                    return;
                }
                if (nh > 0) {
                    HistogramAccumulator acc = new HistogramAccumulator(name.equals("avg_over_time"));
                    try {
                        for (int i = h0; i < h1; i++) {
                            acc.add(s.hv[i]);
                        }
                    } catch (FloatHistograms.IncompatibleException e) {
                        annos.mixedExponentialCustom(metric, argPos);
                        return;
                    }
                    if (acc.flags.reconciled) {
                        annos.mismatchedCustomBuckets("aggregation", argPos);
                    }
                    if (acc.flags.collision) {
                        annos.counterResetCollision("aggregation", argPos);
                    }
                    out.addHistogram(t, name.equals("avg_over_time") ? acc.avg() : acc.sum());
                    return;
                }
                out.addFloat(t, name.equals("sum_over_time") ? Kernels.sum(s.fv, f0, f1) : Kernels.avg(s.fv, f0, f1));
            }
            case "changes", "resets" -> changesOrResets(s, f0, f1, h0, h1, t, out);
            case "irate", "idelta" -> instant(s, f0, f1, h0, h1, t, out, metric);
            default -> floatOnly(s, f0, f1, nh, ref, t, step, scalars, out, metric);
        }
    }

    private void floatOnly(MatrixSeries s, int f0, int f1, int nh, long ref, long t, int step, double[][] scalars, MatrixSeries out, String metric) {
        int nf = f1 - f0;
        if (nh > 0 && nf > 0) {
            annos.histogramIgnoredInMixedRange(metric, argPos);
        }
        if (nf == 0) {
            return;
        }
        switch (name) {
            case "min_over_time" -> out.addFloat(t, Kernels.min(s.fv, f0, f1));
            case "max_over_time" -> out.addFloat(t, Kernels.max(s.fv, f0, f1));
            case "stddev_over_time" -> out.addFloat(t, Math.sqrt(Kernels.variance(s.fv, f0, f1)));
            case "stdvar_over_time" -> out.addFloat(t, Kernels.variance(s.fv, f0, f1));
            case "mad_over_time" -> {
                boolean nan = false;
                for (int i = f0; i < f1; i++) {
                    nan |= Double.isNaN(s.fv[i]);
                }
                out.addFloat(t, nan ? Double.NaN : Kernels.mad(s.fv, f0, f1, scratch(f1 - f0)));
            }
            case "ts_of_min_over_time", "ts_of_max_over_time" -> {
                boolean max = name.equals("ts_of_max_over_time");
                int best = f0;
                for (int i = f0 + 1; i < f1; i++) {
                    double v = s.fv[i];
                    if (Double.isNaN(s.fv[best]) || (max ? v >= s.fv[best] : v <= s.fv[best])) {
                        best = i;
                    }
                }
                out.addFloat(t, s.ft[best] / 1000.0);
            }
            case "quantile_over_time" -> {
                double q = scalars[0][step];
                if (Double.isNaN(q) || q < 0 || q > 1) {
                    annos.invalidQuantile(q, null);
                }
                double[] buf = scratch(nf);
                System.arraycopy(s.fv, f0, buf, 0, nf);
                out.addFloat(t, Kernels.quantile(q, buf, nf));
            }
            case "deriv" -> {
                if (nf < 2) {
                    return;
                }
                Kernels.linearRegression(s.ft, s.fv, f0, f1, s.ft[f0], reg);
                out.addFloat(t, reg[0]);
            }
            case "predict_linear" -> {
                if (nf < 2) {
                    return;
                }
                double d = scalars[1][step];
                Kernels.linearRegression(s.ft, s.fv, f0, f1, t, reg);
                out.addFloat(t, reg[0] * d + reg[1]);
            }
            case "double_exponential_smoothing", "holt_winters" -> {
                double sf = scalars[1][step];
                double tf = scalars[2][step];
                if (sf <= 0 || sf >= 1) {
                    throw PromQLException.execution(String.format("invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf));
                }
                if (tf <= 0 || tf >= 1) {
                    throw PromQLException.execution(String.format("invalid trend factor. Expected: 0 < tf < 1, got: %f", tf));
                }
                if (nf < 2) {
                    return;
                }
                out.addFloat(t, Kernels.doubleExponentialSmoothing(s.fv, f0, f1, sf, tf));
            }
            default -> throw PromQLException.execution("function \"" + name + "\" is not supported yet");
        }
    }

    /** {@link #scratch}, grown to at least {@code n}. */
    private double[] scratch(int n) {
        if (scratch.length < n) {
            scratch = new double[Math.max(n, scratch.length * 2)];
        }
        return scratch;
    }

    /** changes()/resets() over floats and histograms in time order; a switch between the kinds counts as both. */
    private void changesOrResets(MatrixSeries s, int f0, int f1, int h0, int h1, long t, MatrixSeries out) {
        boolean resets = name.equals("resets");
        if (h1 == h0) {
            out.addFloat(t, resets ? Kernels.resets(s.ft, s.fv, s.fst, f0, f1) : Kernels.changes(s.fv, f0, f1));
            return;
        }
        int count = 0;
        int fi = f0, hi = h0;
        boolean havePrev = false;
        double prevF = 0;
        Histogram prevH = null;
        long prevT = 0;
        long prevSt = 0;
        while (fi < f1 || hi < h1) {
            boolean takeFloat = hi >= h1 || (fi < f1 && s.ft[fi] < s.ht[hi]);
            long pt = takeFloat ? s.ft[fi] : s.ht[hi];
            long pst = takeFloat ? (s.fst == null ? 0 : s.fst[fi]) : (s.hst == null ? 0 : s.hst[hi]);
            boolean stReset = resets && havePrev && Kernels.startTimestampReset(prevSt, prevT, pst, pt);
            if (takeFloat) {
                double v = s.fv[fi++];
                if (havePrev) {
                    if (prevH != null || stReset) {
                        count++;
                    } else if (resets ? v < prevF : (v != prevF && !(Double.isNaN(v) && Double.isNaN(prevF)))) {
                        count++;
                    }
                }
                prevF = v;
                prevH = null;
            } else {
                Histogram h = s.hv[hi++];
                if (havePrev) {
                    if (prevH == null || stReset) {
                        count++;
                    } else if (resets ? FloatHistograms.detectReset(h, prevH)
                            : !FloatHistograms.compact(h).equals(FloatHistograms.compact(FloatHistograms.withHint(prevH, h.counterResetHint)))) {
                        count++;
                    }
                }
                prevH = h;
            }
            prevT = pt;
            prevSt = pst;
            havePrev = true;
        }
        out.addFloat(t, count);
    }

    private void extrapolated(MatrixSeries s, int f0, int f1, int h0, int h1, long ref, long t, MatrixSeries out, String metric) {
        int nf = f1 - f0, nh = h1 - h0;
        if (nf > 0 && nh > 0) {
            annos.mixedFloatsHistograms(metric, argPos);
            return;
        }
        long rangeStart = ref - rd.rangeMs;
        if ((rd.anchored || rd.smoothed) && nf > 0) {
            extendedRate(s, f0, f1, rangeStart, ref, isCounter, isRate, t, out);
            return;
        }
        if ((rd.anchored || rd.smoothed) && nh > 0) {
            try {
                extendedHistogramRate(s, h0, h1, rangeStart, ref, isCounter, isRate, t, out, metric);
            } catch (FloatHistograms.IncompatibleException e) {
                annos.mixedExponentialCustom(metric, argPos);
            }
            return;
        }
        long[] hst = isCounter ? s.hst : null;
        long zeroAt = hst != null && nh > 0 ? Kernels.zeroPoint(hst[h0], s.ht[h0], rangeStart) : 0;
        if (nh > 1 || zeroAt != 0) {
            Histogram h = nh > 1 ? histogramDelta(s, h0, h1, isCounter, metric) : s.hv[h0];
            if (h == null) {
                return;
            }
            if (zeroAt != 0 && nh > 1) {
                // The counter was 0 at the first point's start: its whole first value is increase in the range.
                FloatHistograms.Flags flags = new FloatHistograms.Flags();
                try {
                    h = FloatHistograms.add(h, s.hv[h0], flags);
                } catch (FloatHistograms.IncompatibleException e) {
                    annos.mixedExponentialCustom(metric, argPos);
                    return;
                }
                if (flags.reconciled) {
                    annos.mismatchedCustomBuckets("addition", argPos);
                }
            }
            // As for float counters, extrapolation towards the start stops where the count would reach zero.
            double firstCount = s.hv[h0].count;
            double zeroLimit = isCounter && h.count > 0 && firstCount >= 0 ? firstCount : Double.NaN;
            double factor = Kernels.extrapolationFactor(s.ht[h0], s.ht[h1 - 1], nh - 1, rangeStart, ref, isRate,
                    h.count, zeroLimit, zeroAt);
            Histogram r = FloatHistograms.compact(FloatHistograms.scale(h, factor));
            out.addHistogram(t, FloatHistograms.withHint(r, Histogram.CounterResetHint.GAUGE));
            return;
        }
        if (nf == 0) {
            return;
        }
        long[] st = isCounter ? s.fst : null;
        if (st != null && nf > 1 && overlaps[f1 - 1] != overlaps[f0]) {
            annos.startTimeOverlap(metric, argPos);
        }
        boolean mayReset = isCounter && drops[f1 - 1] != drops[f0];
        double v = Kernels.extrapolatedDelta(s.ft, s.fv, st, f0, f1, rangeStart, ref, isCounter, mayReset, isRate, ok);
        if (!ok[0]) {
            return;
        }
        if (possibleNonCounter) {
            annos.possibleNonCounter(metric, argPos);
        }
        out.addFloat(t, v);
    }

    /** Warns (once per series, by the annotation's dedup) about a start time overlapping an earlier point. */
    private void warnStartTimeOverlap(long[] t, long[] st, int from, int to, String metric) {
        for (int i = from + 1; i < to; i++) {
            if (Kernels.startTimeOverlap(st[i - 1], t[i - 1], st[i])) {
                annos.startTimeOverlap(metric, argPos);
                return;
            }
        }
    }

    private void countDrops(MatrixSeries s) {
        if (drops.length < s.fn) {
            drops = new int[s.fn];
        }
        double[] v = s.fv;
        long[] t = s.ft;
        long[] st = s.fst;
        if (st != null && overlaps.length < s.fn) {
            overlaps = new int[s.fn];
        }
        int c = 0;
        int o = 0;
        for (int i = 1; i < s.fn; i++) {
            if (v[i] < v[i - 1] || (st != null && Kernels.startTimestampReset(st[i - 1], t[i - 1], st[i], t[i]))) {
                c++;
            }
            drops[i] = c;
            if (st != null) {
                if (Kernels.startTimeOverlap(st[i - 1], t[i - 1], st[i])) {
                    o++;
                }
                overlaps[i] = o;
            }
        }
    }

    /**
     * rate/increase/delta over an anchored or smoothed range: the difference between the values at the range
     * boundaries (the boundary samples for anchored, values interpolated at the boundaries for smoothed), corrected
     * for counter resets inside, without extrapolation.
     */
    private void extendedRate(MatrixSeries s, int f0, int f1, long rangeStart, long rangeEnd, boolean isCounter,
                              boolean isRate, long t, MatrixSeries out) {
        long[] ft = s.ft;
        double[] fv = s.fv;
        int last = f1 - 1;
        int first = Math.max(f0, Evaluator.lowerBound(ft, last, rangeStart) - 1);
        if (rd.smoothed) {
            int i = f0;
            while (i < last && ft[i] < rangeEnd) {
                i++;
            }
            last = i;
        }
        if (ft[last] <= rangeStart) {
            return;
        }
        boolean leftInterp = rd.smoothed && ft[first] < rangeStart;
        boolean[] leftCrossed = new boolean[1];
        double left = leftInterp
                ? interpolate(ft[first], fv[first], ft[first + 1], fv[first + 1], rangeStart, isCounter, leftCrossed) : fv[first];
        boolean rightInterp = rd.smoothed && last > f0 && ft[last] > rangeEnd;
        boolean[] rightCrossed = new boolean[1];
        double right = rightInterp
                ? interpolate(ft[last - 1], fv[last - 1], ft[last], fv[last], rangeEnd, isCounter, rightCrossed) : fv[last];
        double result = right - left;
        if (isCounter) {
            int from = ft[first] <= rangeStart ? first + 1 : first;
            int to = ft[last] >= rangeEnd ? last - 1 : last;
            double prev = left;
            for (int i = from; i <= to; i++) {
                if (fv[i] < prev) {
                    result += prev;
                }
                prev = fv[i];
            }
            if (!rightInterp) {
                if (last > to && right < prev) {
                    result += prev;
                }
            } else if (rightCrossed[0] && !(from > to && leftInterp)) {
                result += prev;
            }
        }
        if (isRate) {
            result /= rd.rangeMs / 1000.0;
        }
        out.addFloat(t, result);
    }

    /** The value at t between two samples: linear, or for a counter reset the share of the restarted counter. */
    private static double interpolate(long t1, double y1, long t2, double y2, long t, boolean isCounter, boolean[] crossedReset) {
        double frac = (t - t1) / (double) (t2 - t1);
        if (isCounter && y2 < y1) {
            crossedReset[0] = true;
            return y2 * frac;
        }
        return y1 + (y2 - y1) * frac;
    }

    /**
     * The histogram version of {@link #extendedRate}. Interpolating across a counter reset models the counter as
     * restarting from zero (a share of the later histogram); resets are then corrected so that a reset already
     * modelled by an interpolation, or a boundary that is a copy of a sample, is not counted twice.
     */
    private void extendedHistogramRate(MatrixSeries s, int h0, int h1, long rangeStart, long rangeEnd, boolean isCounter,
                                       boolean isRate, long t, MatrixSeries out, String metric) {
        long[] ht = s.ht;
        Histogram[] hv = s.hv;
        for (int i = h0; i < h1; i++) {
            boolean gauge = hv[i].counterResetHint == Histogram.CounterResetHint.GAUGE;
            if (isCounter && gauge) {
                annos.nativeHistogramNotCounter(metric, argPos);
                break;
            }
            if (!isCounter && !gauge) {
                annos.nativeHistogramNotGauge(metric, argPos);
                break;
            }
        }
        int last = h1 - 1;
        int first = Math.max(h0, Evaluator.lowerBound(ht, last, rangeStart) - 1);
        if (rd.smoothed) {
            int i = h0;
            while (i < last && ht[i] < rangeEnd) {
                i++;
            }
            last = i;
        }
        if (ht[last] <= rangeStart) {
            return;
        }
        boolean leftInterp = rd.smoothed && ht[first] < rangeStart;
        boolean[] crossed = new boolean[1];
        Histogram left = leftInterp
                ? interpolate(ht[first], hv[first], ht[first + 1], hv[first + 1], rangeStart, isCounter, crossed) : hv[first];
        boolean rightInterp = rd.smoothed && last > h0 && ht[last] > rangeEnd;
        boolean[] rightCrossed = new boolean[1];
        Histogram right = rightInterp
                ? interpolate(ht[last - 1], hv[last - 1], ht[last], hv[last], rangeEnd, isCounter, rightCrossed) : hv[last];
        FloatHistograms.Flags flags = new FloatHistograms.Flags();
        Histogram result = FloatHistograms.sub(right, left, flags);
        if (isCounter) {
            int from = ht[first] <= rangeStart ? first + 1 : first;
            int to = ht[last] >= rangeEnd ? last - 1 : last;
            Histogram prev = left;
            boolean prevInterp = leftInterp;
            for (int i = from; i <= to; i++) {
                Histogram curr = hv[i];
                if (prevInterp ? droppedBelow(curr, prev) : FloatHistograms.detectReset(curr, prev)) {
                    result = FloatHistograms.add(result, prev, flags);
                }
                prev = curr;
                prevInterp = false;
            }
            if (!rightInterp) {
                if (last > to && (prevInterp ? droppedBelow(right, prev) : FloatHistograms.detectReset(right, prev))) {
                    result = FloatHistograms.add(result, prev, flags);
                }
            } else if (rightCrossed[0] && !(from > to && leftInterp)) {
                result = FloatHistograms.add(result, prev, flags);
            }
        }
        if (flags.reconciled) {
            annos.mismatchedCustomBuckets("subtraction", argPos);
        }
        if (isRate) {
            result = FloatHistograms.scale(result, 1000.0 / rd.rangeMs);
        }
        out.addHistogram(t, FloatHistograms.withHint(FloatHistograms.compact(result), Histogram.CounterResetHint.GAUGE));
    }

    /** A reset judged by the counts alone, for comparisons against an interpolated histogram (it has no hint). */
    private static boolean droppedBelow(Histogram curr, Histogram prev) {
        return FloatHistograms.detectReset(FloatHistograms.withHint(curr, Histogram.CounterResetHint.UNKNOWN), prev);
    }

    /**
     * The histogram at t between two samples: linear, except across a counter reset (for counters), where the
     * counter restarted from zero and only the share of the later histogram is taken.
     */
    static Histogram interpolate(long t1, Histogram h1, long t2, Histogram h2, long t, boolean isCounter, boolean[] crossedReset) {
        double frac = (t - t1) / (double) (t2 - t1);
        if (isCounter && FloatHistograms.detectReset(h2, h1)) {
            crossedReset[0] = true;
            return FloatHistograms.scale(h2, frac);
        }
        return FloatHistograms.add(FloatHistograms.scale(h1, 1 - frac), FloatHistograms.scale(h2, frac));
    }


    /** last - first over histograms, adding back what counter resets removed. Null when layouts are incompatible. */
    private Histogram histogramDelta(MatrixSeries s, int h0, int h1, boolean isCounter, String metric) {
        Histogram first = s.hv[h0];
        Histogram last = s.hv[h1 - 1];
        for (int i = h0; i < h1; i++) {
            boolean gauge = s.hv[i].counterResetHint == Histogram.CounterResetHint.GAUGE;
            if (isCounter && gauge) {
                annos.nativeHistogramNotCounter(metric, argPos);
                break;
            }
            if (!isCounter && !gauge) {
                annos.nativeHistogramNotGauge(metric, argPos);
                break;
            }
        }
        // A switch between exponential and custom buckets is a counter reset; once is fine (the part before it
        // cannot be combined and only the part after counts), more often the layouts cannot be reconciled.
        int switches = 0;
        int segmentStart = h0;
        for (int i = h0 + 1; i < h1; i++) {
            if (s.hv[i].usesCustomBuckets() != s.hv[i - 1].usesCustomBuckets()) {
                switches++;
                segmentStart = i;
            }
        }
        if (switches > 1 || (switches == 1 && !isCounter)) {
            annos.mixedExponentialCustom(metric, argPos);
            return null;
        }
        if (switches == 1) {
            first = s.hv[segmentStart];
        }
        FloatHistograms.Flags flags = new FloatHistograms.Flags();
        try {
            Histogram result = FloatHistograms.sub(last, first, flags);
            if (switches == 1) {
                result = FloatHistograms.add(result, first, flags);
            }
            if (isCounter) {
                long[] st = s.hst;
                if (st != null) {
                    warnStartTimeOverlap(s.ht, st, h0, h1, metric);
                }
                Histogram prev = first;
                for (int i = segmentStart + 1; i < h1; i++) {
                    Histogram curr = s.hv[i];
                    if ((st != null && Kernels.startTimestampReset(st[i - 1], s.ht[i - 1], st[i], s.ht[i]))
                            || FloatHistograms.detectReset(curr, prev)) {
                        result = FloatHistograms.add(result, prev, flags);
                    }
                    prev = curr;
                }
            }
            if (flags.reconciled) {
                annos.mismatchedCustomBuckets("subtraction", argPos);
            }
            return result;
        } catch (FloatHistograms.IncompatibleException e) {
            annos.mixedExponentialCustom(metric, argPos);
            return null;
        }
    }

    private void instant(MatrixSeries s, int f0, int f1, int h0, int h1, long t, MatrixSeries out, String metric) {
        boolean isRate = name.equals("irate");
        int n = (f1 - f0) + (h1 - h0);
        if (n < 2) {
            return;
        }
        // The last two samples in time order, whichever kind they are.
        long[] ts = new long[2];
        long[] sts = new long[2];
        double[] fs = new double[2];
        Histogram[] hs = new Histogram[2];
        int fi = f1 - 1, hi = h1 - 1;
        for (int k = 1; k >= 0; k--) {
            if (hi < h0 || (fi >= f0 && s.ft[fi] > s.ht[hi])) {
                ts[k] = s.ft[fi];
                sts[k] = s.fst == null ? 0 : s.fst[fi];
                fs[k] = s.fv[fi--];
            } else {
                ts[k] = s.ht[hi];
                sts[k] = s.hst == null ? 0 : s.hst[hi];
                hs[k] = s.hv[hi--];
            }
        }
        long interval = ts[1] - ts[0];
        boolean stReset = isRate && Kernels.startTimestampReset(sts[0], ts[0], sts[1], ts[1]);
        if (hs[0] == null && hs[1] == null) {
            double r = fs[1];
            if (!isRate || !(fs[1] < fs[0] || stReset)) {
                r = fs[1] - fs[0];
            }
            if (isRate) {
                if (interval == 0) {
                    return;
                }
                r /= interval / 1000.0;
            }
            out.addFloat(t, r);
            return;
        }
        if (hs[0] != null && hs[1] != null) {
            boolean gauge0 = hs[0].counterResetHint == Histogram.CounterResetHint.GAUGE;
            boolean gauge1 = hs[1].counterResetHint == Histogram.CounterResetHint.GAUGE;
            if (isRate && (gauge0 || gauge1)) {
                annos.nativeHistogramNotCounter(metric, argPos);
            } else if (!isRate && !(gauge0 && gauge1)) {
                annos.nativeHistogramNotGauge(metric, argPos);
            }
            Histogram r;
            FloatHistograms.Flags flags = new FloatHistograms.Flags();
            try {
                r = isRate && (stReset || FloatHistograms.detectReset(hs[1], hs[0])) ? hs[1] : FloatHistograms.sub(hs[1], hs[0], flags);
            } catch (FloatHistograms.IncompatibleException e) {
                annos.mixedExponentialCustom(metric, argPos);
                return;
            }
            if (flags.reconciled) {
                annos.mismatchedCustomBuckets("subtraction", argPos);
            }
            if (isRate) {
                if (interval == 0) {
                    return;
                }
                r = FloatHistograms.scale(r, 1000.0 / interval);
            }
            out.addHistogram(t, FloatHistograms.withHint(FloatHistograms.compact(r), Histogram.CounterResetHint.GAUGE));
            return;
        }
        annos.mixedFloatsHistograms(metric, argPos);
    }
}
