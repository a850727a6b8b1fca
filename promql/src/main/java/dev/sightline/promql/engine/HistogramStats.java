package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.promql.ast.Call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Statistics over native histograms and classic bucket series: quantile, fraction, variance. */
final class HistogramStats {
    private HistogramStats() {
    }

    /** Visits every bucket in ascending order: negative buckets, zero bucket, positive buckets. */
    interface BucketVisitor {
        /** Returns false to stop. */
        boolean visit(double lower, double upper, double count, boolean zeroBucket);
    }

    static void forEachBucket(Histogram h, boolean reverse, BucketVisitor v) {
        List<double[]> all = new ArrayList<>();
        if (h.usesCustomBuckets()) {
            var pos = FloatHistograms.buckets(h.positiveSpanOffsets, h.positiveSpanLengths, h.positiveBuckets);
            for (var e : pos.entrySet()) {
                int idx = e.getKey();
                double lower = idx == 0 ? Double.NEGATIVE_INFINITY : h.customValues[idx - 1];
                double upper = idx < h.customValues.length ? h.customValues[idx] : Double.POSITIVE_INFINITY;
                all.add(new double[]{lower, upper, e.getValue(), 0});
            }
        } else {
            var neg = FloatHistograms.buckets(h.negativeSpanOffsets, h.negativeSpanLengths, h.negativeBuckets);
            for (var e : neg.descendingMap().entrySet()) {
                int idx = e.getKey();
                all.add(new double[]{-FloatHistograms.upperBound(idx, h.schema), -FloatHistograms.upperBound(idx - 1, h.schema), e.getValue(), 0});
            }
            if (h.zeroCount > 0 || h.zeroThreshold > 0) {
                all.add(new double[]{-h.zeroThreshold, h.zeroThreshold, h.zeroCount, 1});
            }
            var pos = FloatHistograms.buckets(h.positiveSpanOffsets, h.positiveSpanLengths, h.positiveBuckets);
            for (var e : pos.entrySet()) {
                int idx = e.getKey();
                all.add(new double[]{FloatHistograms.upperBound(idx - 1, h.schema), FloatHistograms.upperBound(idx, h.schema), e.getValue(), 0});
            }
        }
        if (reverse) {
            java.util.Collections.reverse(all);
        }
        for (double[] b : all) {
            if (!v.visit(b[0], b[1], b[2], b[3] == 1)) {
                return;
            }
        }
    }

    /** Prometheus's FloatHistogram.String(): count, sum and the non-empty buckets with their bounds. */
    static String format(Histogram h) {
        StringBuilder sb = new StringBuilder("{count:").append(GoFloats.formatG(h.count)).append(", sum:").append(GoFloats.formatG(h.sum));
        forEachBucket(h, false, (lower, upper, count, zero) -> {
            if (count == 0) {
                return true;
            }
            sb.append(", ");
            if (zero) {
                sb.append('[').append(GoFloats.formatG(lower)).append(',').append(GoFloats.formatG(upper)).append("]:");
            } else if (upper <= 0 && !h.usesCustomBuckets()) {
                sb.append('[').append(GoFloats.formatG(lower)).append(',').append(GoFloats.formatG(upper)).append("):");
            } else {
                sb.append('(').append(GoFloats.formatG(lower)).append(',').append(GoFloats.formatG(upper)).append("]:");
            }
            sb.append(GoFloats.formatG(count));
            return true;
        });
        return sb.append('}').toString();
    }

    static double variance(Histogram h) {
        double mean = h.sum / h.count;
        double[] acc = {0};
        double[] c = {0};
        forEachBucket(h, false, (lower, upper, count, zero) -> {
            if (count == 0) {
                return true;
            }
            double val;
            if (h.usesCustomBuckets()) {
                val = (upper + lower) / 2.0;
            } else if (lower <= 0 && upper >= 0) {
                val = 0;
            } else {
                val = Math.sqrt(upper * lower);
                if (upper < 0) {
                    val = -val;
                }
            }
            double delta = val - mean;
            acc[0] = Kernels.kahanInc(count * delta * delta, acc[0], c);
            return true;
        });
        return (acc[0] + c[0]) / h.count;
    }

    static double nativeQuantile(double q, Histogram h) {
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (h.count == 0 || Double.isNaN(q)) {
            return Double.NaN;
        }
        boolean forward = Double.isNaN(h.sum) || q < 0.5;
        double rank0 = forward ? q * h.count : (1 - q) * h.count;
        double[] st = new double[4]; // lower, upper, bucketCount, cumulative
        forEachBucket(h, !forward, (lower, upper, count, zero) -> {
            if (count == 0) {
                return true;
            }
            st[0] = lower;
            st[1] = upper;
            st[2] = count;
            st[3] += count;
            return st[3] < rank0;
        });
        double lower = st[0], upper = st[1], bc = st[2], count = st[3];
        if (!h.usesCustomBuckets() && lower < 0 && upper > 0) {
            if (h.negativeBuckets.length == 0 && h.positiveBuckets.length > 0) {
                lower = 0;
            } else if (h.positiveBuckets.length == 0 && h.negativeBuckets.length > 0) {
                upper = 0;
            }
        }
        if (h.usesCustomBuckets() && lower == Double.NEGATIVE_INFINITY) {
            if (upper <= 0) {
                return upper;
            }
            lower = 0;
        }
        if (count > h.count) {
            count = h.count;
        }
        double rank = rank0;
        if (count < rank) {
            // Only NaN observations (counted but in no bucket) leave the rank unreached.
            return Double.isNaN(h.sum) ? Double.NaN : upper;
        }
        if (forward) {
            rank -= count - bc;
        } else {
            rank = count - rank;
        }
        double fraction = rank / bc;
        if (h.usesCustomBuckets() || (lower <= 0 && upper >= 0)) {
            if (upper == Double.POSITIVE_INFINITY) {
                return lower;
            }
            return lower + (upper - lower) * fraction;
        }
        double logLower = Math.log(Math.abs(lower)) / Math.log(2);
        double logUpper = Math.log(Math.abs(upper)) / Math.log(2);
        if (lower > 0) {
            return Math.pow(2, logLower + (logUpper - logLower) * fraction);
        }
        return -Math.pow(2, logUpper + (logLower - logUpper) * (1 - fraction));
    }

    static double nativeFraction(double lo, double hi, Histogram h) {
        if (h.count == 0 || Double.isNaN(lo) || Double.isNaN(hi)) {
            return Double.NaN;
        }
        if (lo >= hi) {
            return 0;
        }
        double[] rank = {0};
        forEachBucket(h, false, (lower, upper, count, zero) -> {
            double bl = lower, bu = upper;
            if (h.usesCustomBuckets() && bl == Double.NEGATIVE_INFINITY && bu > 0) {
                bl = 0;
            }
            if (!h.usesCustomBuckets() && zero) {
                if (h.negativeBuckets.length == 0 && h.positiveBuckets.length > 0) {
                    bl = 0;
                } else if (h.positiveBuckets.length == 0 && h.negativeBuckets.length > 0) {
                    bu = 0;
                }
            }
            if (bu <= lo || bl >= hi) {
                return true;
            }
            if (bl >= lo && bu <= hi) {
                rank[0] += count;
                return true;
            }
            double from = Math.max(bl, lo), to = Math.min(bu, hi);
            double frac;
            if (h.usesCustomBuckets() || zero || Double.isInfinite(bl) || Double.isInfinite(bu)) {
                frac = Double.isInfinite(bu - bl) ? (Double.isInfinite(to) || Double.isInfinite(from) ? 1 : 0) : (to - from) / (bu - bl);
            } else {
                double ll = Math.log(Math.abs(bl)), lu = Math.log(Math.abs(bu));
                frac = (Math.log(Math.abs(to)) - Math.log(Math.abs(from))) / (lu - ll);
                if (bl < 0) {
                    frac = (Math.log(Math.abs(from)) - Math.log(Math.abs(to))) / (ll - lu);
                }
            }
            rank[0] += count * Math.abs(frac);
            return true;
        });
        return rank[0] / h.count;
    }

    /** One classic histogram (bucket series sharing labels apart from le) or one native histogram, per step. */
    static final class Group {
        final Labels labels;
        final List<double[]> buckets = new ArrayList<>(); // {upperBound, cumulativeCount}
        Histogram h;
        String metricName;

        Group(Labels labels) {
            this.labels = labels;
        }
    }

    /**
     * Groups a step's samples into classic histograms (by labels without le) and native ones. Names are kept in the
     * key, as Prometheus does with delayed name removal, so two differently named histograms collide only when the
     * names are finally dropped. A key seen as both kinds is reported and skipped.
     */
    static List<Group> groups(Evaluator ev, List<Sample> in, dev.sightline.promql.ast.PositionRange pos) {
        Map<Labels, Group> groups = new LinkedHashMap<>();
        java.util.Set<Labels> mixed = new java.util.HashSet<>();
        for (Sample s : in) {
            Labels key;
            if (s.h() != null) {
                key = s.labels();
            } else {
                String le = s.labels().get("le");
                double ub;
                try {
                    ub = le == null ? Double.NaN : parseLe(le);
                } catch (NumberFormatException e) {
                    ub = Double.NaN;
                }
                if (Double.isNaN(ub)) {
                    ev.annos.badBucketLabel(s.labels().metricName(), le == null ? "" : le, pos);
                    continue;
                }
                key = s.labels().without("le");
                Group g = groups.computeIfAbsent(key, Group::new);
                if (g.h != null) {
                    mixed.add(key);
                }
                g.metricName = s.labels().metricName();
                g.buckets.add(new double[]{ub, s.f()});
                continue;
            }
            Group g = groups.computeIfAbsent(key, Group::new);
            if (!g.buckets.isEmpty() || g.h != null) {
                mixed.add(key);
            }
            g.metricName = s.labels().metricName();
            g.h = s.h();
        }
        List<Group> out = new ArrayList<>();
        for (Group g : groups.values()) {
            if (mixed.contains(g.labels)) {
                ev.annos.mixedClassicNative(g.metricName, pos);
            } else {
                out.add(g);
            }
        }
        return out;
    }

    private static double classicQuantile(Evaluator ev, Group g, double q, dev.sightline.promql.ast.PositionRange pos) {
        int n = g.buckets.size();
        double[] ubs = new double[n];
        double[] counts = new double[n];
        for (int k = 0; k < n; k++) {
            ubs[k] = g.buckets.get(k)[0];
            counts[k] = g.buckets.get(k)[1];
        }
        Kernels.BucketResult r = Kernels.bucketQuantile(q, ubs, counts, n);
        if (r.forcedMonotonic()) {
            ev.annos.forcedMonotonicity(g.metricName, pos);
        }
        return r.value();
    }

    private static double quantileOf(Evaluator ev, Group g, double q, dev.sightline.promql.ast.PositionRange pos) {
        if (g.h == null) {
            return classicQuantile(ev, g, q, pos);
        }
        double v = nativeQuantile(q, g.h);
        if (Double.isNaN(g.h.sum) && g.h.count > 0 && q >= 0 && q <= 1) {
            if (Double.isNaN(v)) {
                ev.annos.quantileNaNResult(g.metricName, pos);
            } else {
                ev.annos.quantileNaNSkew(g.metricName, pos);
            }
        }
        return v;
    }

    static Object histogramQuantile(Evaluator ev, Call c) {
        double[] q = ev.evalScalar(c.args().get(0));
        Matrix m = ev.evalVector(c.args().get(1));
        Evaluator.StepCursor cur = new Evaluator.StepCursor(m);
        Evaluator.Assembler asm = ev.assembler();
        var pos = c.args().get(1).position();
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            double qi = q[i];
            if (Double.isNaN(qi) || qi < 0 || qi > 1) {
                ev.annos.invalidQuantile(qi, c.args().get(0).position());
            }
            for (Group g : groups(ev, cur.at(t), pos)) {
                asm.add(new Sample(g.labels, t, quantileOf(ev, g, qi, pos), null, true), t);
            }
        }
        return asm.build();
    }

    /** histogram_quantiles(v, "label", q1, q2, ...): one output series per quantile, labelled with it. */
    static Object histogramQuantiles(Evaluator ev, Call c) {
        Matrix m = ev.evalVector(c.args().get(0));
        String label = ((StringValue) ev.eval(c.args().get(1))).s();
        List<double[]> qs = new ArrayList<>();
        for (int k = 2; k < c.args().size(); k++) {
            qs.add(ev.evalScalar(c.args().get(k)));
        }
        Evaluator.StepCursor cur = new Evaluator.StepCursor(m);
        Evaluator.Assembler asm = ev.assembler();
        var pos = c.args().get(0).position();
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            List<Group> groups = groups(ev, cur.at(t), pos);
            for (int k = 0; k < qs.size(); k++) {
                double qi = qs.get(k)[i];
                if (Double.isNaN(qi) || qi < 0 || qi > 1) {
                    ev.annos.invalidQuantile(qi, c.args().get(k + 2).position());
                }
                for (Group g : groups) {
                    Labels l = g.labels.toBuilder().set(label, formatQuantileLabel(qi)).build();
                    asm.add(new Sample(l, t, quantileOf(ev, g, qi, pos), null, true), t);
                }
            }
        }
        return asm.build();
    }

    /** OpenMetrics-style number label: integers keep a ".0" (1 is "1.0"). */
    static String formatQuantileLabel(double q) {
        String s = GoFloats.formatF(q);
        return s.contains(".") || s.contains("e") || s.contains("N") || s.contains("I") ? s : s + ".0";
    }

    /** Classic-bucket fraction of observations in [lower, upper], interpolating linearly inside buckets. */
    static double bucketFraction(double lower, double upper, List<double[]> raw) {
        List<double[]> b = new ArrayList<>(raw);
        b.sort((x, y) -> Double.compare(x[0], y[0]));
        if (b.isEmpty() || b.get(b.size() - 1)[0] != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        List<double[]> merged = new ArrayList<>();
        for (double[] x : b) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1)[0] == x[0]) {
                merged.get(merged.size() - 1)[1] += x[1];
            } else {
                merged.add(new double[]{x[0], x[1]});
            }
        }
        double count = merged.get(merged.size() - 1)[1];
        if (count == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
            return Double.NaN;
        }
        if (lower >= upper) {
            return 0;
        }
        double rank = 0, lowerRank = 0, upperRank = 0;
        boolean lowerSet = false, upperSet = false;
        for (int i = 0; i < merged.size(); i++) {
            double ub = merged.get(i)[0];
            double bc = merged.get(i)[1];
            double lb = i > 0 ? merged.get(i - 1)[0] : (ub > 0 ? 0 : Double.NEGATIVE_INFINITY);
            if (!lowerSet && lb >= lower) {
                lowerRank = rank;
                lowerSet = true;
            }
            if (!upperSet && lb >= upper) {
                upperRank = rank;
                upperSet = true;
            }
            if (lowerSet && upperSet) {
                break;
            }
            if (!lowerSet && lb < lower && ub > lower) {
                lowerRank = interpolate(rank, bc, lb, ub, lower);
                lowerSet = true;
            }
            if (!upperSet && lb < upper && ub > upper) {
                upperRank = interpolate(rank, bc, lb, ub, upper);
                upperSet = true;
            }
            if (lowerSet && upperSet) {
                break;
            }
            rank = bc;
        }
        if (!lowerSet || lowerRank > count) {
            lowerRank = count;
        }
        if (!upperSet || upperRank > count) {
            upperRank = count;
        }
        return (upperRank - lowerRank) / count;
    }

    private static double interpolate(double rank, double bucketCount, double lb, double ub, double v) {
        // An infinitely wide bucket has no finite part to interpolate over: a finite bound inside it counts
        // none of the bucket's observations towards the range.
        if (Double.isInfinite(lb)) {
            return bucketCount;
        }
        if (Double.isInfinite(ub)) {
            return rank;
        }
        return rank + (bucketCount - rank) * (v - lb) / (ub - lb);
    }

    static double parseLe(String le) {
        String s = le.trim();
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "+inf", "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    static Object histogramFraction(Evaluator ev, Call c) {
        double[] lo = ev.evalScalar(c.args().get(0));
        double[] hi = ev.evalScalar(c.args().get(1));
        Matrix m = ev.evalVector(c.args().get(2));
        Evaluator.StepCursor cur = new Evaluator.StepCursor(m);
        Evaluator.Assembler asm = ev.assembler();
        var pos = c.args().get(2).position();
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            for (Group g : groups(ev, cur.at(t), pos)) {
                double v;
                if (g.h != null) {
                    if (Double.isNaN(g.h.sum) && g.h.count > 0) {
                        ev.annos.fractionNaNs(g.metricName, pos);
                    }
                    v = nativeFraction(lo[i], hi[i], g.h);
                } else {
                    v = bucketFraction(lo[i], hi[i], g.buckets);
                }
                asm.add(new Sample(g.labels, t, v, null, true), t);
            }
        }
        return asm.build();
    }
}
