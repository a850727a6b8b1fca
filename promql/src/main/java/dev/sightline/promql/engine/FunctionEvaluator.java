package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Series;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.ExprType;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.VectorSelector;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.DoubleUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Evaluates PromQL function calls (signatures in {@link dev.sightline.promql.ast.FunctionTable}): range-vector
 * functions per series and window, instant-vector functions per step.
 */
final class FunctionEvaluator {
    private final Evaluator ev;

    FunctionEvaluator(Evaluator ev) {
        this.ev = ev;
    }

    Object call(Call c) {
        String name = c.function().name();
        List<Expr> args = c.args();
        int matrixArg = matrixArg(args);
        if (matrixArg >= 0) {
            return rangeFunction(c, name, matrixArg);
        }
        switch (name) {
            case "time":
                return stepScalar(t -> t / 1000.0);
            case "pi":
                return ev.constant(Math.PI);
            case "step":
                return ev.constant(ev.queryStep / 1000.0);
            case "range":
                return ev.constant((ev.qEnd - ev.qStart) / 1000.0);
            case "start":
                return ev.constant(ev.qStart / 1000.0);
            case "end":
                return ev.constant(ev.qEnd / 1000.0);
            case "min_of", "max_of": {
                double[] a = ev.evalScalar(args.get(0));
                double[] b = ev.evalScalar(args.get(1));
                double[] out = new double[ev.numSteps];
                for (int i = 0; i < out.length; i++) {
                    out[i] = name.equals("min_of") ? Math.min(a[i], b[i]) : Math.max(a[i], b[i]);
                }
                return out;
            }
            case "scalar": {
                Matrix m = ev.evalVector(args.get(0));
                Evaluator.StepCursor cur = new Evaluator.StepCursor(m);
                double[] out = new double[ev.numSteps];
                for (int i = 0; i < ev.numSteps; i++) {
                    List<Sample> v = cur.at(ev.stepTime(i));
                    double f = Double.NaN;
                    int floats = 0;
                    for (Sample smp : v) {
                        if (smp.h() == null) {
                            floats++;
                            f = smp.f();
                        }
                    }
                    out[i] = floats == 1 ? f : Double.NaN;
                }
                return out;
            }
            case "vector": {
                double[] s = ev.evalScalar(args.get(0));
                Evaluator.Assembler asm = ev.assembler();
                for (int i = 0; i < ev.numSteps; i++) {
                    asm.add(new Sample(Labels.EMPTY, ev.stepTime(i), s[i]), ev.stepTime(i));
                }
                return asm.build();
            }
            case "timestamp":
                return timestamp(c);
            case "start_timestamp":
                return startTimestamp(c);
            case "absent":
                return absent(c);
            case "info":
                return new InfoFunction(ev, this).eval(c);
            case "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year":
                return dateFunction(c, name);
            default:
                break;
        }
        DoubleUnaryOperator math = mathFunction(name);
        if (math != null) {
            return perSample(c, (s, i, out) -> {
                if (s.h() != null) {
                    return;
                }
                out.add(new Sample(s.labels(), s.t(), math.applyAsDouble(s.f()), null, true));
            });
        }
        return switch (name) {
            case "round" -> {
                double[] to = args.size() > 1 ? ev.evalScalar(args.get(1)) : ev.constant(1);
                yield perSample(c, (s, i, out) -> {
                    if (s.h() == null) {
                        out.add(new Sample(s.labels(), s.t(), Kernels.round(s.f(), to[i]), null, true));
                    }
                });
            }
            case "clamp" -> {
                double[] lo = ev.evalScalar(args.get(1));
                double[] hi = ev.evalScalar(args.get(2));
                yield perSample(c, (s, i, out) -> {
                    if (s.h() == null && !(lo[i] > hi[i])) {
                        out.add(new Sample(s.labels(), s.t(), Math.max(lo[i], Math.min(hi[i], s.f())), null, true));
                    }
                });
            }
            case "clamp_min" -> {
                double[] lo = ev.evalScalar(args.get(1));
                yield perSample(c, (s, i, out) -> {
                    if (s.h() == null) {
                        out.add(new Sample(s.labels(), s.t(), Math.max(lo[i], s.f()), null, true));
                    }
                });
            }
            case "clamp_max" -> {
                double[] hi = ev.evalScalar(args.get(1));
                yield perSample(c, (s, i, out) -> {
                    if (s.h() == null) {
                        out.add(new Sample(s.labels(), s.t(), Math.min(hi[i], s.f()), null, true));
                    }
                });
            }
            case "sort", "sort_desc", "sort_by_label", "sort_by_label_desc" -> sort(c, name);
            case "label_replace" -> labelReplace(c);
            case "label_join" -> labelJoin(c);
            case "histogram_count", "histogram_sum", "histogram_avg" -> perSample(c, true, (s, i, out) -> {
                if (s.h() == null) {
                    return;
                }
                Histogram h = s.h();
                double v = switch (name) {
                    case "histogram_count" -> h.count;
                    case "histogram_sum" -> h.sum;
                    default -> h.sum / h.count;
                };
                out.add(new Sample(s.labels(), s.t(), v, null, true));
            });
            case "histogram_stddev", "histogram_stdvar" -> perSample(c, (s, i, out) -> {
                if (s.h() != null) {
                    double var = HistogramStats.variance(s.h());
                    out.add(new Sample(s.labels(), s.t(), name.equals("histogram_stddev") ? Math.sqrt(var) : var, null, true));
                }
            });
            case "histogram_quantile" -> HistogramStats.histogramQuantile(ev, c);
            case "histogram_quantiles" -> HistogramStats.histogramQuantiles(ev, c);
            case "histogram_fraction" -> HistogramStats.histogramFraction(ev, c);
            case "histogram_bimodality" -> AnomalyKernels.histogramBimodality(ev, c);
            default -> throw PromQLException.execution("function \"" + name + "\" is not supported yet");
        };
    }

    static DoubleUnaryOperator mathFunction(String name) {
        return switch (name) {
            case "abs" -> Math::abs;
            case "ceil" -> Math::ceil;
            case "floor" -> Math::floor;
            case "exp" -> Math::exp;
            case "sqrt" -> Math::sqrt;
            case "ln" -> Math::log;
            case "log2" -> v -> Math.log(v) / Math.log(2);
            case "log10" -> Math::log10;
            case "sgn" -> v -> v > 0 ? 1 : v < 0 ? -1 : v;
            case "sin" -> Math::sin;
            case "cos" -> Math::cos;
            case "tan" -> Math::tan;
            case "asin" -> Math::asin;
            case "acos" -> Math::acos;
            case "atan" -> Math::atan;
            case "sinh" -> Math::sinh;
            case "cosh" -> Math::cosh;
            case "tanh" -> Math::tanh;
            case "asinh" -> v -> Double.isInfinite(v) ? v : Math.signum(v) * Math.log(Math.abs(v) + Math.sqrt(v * v + 1));
            case "acosh" -> v -> v < 1 ? Double.NaN : Math.log(v + Math.sqrt(v * v - 1));
            case "atanh" -> v -> 0.5 * Math.log((1 + v) / (1 - v));
            case "deg" -> v -> v * 180 / Math.PI;
            case "rad" -> v -> v * Math.PI / 180;
            default -> null;
        };
    }

    interface PerSample {
        void apply(Sample s, int step, List<Sample> out);
    }

    private Matrix perSample(Call c, PerSample fn) {
        return perSample(c, false, fn);
    }

    private Matrix perSample(Call c, boolean histogramStats, PerSample fn) {
        boolean saved = ev.statsMode;
        ev.statsMode = saved || histogramStats;
        Matrix m;
        try {
            m = ev.evalVector(c.args().get(0));
        } finally {
            ev.statsMode = saved;
        }
        Evaluator.StepCursor cur = new Evaluator.StepCursor(m);
        Evaluator.Assembler asm = ev.assembler();
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            out.clear();
            for (Sample s : cur.at(t)) {
                fn.apply(s, i, out);
            }
            asm.add(out, t);
        }
        return asm.build();
    }

    private double[] stepScalar(java.util.function.LongToDoubleFunction f) {
        double[] out = new double[ev.numSteps];
        for (int i = 0; i < ev.numSteps; i++) {
            out[i] = f.applyAsDouble(ev.stepTime(i));
        }
        return out;
    }

    private Object timestamp(Call c) {
        Expr arg = Evaluator.unparen(c.args().get(0));
        if (arg instanceof VectorSelector vs) {
            // timestamp() of a selector reports the sample's own time, not the step's.
            return pickedSamples(vs, false, false);
        }
        return perSample(c, (s, i, out) -> out.add(new Sample(s.labels(), s.t(), s.t() / 1000.0, null, true)));
    }

    /**
     * start_timestamp(): the start timestamp (seconds, 0 when it has none) of the sample a selector picks at each
     * step. Only a selector's own samples have one: of any other expression the result is empty, as in Prometheus.
     */
    private Object startTimestamp(Call c) {
        Expr arg = Evaluator.unparen(c.args().get(0));
        if (arg instanceof VectorSelector vs) {
            return pickedSamples(vs, false, true);
        }
        ev.evalVector(arg);
        return new Matrix(List.of());
    }

    /** Per step, the time (or the start time) of the sample a selector picks, as a name-dropping vector. */
    private Matrix pickedSamples(VectorSelector vs, boolean floatsOnly, boolean startTimes) {
        Evaluator.Assembler asm = ev.assembler();
        Evaluator.StepCursor cur = new Evaluator.StepCursor(new Matrix(sampleTimes(vs, floatsOnly, startTimes)));
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            for (Sample s : cur.at(t)) {
                asm.add(new Sample(s.labels(), t, s.f(), null, true), t);
            }
        }
        return asm.build();
    }

    /** As {@link #sampleTimes(VectorSelector, boolean, boolean)} for sample times. */
    List<MatrixSeries> sampleTimes(VectorSelector vs, boolean floatsOnly) {
        return sampleTimes(vs, floatsOnly, false);
    }

    /**
     * For each step, the timestamp (or with {@code startTimes} the start timestamp) in seconds of the sample a
     * selector picks (same lookback rules as the selector); with {@code floatsOnly} a picked histogram is an error
     * (info()).
     */
    List<MatrixSeries> sampleTimes(VectorSelector vs, boolean floatsOnly, boolean startTimes) {
        long offset = ev.durationMs(vs.offsetMs(), vs.offsetExpr());
        long lookback = ev.opts.lookbackDeltaMs();
        long firstRef = ev.refTime(vs.at(), ev.start) - offset;
        long lastRef = ev.refTime(vs.at(), ev.end) - offset;
        List<MatrixSeries> raw = ev.select(vs, Math.min(firstRef, lastRef) - lookback + 1, Math.max(firstRef, lastRef), false);
        List<MatrixSeries> out = new ArrayList<>();
        for (MatrixSeries s : raw) {
            MatrixSeries o = new MatrixSeries(s.labels);
            for (int step = 0; step < ev.numSteps; step++) {
                long t = ev.stepTime(step);
                long ref = ev.refTime(vs.at(), t) - offset;
                int fi = Evaluator.lowerBound(s.ft, s.fn, ref) - 1;
                int hi = Evaluator.lowerBound(s.ht, s.hn, ref) - 1;
                long ft = fi >= 0 ? s.ft[fi] : Long.MIN_VALUE;
                long ht = hi >= 0 ? s.ht[hi] : Long.MIN_VALUE;
                long last = Math.max(ft, ht);
                if (last == Long.MIN_VALUE || last <= ref - lookback) {
                    continue;
                }
                boolean isFloat = ft >= ht;
                boolean stale = isFloat ? dev.sightline.core.Staleness.isStaleMarker(s.fv[fi])
                        : dev.sightline.core.Staleness.isStaleMarker(s.hv[hi].sum);
                if (!stale) {
                    if (floatsOnly && !isFloat) {
                        throw PromQLException.execution("info sample should be float");
                    }
                    if (startTimes) {
                        long[] st = isFloat ? s.fst : s.hst;
                        last = st == null ? 0 : st[isFloat ? fi : hi];
                    }
                    o.addFloat(t, last / 1000.0);
                }
            }
            if (o.size() > 0) {
                out.add(o);
            }
        }
        return out;
    }

    private Object absent(Call c) {
        Matrix m = ev.evalVector(c.args().get(0));
        Labels labels = absentLabels(c.args().get(0));
        Evaluator.StepCursor cur = new Evaluator.StepCursor(m);
        Evaluator.Assembler asm = ev.assembler();
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            if (cur.at(t).isEmpty()) {
                asm.add(new Sample(labels, t, 1), t);
            }
        }
        return asm.build();
    }

    /** Labels absent() reports: the equality matchers of a plain selector (none if a name appears twice). */
    static Labels absentLabels(Expr e) {
        e = Evaluator.unparen(e);
        VectorSelector vs = null;
        if (e instanceof VectorSelector v) {
            vs = v;
        } else if (e instanceof MatrixSelector ms) {
            vs = ms.vectorSelector();
        }
        if (vs == null) {
            return Labels.EMPTY;
        }
        Labels.Builder b = Labels.builder();
        java.util.Set<String> dup = new java.util.HashSet<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (LabelMatcher m : vs.matchers()) {
            if (!seen.add(m.name())) {
                dup.add(m.name());
            }
        }
        for (LabelMatcher m : vs.matchers()) {
            if (m.type() == LabelMatcher.Type.EQ && !m.name().equals(Labels.METRIC_NAME) && !dup.contains(m.name())) {
                b.set(m.name(), m.value());
            }
        }
        return b.build();
    }

    private Object dateFunction(Call c, String name) {
        java.util.function.DoubleUnaryOperator f = v -> {
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return Double.NaN;
            }
            ZonedDateTime d = Instant.ofEpochSecond((long) v).atZone(ZoneOffset.UTC);
            return switch (name) {
                case "day_of_month" -> d.getDayOfMonth();
                case "day_of_week" -> d.getDayOfWeek().getValue() % 7;
                case "day_of_year" -> d.getDayOfYear();
                case "days_in_month" -> d.toLocalDate().lengthOfMonth();
                case "hour" -> d.getHour();
                case "minute" -> d.getMinute();
                case "month" -> d.getMonthValue();
                default -> d.getYear();
            };
        };
        if (c.args().isEmpty()) {
            Evaluator.Assembler asm = ev.assembler();
            for (int i = 0; i < ev.numSteps; i++) {
                long t = ev.stepTime(i);
                asm.add(new Sample(Labels.EMPTY, t, f.applyAsDouble(t / 1000.0)), t);
            }
            return asm.build();
        }
        return perSample(c, (s, i, out) -> {
            if (s.h() == null) {
                out.add(new Sample(s.labels(), s.t(), f.applyAsDouble(s.f()), null, true));
            }
        });
    }

    private Object sort(Call c, String name) {
        List<String> labelArgs = new ArrayList<>();
        for (int i = 1; i < c.args().size(); i++) {
            labelArgs.add(((StringValue) ev.eval(c.args().get(i))).s());
        }
        if (ev.numSteps > 1) {
            ev.annos.sortIneffectiveInRange(c.position());
        }
        Matrix m = ev.evalVector(c.args().get(0));
        Evaluator.StepCursor cur = new Evaluator.StepCursor(m);
        Evaluator.Assembler asm = ev.assembler();
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            List<Sample> v = new ArrayList<>();
            for (Sample s : cur.at(t)) {
                if (s.h() == null || name.startsWith("sort_by_label")) {
                    v.add(s);
                }
            }
            Comparator<Sample> cmp = switch (name) {
                case "sort" -> (a, b) -> cmpNaNLast(a.f(), b.f(), false);
                case "sort_desc" -> (a, b) -> cmpNaNLast(a.f(), b.f(), true);
                default -> {
                    Comparator<Sample> lc = (a, b) -> {
                        for (String l : labelArgs) {
                            int r = naturalCompare(nz(a.labels().get(l)), nz(b.labels().get(l)));
                            if (r != 0) {
                                return r;
                            }
                        }
                        return a.labels().compareTo(b.labels());
                    };
                    yield name.equals("sort_by_label_desc") ? lc.reversed() : lc;
                }
            };
            v.sort(cmp);
            asm.add(v, t);
        }
        return asm.build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static int cmpNaNLast(double a, double b, boolean desc) {
        if (Double.isNaN(a)) {
            return Double.isNaN(b) ? 0 : 1;
        }
        if (Double.isNaN(b)) {
            return -1;
        }
        return desc ? Double.compare(b, a) : Double.compare(a, b);
    }

    /** Natural order: runs of digits compare numerically, other runs as text. */
    static int naturalCompare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i), cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i, sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                java.math.BigInteger na = new java.math.BigInteger(a.substring(si, i));
                java.math.BigInteger nb = new java.math.BigInteger(b.substring(sj, j));
                int r = na.compareTo(nb);
                if (r != 0) {
                    return r;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private String stringArg(Call c, int i) {
        return ((StringValue) ev.eval(c.args().get(i))).s();
    }

    private Object labelReplace(Call c) {
        String dst = stringArg(c, 1);
        String repl = stringArg(c, 2);
        String src = stringArg(c, 3);
        String regex = stringArg(c, 4);
        Pattern p;
        try {
            p = Pattern.compile("^(?s:" + regex + ")$");
        } catch (PatternSyntaxException e) {
            throw PromQLException.execution("invalid regular expression in label_replace(): " + regex);
        }
        if (!Aggregations.labelNameValid(dst)) {
            throw PromQLException.execution("invalid destination label name in label_replace(): " + dst);
        }
        return perSample(c, (s, i, out) -> {
            String v = nz(s.labels().get(src));
            Matcher m = p.matcher(v);
            if (!m.matches()) {
                out.add(s);
                return;
            }
            String res = expand(repl, m);
            Labels l = s.labels().toBuilder().set(dst, res).build();
            boolean drop = s.dropName() && !dst.equals(Labels.METRIC_NAME);
            out.add(new Sample(l, s.t(), s.f(), s.h(), drop));
        });
    }

    /** Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a literal $; an unknown group expands to nothing. */
    static String expand(String template, Matcher m) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char ch = template.charAt(i);
            if (ch != '$' || i + 1 >= template.length()) {
                sb.append(ch);
                i++;
                continue;
            }
            char nx = template.charAt(i + 1);
            if (nx == '$') {
                sb.append('$');
                i += 2;
                continue;
            }
            String name;
            int endIdx;
            if (nx == '{') {
                int close = template.indexOf('}', i + 2);
                if (close < 0) {
                    sb.append(ch);
                    i++;
                    continue;
                }
                name = template.substring(i + 2, close);
                endIdx = close + 1;
            } else {
                int j = i + 1;
                while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
                    j++;
                }
                if (j == i + 1) {
                    sb.append(ch);
                    i++;
                    continue;
                }
                name = template.substring(i + 1, j);
                endIdx = j;
            }
            String val = null;
            try {
                if (name.chars().allMatch(Character::isDigit)) {
                    int g = Integer.parseInt(name);
                    if (g <= m.groupCount()) {
                        val = m.group(g);
                    }
                } else {
                    val = m.group(name);
                }
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                val = null;
            }
            if (val != null) {
                sb.append(val);
            }
            i = endIdx;
        }
        return sb.toString();
    }

    private Object labelJoin(Call c) {
        String dst = stringArg(c, 1);
        String sep = stringArg(c, 2);
        List<String> srcs = new ArrayList<>();
        for (int i = 3; i < c.args().size(); i++) {
            srcs.add(stringArg(c, i));
        }
        if (!Aggregations.labelNameValid(dst)) {
            throw PromQLException.execution("invalid destination label name in label_join(): " + dst);
        }
        return perSample(c, (s, i, out) -> {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < srcs.size(); k++) {
                if (k > 0) {
                    sb.append(sep);
                }
                sb.append(nz(s.labels().get(srcs.get(k))));
            }
            Labels l = s.labels().toBuilder().set(dst, sb.toString()).build();
            out.add(new Sample(l, s.t(), s.f(), s.h(), s.dropName() && !dst.equals(Labels.METRIC_NAME)));
        });
    }

    // ---------------------------------------------------------------- range-vector functions

    private Object rangeFunction(Call c, String name, int matrixArg) {
        List<Expr> args = c.args();
        double[][] scalars = scalarArgs(c, matrixArg);
        if (ev.cache != null && ev.numSteps == 1) {
            Matrix m = AnomalyKernels.streaming(ev, c, name, args.get(matrixArg), scalars);
            if (m != null) {
                return m;
            }
        }
        boolean dropName = dropsName(name);
        if (streams(name) && Evaluator.unparen(args.get(matrixArg)) instanceof MatrixSelector ms) {
            Evaluator.RangeData rd = ev.rangeOf(ms, List.of());
            checkModifiers(rd, name);
            List<MatrixSeries> out = new ArrayList<>();
            streamed(c, name, rd, scalars, dropName, out::add, false);
            return new Matrix(out);
        }
        Evaluator.RangeData rd = ev.loadRange(args.get(matrixArg));
        checkModifiers(rd, name);
        if (name.equals("absent_over_time")) {
            return absentOverTime(c, rd);
        }
        List<MatrixSeries> series = rd.series;
        if (!splits(name, rd)) {
            return new Matrix(applyRange(c, name, rd, series, scalars, dropName));
        }
        // The second half on another core while this thread does the first, each with its own kernel (kernels keep
        // per-series state); the halves' outputs keep the series order.
        int half = series.size() / 2;
        CompletableFuture<List<MatrixSeries>> second = CompletableFuture.supplyAsync(
                () -> applyRange(c, name, rd, series.subList(half, series.size()), scalars, dropName), ForkJoinPool.commonPool());
        List<MatrixSeries> out;
        try {
            out = applyRange(c, name, rd, series.subList(0, half), scalars, dropName);
        } catch (RuntimeException | Error e) {
            second.cancel(false);
            throw e;
        }
        out.addAll(join(second));
        return new Matrix(out);
    }

    /**
     * For an aggregation folding its input series one by one: passes the output series of a call that {@link #streamed}
     * evaluates to {@code sink} as they come, in order, without collecting them. Returns false when the call is not
     * such, having evaluated nothing, or when its input holds histograms (the sink takes floats only), having passed
     * the sink some series: the caller then evaluates the call as usual. The sink must keep none of the series it
     * is given: their arrays are reused for later ones.
     */
    boolean streamInto(Call c, Consumer<MatrixSeries> sink) {
        String name = c.function().name();
        int matrixArg = matrixArg(c.args());
        if (matrixArg < 0 || !streams(name) || !(Evaluator.unparen(c.args().get(matrixArg)) instanceof MatrixSelector ms)) {
            return false;
        }
        double[][] scalars = scalarArgs(c, matrixArg);
        Evaluator.RangeData rd = ev.rangeOf(ms, List.of());
        checkModifiers(rd, name);
        return streamed(c, name, rd, scalars, dropsName(name), sink, true);
    }

    /** The index of the last range-vector argument, -1 when none. */
    private static int matrixArg(List<Expr> args) {
        int matrixArg = -1;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).type() == ExprType.MATRIX) {
                matrixArg = i;
            }
        }
        return matrixArg;
    }

    /** The scalar arguments evaluated per step; null for the others. */
    private double[][] scalarArgs(Call c, int matrixArg) {
        List<Expr> args = c.args();
        double[][] scalars = new double[args.size()][];
        for (int i = 0; i < args.size(); i++) {
            if (i != matrixArg && args.get(i).type() == ExprType.SCALAR) {
                scalars[i] = ev.evalScalar(args.get(i));
            }
        }
        return scalars;
    }

    private static boolean dropsName(String name) {
        return !name.equals("last_over_time") && !name.equals("first_over_time");
    }

    /** Range functions whose float windows touch nothing shared (no annotations): split over two threads. */
    private static final Set<String> SPLITTABLE = Set.of("avg_over_time", "sum_over_time", "min_over_time", "max_over_time",
            "count_over_time", "last_over_time", "present_over_time");
    /** Below this many series x steps, handing half to another thread costs more than it saves. */
    private static final long SPLIT_MIN_POINTS = 100_000;

    /**
     * Whether to evaluate the two halves of the series at once: only for functions in {@link #SPLITTABLE} over float
     * series (a histogram can raise annotations, which are not shared between threads), with more than one core.
     */
    private boolean splits(String name, Evaluator.RangeData rd) {
        if (!SPLITTABLE.contains(name) || rd.series.size() < 2 || (long) rd.series.size() * ev.numSteps < SPLIT_MIN_POINTS
                || Runtime.getRuntime().availableProcessors() < 2) {
            return false;
        }
        for (MatrixSeries s : rd.series) {
            if (s.hn > 0) {
                return false;
            }
        }
        return true;
    }

    private List<MatrixSeries> applyRange(Call c, String name, Evaluator.RangeData rd, List<MatrixSeries> series,
                                          double[][] scalars, boolean dropName) {
        List<MatrixSeries> out = new ArrayList<>();
        WindowKernel k = kernel(c, name, rd);
        int[] sliding = new int[4];
        for (MatrixSeries s : series) {
            MatrixSeries o = applyOne(k, rd, s, scalars, dropName, sliding, new MatrixSeries(s.labels, ev.outputCapacity()));
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    private WindowKernel kernel(Call c, String name, Evaluator.RangeData rd) {
        return AnomalyKernels.RANGE_FUNCTIONS.contains(name) ? new AnomalyKernels(ev, c, name) : new RangeKernels(ev.annos, c, rd, name);
    }

    /**
     * Whether a range function over a matrix selector is applied by {@link #streamed}: those of {@link RangeKernels}
     * (per-series state only) but absent_over_time, which looks at all series at once.
     */
    private static boolean streams(String name) {
        return !AnomalyKernels.RANGE_FUNCTIONS.contains(name) && !name.equals("absent_over_time");
    }

    /** The function over every step's window of {@code s} into {@code o} (empty); null when no step has output. */
    private MatrixSeries applyOne(WindowKernel k, Evaluator.RangeData rd, MatrixSeries s, double[][] scalars, boolean dropName,
                                  int[] sliding, MatrixSeries o) {
        o.dropName = dropName;
        if (k.applySteps(ev, rd, s, o)) {
            ev.checkDeadline();
            return o.size() > 0 ? o : null;
        }
        boolean slides = rd.slides();
        java.util.Arrays.fill(sliding, 0);
        for (int step = 0; step < ev.numSteps; step++) {
            // Per step too: one series' steps over wide windows (a subquery's) can take seconds.
            ev.checkDeadline(step);
            long t = ev.stepTime(step);
            long ref = rd.refTime(t);
            int[] w;
            if (slides) {
                rd.slide(s, ref, sliding);
                w = sliding;
            } else {
                w = rd.window(s, ref);
            }
            k.apply(s, w, ref, t, step, scalars, o);
        }
        ev.checkDeadline();
        return o.size() > 0 ? o : null;
    }

    /** Series per batch of {@link #streamed}: the unit the two threads share and the output order is kept by. */
    private static final int BATCH = 64;

    /**
     * A {@link RangeKernels} function ({@link #streams}) over a matrix selector, reading one series at a time instead
     * of holding all their raw points (a day of 4,000 series at 15 s: 370 MB allocated per query; 460 MB for rate
     * over 5,000 counters). The series come a batch at a time; two threads (this one and a helper on another core)
     * claim the series of a batch one by one, each reading its points with its own decoder and applying the function
     * with its own kernel: reading (most of the time: 5.5 ns a point against the windows' arithmetic) runs on two
     * cores, while this thread also fetches the next batch's series from the storage. The helper's kernel keeps its
     * warnings apart (annotations are not shared between threads) until its batch is done; a series holding
     * histograms is applied on this thread alone, after the helper's batch when the helper read it. The output
     * series go to {@code sink} in the order {@link #applyRange} over all the series gives them. With
     * {@code floatsOnly} a series holding histograms stops the reading instead: the result is then false; the sink
     * then folds each series as it comes ({@link #streamInto}), so the output series of a batch are recycled for the
     * next (a new one per input series was most of a query's allocation: 4,000 series at 1,440 steps, 92 MB, a young
     * collection each).
     */
    private boolean streamed(Call c, String name, Evaluator.RangeData rd, double[][] scalars, boolean dropName,
                             Consumer<MatrixSeries> sink, boolean floatsOnly) {
        Evaluator.SelectorReader reader = ev.new SelectorReader(rd.selector, rd.minTime(), rd.maxTime(), true);
        boolean twoCores = Runtime.getRuntime().availableProcessors() >= 2;
        Annotations theirAnnos = new Annotations();
        Lane mine = new Lane(kernel(c, name, rd), reader, rd, scalars, dropName, true);
        Lane theirs = new Lane(new RangeKernels(theirAnnos, c, rd, name), reader, rd, scalars, dropName, false);
        Batch batch = new Batch(floatsOnly);
        Batch next = new Batch(floatsOnly);
        batch.fetch(reader);
        batch.start(ev.samplesHeld());
        CompletableFuture<Void> helper = help(theirs, batch, twoCores);
        while (batch.size > 0) {
            Batch cur = batch;
            try {
                next.fetch(reader);
                mine.work(cur);
            } catch (RuntimeException | Error e) {
                stop(cur, helper, e);
                throw e;
            }
            if (helper != null) {
                join(helper);
                ev.annos.merge(theirAnnos);
            }
            ev.countSamples(cur.loaded.get());
            if (cur.histograms) {
                return false;
            }
            // The helper starts on the next batch while this thread hands this one's output to the sink.
            next.start(ev.samplesHeld());
            helper = help(theirs, next, twoCores);
            try {
                for (int i = 0; i < cur.size; i++) {
                    if (cur.deferred[i] != null) {
                        cur.results[i] = mine.apply(cur, i, cur.deferred[i]);
                        cur.deferred[i] = null;
                    }
                    if (cur.results[i] != null) {
                        sink.accept(cur.results[i]);
                        cur.results[i] = null;
                    }
                }
            } catch (RuntimeException | Error e) {
                stop(next, helper, e);
                throw e;
            }
            batch = next;
            next = cur;
        }
        return true;
    }

    /** The helper's work on {@code b}, on another core; null when there is none or the batch is too small to share. */
    private CompletableFuture<Void> help(Lane theirs, Batch b, boolean twoCores) {
        if (!twoCores || (long) b.size * ev.numSteps < SPLIT_MIN_POINTS / 8) {
            return null;
        }
        return CompletableFuture.runAsync(() -> {
            try {
                theirs.work(b);
            } catch (RuntimeException | Error e) {
                b.stop();
                throw e;
            }
        }, ForkJoinPool.commonPool());
    }

    /**
     * On {@code e}, thrown on the query thread while the helper works on {@code b}: waits for the helper to stop after
     * its series in progress; its own failure, if any, goes along with {@code e}.
     */
    private static void stop(Batch b, CompletableFuture<Void> helper, Throwable e) {
        b.stop();
        if (helper != null) {
            try {
                helper.join();
            } catch (CompletionException other) {
                e.addSuppressed(other.getCause());
            }
        }
    }

    /** The series of one batch of {@link #streamed}, what the threads claim of them and what they made of them. */
    private static final class Batch {
        final Series[] series = new Series[BATCH];
        int size;
        final AtomicInteger claims = new AtomicInteger();
        /** Points read from the batch's series so far, by both threads. */
        final AtomicLong loaded = new AtomicLong();
        /** Points accounted for before the batch. */
        long held;
        /** With floatsOnly: a series holds histograms (the batch is stopped). */
        volatile boolean histograms;
        final boolean floatsOnly;
        final MatrixSeries[] results = new MatrixSeries[BATCH];
        /** Series holding histograms that the helper read, left for the query thread's kernel. */
        final MatrixSeries[] deferred = new MatrixSeries[BATCH];
        /** With floatsOnly, output series recycled from batch to batch (the sink keeps none). */
        final MatrixSeries[] outputs;

        Batch(boolean floatsOnly) {
            this.floatsOnly = floatsOnly;
            this.outputs = floatsOnly ? new MatrixSeries[BATCH] : null;
        }

        /** The next series of the reader (their handles only: they are read when claimed). */
        void fetch(Evaluator.SelectorReader reader) {
            size = 0;
            for (Series s; size < BATCH && (s = reader.nextSeries()) != null; ) {
                series[size++] = s;
            }
            Arrays.fill(series, size, BATCH, null);
        }

        void start(long held) {
            this.held = held;
            claims.set(0);
            loaded.set(0);
        }

        /** Leaves no series to claim: the threads stop after the one they are on. */
        void stop() {
            claims.set(size);
        }
    }

    /** What one thread of {@link #streamed} applies the function with: its decoder, its kernel and their buffers. */
    private final class Lane {
        private final WindowKernel kernel;
        private final Evaluator.SeriesDecoder decoder;
        private final Evaluator.RangeData rd;
        private final double[][] scalars;
        private final boolean dropName;
        /** Whether this is the query thread's lane: the one that applies series holding histograms. */
        private final boolean queryThread;
        private final int[] sliding = new int[4];
        /** The raw series read last, whose arrays the next one read takes over. */
        private MatrixSeries spent;

        Lane(WindowKernel kernel, Evaluator.SelectorReader reader, Evaluator.RangeData rd, double[][] scalars,
             boolean dropName, boolean queryThread) {
            this.kernel = kernel;
            this.decoder = reader.decoder();
            this.rd = rd;
            this.scalars = scalars;
            this.dropName = dropName;
            this.queryThread = queryThread;
        }

        /** Reads and applies the function to the series of {@code b} not claimed yet, claiming one at a time. */
        void work(Batch b) {
            for (int i; (i = b.claims.getAndIncrement()) < b.size; ) {
                MatrixSeries s = decoder.decode(b.series[i], spent);
                ev.checkSampleLimit(b.held + b.loaded.addAndGet(s.size()));
                if (s.hn > 0 && b.floatsOnly) {
                    b.histograms = true;
                    b.stop();
                    return;
                }
                if (s.hn > 0 && !queryThread) {
                    b.deferred[i] = s; // its arrays are the query thread's now: the next read gets new ones
                    spent = null;
                    continue;
                }
                b.results[i] = apply(b, i, s);
                spent = s;
            }
        }

        /** The function over series {@code i} of {@code b}, read as {@code s}: its output, null when it has none. */
        MatrixSeries apply(Batch b, int i, MatrixSeries s) {
            MatrixSeries o = b.outputs == null ? null : b.outputs[i];
            if (o == null) {
                o = new MatrixSeries(s.labels, ev.outputCapacity());
                if (b.outputs != null) {
                    b.outputs[i] = o;
                }
            } else {
                o.clear(s.labels);
            }
            return applyOne(kernel, rd, s, scalars, dropName, sliding, o);
        }
    }

    /** Waits for work on another thread, rethrowing its failure as it was thrown there. */
    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private void checkModifiers(Evaluator.RangeData rd, String name) {
        if (rd.anchored && !List.of("changes", "delta", "increase", "rate", "resets").contains(name)) {
            throw PromQLException.execution("anchored modifier can only be used with: changes, delta, increase, rate, resets - not with " + name);
        }
        if (rd.smoothed && !List.of("delta", "increase", "rate").contains(name)) {
            throw PromQLException.execution("smoothed modifier can only be used with: delta, increase, rate - not with " + name);
        }
    }

    private Object absentOverTime(Call c, Evaluator.RangeData rd) {
        Labels labels = absentLabels(c.args().get(0));
        Evaluator.Assembler asm = ev.assembler();
        for (int step = 0; step < ev.numSteps; step++) {
            ev.checkDeadline(step);
            long t = ev.stepTime(step);
            long ref = rd.refTime(t);
            boolean any = false;
            for (MatrixSeries s : rd.series) {
                int[] w = rd.window(s, ref);
                if (w[1] > w[0] || w[3] > w[2]) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                asm.add(new Sample(labels, t, 1), t);
            }
        }
        return asm.build();
    }
}
