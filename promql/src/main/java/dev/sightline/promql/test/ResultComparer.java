package dev.sightline.promql.test;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.core.text.GoQuote;
import dev.sightline.promql.engine.FloatHistograms;
import dev.sightline.promql.engine.Kernels;
import dev.sightline.promql.engine.Matrix;
import dev.sightline.promql.engine.QueryResult;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Scalar;
import dev.sightline.promql.engine.MatrixSeries;
import dev.sightline.promql.engine.StringValue;
import dev.sightline.promql.engine.Value;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.SequenceValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares a query's outcome with what an eval command expects, as Prometheus's test framework does: the error (for
 * eval_fail), the annotations, and the result, floats within a relative tolerance and histograms bucket by bucket.
 * Each check returns null when it passes, else the failure message.
 */
final class ResultComparer {
    private static final double EPSILON = 0.000001;

    private ResultComparer() {
    }

    static String checkFailure(ScriptCommand.Eval c, String full, String detail, int line) {
        if (c.failMessage != null && !c.failMessage.equals(full) && !c.failMessage.equals(detail)) {
            return "expected error " + GoQuote.quote(c.failMessage) + " evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "), but got: " + full;
        }
        if (c.failRegexp != null && !c.failRegexp.matcher(full).find()) {
            return "expected error matching pattern " + GoQuote.quote(c.failRegexp.pattern()) + " evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "), but got: " + full;
        }
        List<ScriptCommand.Expect> f = c.expects.get("fail");
        if (f != null && !f.isEmpty() && !f.get(0).matches(full) && !f.get(0).matches(detail)) {
            return "expected error matching " + f.get(0).describe() + " evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "), but got: " + full;
        }
        return null;
    }

    static String checkAnnotations(ScriptCommand.Eval c, QueryResult res, int line) {
        if (c.warn && res.warnings().isEmpty()) {
            return "expected warnings evaluating query " + GoQuote.quote(c.expr) + " (line " + line + ") but got none";
        }
        if (c.info && res.infos().isEmpty()) {
            return "expected info annotations evaluating query " + GoQuote.quote(c.expr) + " (line " + line + ") but got none";
        }
        String e = validate(c, "warn", res.warnings(), line);
        if (e != null) {
            return e;
        }
        e = validate(c, "info", res.infos(), line);
        if (e != null) {
            return e;
        }
        if (c.expects.containsKey("no_warn") && !res.warnings().isEmpty()) {
            return "unexpected warning annotations evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "): " + res.warnings();
        }
        if (c.expects.containsKey("no_info") && !res.infos().isEmpty()) {
            return "unexpected info annotations evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "): " + res.infos();
        }
        return null;
    }

    private static String validate(ScriptCommand.Eval c, String type, List<String> actual, int line) {
        List<ScriptCommand.Expect> exp = c.expects.get(type);
        if (exp == null || exp.isEmpty()) {
            return null;
        }
        if (actual.isEmpty()) {
            return "expected " + type + " annotations but none were found for query " + GoQuote.quote(c.expr) + " (line " + line + ")";
        }
        for (ScriptCommand.Expect e : exp) {
            if (actual.stream().noneMatch(e::matches)) {
                return "expected " + type + " annotation matching " + e.describe() + " but no matching annotation was found for query "
                        + GoQuote.quote(c.expr) + " (line " + line + "), found: " + actual;
            }
        }
        for (String a : actual) {
            if (exp.stream().noneMatch(e -> e.matches(a))) {
                return "unexpected " + type + " annotation " + GoQuote.quote(a) + " found for query " + c.expr + " (line " + line + ")";
            }
        }
        return null;
    }

    static String compare(ScriptCommand.Eval c, Value v, boolean asMatrix) {
        switch (v) {
            case Matrix m -> {
                if (c.isOrdered()) {
                    return "expected ordered result, but query returned a matrix";
                }
                if (c.expectScalar) {
                    return "expected scalar result, but got matrix";
                }
                for (int k = 1; k < m.series().size(); k++) {
                    if (m.series().get(k - 1).labels.compareTo(m.series().get(k).labels) > 0) {
                        return "matrix results should always be sorted by labels, but matrix is not sorted";
                    }
                }
                Set<Labels> seen = new HashSet<>();
                for (MatrixSeries s : m.series()) {
                    List<SequenceValue> exp = c.expected.get(s.labels);
                    if (exp == null) {
                        return "unexpected metric " + s.labels + " in result, has " + describe(s);
                    }
                    seen.add(s.labels);
                    List<long[]> ft = new ArrayList<>();
                    List<Double> fv = new ArrayList<>();
                    List<Long> ht = new ArrayList<>();
                    List<SequenceValue> hv = new ArrayList<>();
                    for (int k = 0; k < exp.size(); k++) {
                        long t = c.start + k * c.step;
                        if (t > c.end) {
                            return "expected " + exp.size() + " points for " + s.labels + ", but query time range cannot return this many points";
                        }
                        SequenceValue e = exp.get(k);
                        if (e.histogram() != null) {
                            ht.add(t);
                            hv.add(e);
                        } else if (!e.omitted()) {
                            ft.add(new long[]{t});
                            fv.add(e.value());
                        }
                    }
                    if (ft.size() != s.fn || ht.size() != s.hn) {
                        return "expected " + ft.size() + " float points and " + ht.size() + " histogram points for " + s.labels + ", but got " + describe(s);
                    }
                    for (int k = 0; k < s.fn; k++) {
                        if (ft.get(k)[0] != s.ft[k]) {
                            return "expected float value at index " + k + " for " + s.labels + " to have timestamp " + ft.get(k)[0] + ", but it had timestamp " + s.ft[k] + " (result has " + describe(s) + ")";
                        }
                        if (!Kernels.almostEqual(s.fv[k], fv.get(k), EPSILON)) {
                            return "expected float value at index " + k + " (t=" + s.ft[k] + ") for " + s.labels + " to be " + GoFloats.formatG(fv.get(k)) + ", but got " + GoFloats.formatG(s.fv[k]) + " (result has " + describe(s) + ")";
                        }
                    }
                    for (int k = 0; k < s.hn; k++) {
                        if (ht.get(k) != s.ht[k]) {
                            return "expected histogram value at index " + k + " for " + s.labels + " to have timestamp " + ht.get(k) + ", but it had timestamp " + s.ht[k];
                        }
                        if (!histogramsMatch(hv.get(k).histogram(), s.hv[k], hv.get(k).counterResetHintSet())) {
                            return "expected histogram value at index " + k + " (t=" + s.ht[k] + ") for " + s.labels + " to be " + hv.get(k).histogram() + ", but got " + s.hv[k];
                        }
                    }
                }
                for (Labels l : c.expected.keySet()) {
                    if (!seen.contains(l)) {
                        return "expected metric " + l + " not found";
                    }
                }
                return null;
            }
            case Vector vec -> {
                if (c.expectScalar) {
                    return "expected scalar result, but got vector " + vec.samples();
                }
                Set<Labels> seen = new HashSet<>();
                int pos = 0;
                for (Sample s : vec.samples()) {
                    pos++;
                    List<SequenceValue> exp = c.expected.get(s.labels());
                    if (exp == null) {
                        return "unexpected metric " + s.labels() + " in result, has value " + (s.h() != null ? s.h().toString() : GoFloats.formatG(s.f()));
                    }
                    if (c.isOrdered() && c.positions.get(s.labels()) != pos) {
                        return "expected metric " + s.labels() + " at position " + c.positions.get(s.labels()) + " but was at " + pos;
                    }
                    SequenceValue e = exp.get(0);
                    if (e.histogram() == null && s.h() != null) {
                        return "expected float value " + GoFloats.formatG(e.value()) + " for " + s.labels() + " but got histogram " + s.h();
                    }
                    if (e.histogram() != null && s.h() == null) {
                        return "expected histogram " + e.histogram() + " for " + s.labels() + " but got float value " + GoFloats.formatG(s.f());
                    }
                    if (e.histogram() != null && !histogramsMatch(e.histogram(), s.h(), e.counterResetHintSet())) {
                        return "expected " + e.histogram() + " for " + s.labels() + " but got " + s.h();
                    }
                    if (e.histogram() == null && !Kernels.almostEqual(e.value(), s.f(), EPSILON)) {
                        return "expected " + GoFloats.formatG(e.value()) + " for " + s.labels() + " but got " + GoFloats.formatG(s.f());
                    }
                    seen.add(s.labels());
                }
                for (var e : c.expected.entrySet()) {
                    if (!seen.contains(e.getKey())) {
                        return "expected metric " + e.getKey() + " with " + e.getValue() + " not found";
                    }
                }
                return null;
            }
            case Scalar s -> {
                if (!c.expectScalar) {
                    return "expected vector or matrix result, but got scalar " + GoFloats.formatG(s.v());
                }
                if (!Kernels.almostEqual(c.scalarValue, s.v(), EPSILON)) {
                    return "expected scalar " + GoFloats.formatG(c.scalarValue) + " but got " + GoFloats.formatG(s.v());
                }
                return null;
            }
            case StringValue sv -> {
                if (!sv.s().equals(c.expectedString)) {
                    return "expected string \"" + c.expectedString + "\" but got \"" + sv.s() + "\"";
                }
                return null;
            }
        }
    }

    private static String describe(MatrixSeries s) {
        return s.fn + " float points and " + s.hn + " histogram points " + s;
    }

    static boolean histogramsMatch(Histogram expRaw, Histogram curRaw, boolean hintSet) {
        Histogram exp = FloatHistograms.compact(expRaw);
        Histogram cur = FloatHistograms.compact(curRaw);
        if (exp.schema != cur.schema || !Kernels.almostEqual(exp.count, cur.count, EPSILON)
                || !Kernels.almostEqual(exp.sum, cur.sum, EPSILON)) {
            return false;
        }
        if (exp.usesCustomBuckets() && !Arrays.equals(exp.customValues, cur.customValues)) {
            return false;
        }
        if (exp.zeroThreshold != cur.zeroThreshold || !Kernels.almostEqual(exp.zeroCount, cur.zeroCount, EPSILON)) {
            return false;
        }
        if (!Arrays.equals(exp.negativeSpanOffsets, cur.negativeSpanOffsets) || !Arrays.equals(exp.negativeSpanLengths, cur.negativeSpanLengths)
                || !Arrays.equals(exp.positiveSpanOffsets, cur.positiveSpanOffsets) || !Arrays.equals(exp.positiveSpanLengths, cur.positiveSpanLengths)) {
            return false;
        }
        if (!bucketsMatch(exp.negativeBuckets, cur.negativeBuckets) || !bucketsMatch(exp.positiveBuckets, cur.positiveBuckets)) {
            return false;
        }
        return !hintSet || exp.counterResetHint == cur.counterResetHint;
    }

    private static boolean bucketsMatch(double[] a, double[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!Kernels.almostEqual(a[i], b[i], EPSILON)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The points at {@code evalTime} of a range query's result (the instant query run in range mode), shaped like the
     * instant result {@code instant} so it can be compared with the same expectations; null if there is nothing to compare.
     */
    static Value pointsAt(Value instant, Value range, long evalTime) {
        if (instant instanceof Scalar) {
            Matrix m = (Matrix) range;
            double f = Double.NaN;
            for (MatrixSeries s : m.series()) {
                for (int k = 0; k < s.fn; k++) {
                    if (s.ft[k] == evalTime) {
                        f = s.fv[k];
                    }
                }
            }
            return new Scalar(evalTime, f);
        } else if (range instanceof Matrix m) {
            List<Sample> vec = new ArrayList<>();
            for (MatrixSeries s : m.series()) {
                for (int k = 0; k < s.fn; k++) {
                    if (s.ft[k] == evalTime) {
                        vec.add(new Sample(s.labels, s.ft[k], s.fv[k]));
                    }
                }
                for (int k = 0; k < s.hn; k++) {
                    if (s.ht[k] == evalTime) {
                        vec.add(new Sample(s.labels, s.ht[k], 0, s.hv[k], false));
                    }
                }
            }
            return new Vector(vec);
        } else {
            return null;
        }
    }
}
