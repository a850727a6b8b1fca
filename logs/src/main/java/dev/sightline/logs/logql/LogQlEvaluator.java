package dev.sightline.logs.logql;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.text.Utf8;
import dev.sightline.logs.FieldCondition;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The LogQL engine over any {@link LogQuerier}. Log queries run the whole pipeline on every line the store gives back;
 * what is safe to answer in the store (stream matchers, line filters while the line is as stored, field conditions
 * directly after one argument-less json or logfmt, see {@link FieldCondition}) is also handed to it in the
 * {@link LogSelection}, so a store with an index reads less, never answers differently. Metric queries whose pipeline
 * is only line filters read {@link LogQuerier#samples} (no line text). Range windows are {@code (t - range, t]}.
 */
public final class LogQlEvaluator implements LogQlEngine {
    /** Loki's (and Prometheus's) limit on the points of one series of a range query. */
    public static final int MAX_POINTS = 11_000;

    private final LogQuerier querier;
    private final boolean pushdown;

    public LogQlEvaluator(LogQuerier querier) {
        this(querier, true);
    }

    /** With {@code pushdown} false the store gets stream matchers only and the engine does everything else. */
    LogQlEvaluator(LogQuerier querier, boolean pushdown) {
        this.querier = querier;
        this.pushdown = pushdown;
    }

    @Override
    public LogQlResult instant(String query, long timeNanos, LogSelection.Direction direction, int limit) {
        Ast.Expr e = LogQlParser.parse(query);
        if (e instanceof Ast.LogExpr log) {
            return logQuery(log, Long.MIN_VALUE, timeNanos, direction, limit);
        }
        long[] steps = {timeNanos};
        Value v = eval((Ast.MetricExpr) e, steps);
        if (v instanceof Scalar s) {
            return new LogQlResult.Scalar(millis(timeNanos), s.values()[0]);
        }
        List<LogQlResult.Sample> out = new ArrayList<>();
        for (Series s : merge(((Vector) v).series())) {
            if (s.has[0]) {
                out.add(new LogQlResult.Sample(s.labels, millis(timeNanos), s.values[0]));
            }
        }
        if (e instanceof Ast.VectorAgg agg && agg.op().startsWith("sort")) {
            Comparator<LogQlResult.Sample> byValue = Comparator.comparingDouble(LogQlResult.Sample::value);
            out.sort(agg.op().equals("sort") ? byValue : byValue.reversed());
        } else {
            out.sort(Comparator.comparing(LogQlResult.Sample::labels));
        }
        return new LogQlResult.Vector(out);
    }

    @Override
    public LogQlResult range(String query, long startNanos, long endNanos, long stepNanos,
                             LogSelection.Direction direction, int limit) {
        if (startNanos > endNanos) {
            throw new LogQlException("invalid query range: the end is before the start");
        }
        Ast.Expr e = LogQlParser.parse(query);
        if (e instanceof Ast.LogExpr log) {
            return logQuery(log, startNanos, endNanos, direction, limit);
        }
        if (stepNanos <= 0) {
            throw new LogQlException("zero or negative query resolution step widths are not accepted. Try a "
                    + "positive integer");
        }
        long points = (endNanos - startNanos) / stepNanos + 1;
        if (points > MAX_POINTS) {
            throw new LogQlException("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing "
                    + "the query resolution (?step=XX)");
        }
        long[] steps = new long[(int) points];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = startNanos + i * stepNanos;
        }
        Value v = eval((Ast.MetricExpr) e, steps);
        List<Series> series = v instanceof Scalar s
                ? List.of(new Series(Labels.EMPTY, s.values(), filled(steps.length)))
                : ((Vector) v).series();
        List<LogQlResult.Series> out = new ArrayList<>();
        for (Series s : merge(series)) {
            int n = 0;
            for (boolean h : s.has) {
                n += h ? 1 : 0;
            }
            if (n == 0) {
                continue;
            }
            long[] times = new long[n];
            double[] values = new double[n];
            int k = 0;
            for (int i = 0; i < steps.length; i++) {
                if (s.has[i]) {
                    times[k] = millis(steps[i]);
                    values[k++] = s.values[i];
                }
            }
            out.add(new LogQlResult.Series(s.labels, times, values));
        }
        out.sort(Comparator.comparing(LogQlResult.Series::labels));
        return new LogQlResult.Matrix(out);
    }

    private static long millis(long nanos) {
        return Math.floorDiv(nanos, 1_000_000L);
    }

    private static boolean[] filled(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    // ---- log queries

    /** What the store is asked for and whether the pipeline can still drop a line the store gives. */
    private record Plan(LogSelection selection, boolean pipelineMayDrop) {
    }

    private Plan plan(Ast.LogExpr log, long from, long to) {
        List<LineFilter> lineFilters = new ArrayList<>();
        List<FieldCondition> conditions = new ArrayList<>();
        boolean mayDrop = false;
        boolean lineAsStored = true;
        boolean labelsAsStored = true; // only line filters so far: labels are the stream's and metadata's
        FieldCondition.Parser chain = null; // open while label filters directly follow an argument-less json/logfmt
        for (Pipeline.Stage stage : log.stages()) {
            switch (stage) {
                case Pipeline.LineFilterStage f -> {
                    if (pushdown && lineAsStored) {
                        lineFilters.add(f.filter());
                    } else {
                        mayDrop = true;
                    }
                }
                case Pipeline.FieldsParser p -> {
                    chain = labelsAsStored ? p.parser() : null;
                    labelsAsStored = false;
                }
                case Pipeline.LabelFilterStage lf -> {
                    mayDrop = true;
                    if (chain != null && pushdown) {
                        chain = pushConditions(chain, lf.filter(), conditions) ? chain : null;
                    }
                }
                default -> {
                    chain = null;
                    labelsAsStored = false;
                    lineAsStored &= !(stage instanceof Pipeline.LineFormat || stage instanceof Pipeline.Decolorize
                            || stage instanceof Pipeline.UnpackParser);
                }
            }
        }
        List<LabelMatcher> matchers = log.matchers();
        LogSelection s = new LogSelection(from, to, matchers, lineFilters, conditions,
                LogSelection.Direction.FORWARD, Integer.MAX_VALUE);
        return new Plan(s, mayDrop || !pushdown && !log.stages().isEmpty());
    }

    /**
     * Adds the conjuncts of {@code filter} the store can answer, in order, while they stay equivalent to the
     * pipeline: string equalities, and comparisons up to the first one (after a comparison's conversion error Loki
     * lets every later filter pass, which a condition on its own would not). False when the chain must close.
     */
    private static boolean pushConditions(FieldCondition.Parser parser, Pipeline.LabelFilter filter,
                                          List<FieldCondition> out) {
        if (filter instanceof Pipeline.And and) {
            return pushConditions(parser, and.left(), out) && pushConditions(parser, and.right(), out);
        }
        // x="" also matches a line without x (Prometheus's reading), where a condition fails: not pushed.
        if (filter instanceof Pipeline.StringFilter sf && sf.matcher().type() == LabelMatcher.Type.EQ
                && !sf.matcher().value().isEmpty() && pushableName(sf.matcher().name())) {
            out.add(FieldCondition.string(parser, sf.matcher().name(), sf.matcher().value()));
            return true;
        }
        if (filter instanceof Pipeline.CompareFilter cf && cf.op() != Pipeline.CompareOp.NE
                && pushableName(cf.name())) {
            FieldCondition.Op op = switch (cf.op()) {
                case EQ -> FieldCondition.Op.EQ;
                case GT -> FieldCondition.Op.GT;
                case GE -> FieldCondition.Op.GE;
                case LT -> FieldCondition.Op.LT;
                default -> FieldCondition.Op.LE;
            };
            out.add(FieldCondition.compare(parser, cf.name(), cf.type(), op, cf.bound()));
            return false;
        }
        return false;
    }

    /** Error labels are the pipeline's; a renamed clash ({@code x_extracted}) is a name the store's fields lack. */
    private static boolean pushableName(String name) {
        return !name.startsWith("__") && !name.endsWith("_extracted");
    }

    private LogQlResult logQuery(Ast.LogExpr log, long from, long to, LogSelection.Direction direction, int limit) {
        if (limit <= 0) {
            throw new LogQlException("limit must be a positive number, got " + limit);
        }
        Plan plan = plan(log, from, to);
        LogSelection selection = plan.selection().withOrder(direction,
                plan.pipelineMayDrop() ? Integer.MAX_VALUE : limit);
        Map<Labels, List<LogQlResult.Line>> streams = new HashMap<>();
        Pipeline.LineState state = new Pipeline.LineState();
        int[] count = {0};
        querier.select(selection, entry -> {
            state.reset(entry.timeNanos(), entry.line(), entry.stream(), entry.metadata());
            if (run(log.stages(), state)) {
                streams.computeIfAbsent(state.labels(), k -> new ArrayList<>())
                        .add(new LogQlResult.Line(entry.timeNanos(), state.line));
                count[0]++;
            }
            return count[0] < limit;
        });
        List<LogQlResult.Stream> out = new ArrayList<>();
        new TreeMap<>(streams).forEach((labels, lines) -> out.add(new LogQlResult.Stream(labels, lines)));
        return new LogQlResult.Streams(out);
    }

    private static boolean run(List<Pipeline.Stage> stages, Pipeline.LineState s) {
        for (Pipeline.Stage stage : stages) {
            if (!stage.process(s)) {
                return false;
            }
        }
        return true;
    }

    // ---- metric queries

    /** A series over the query's steps: a value where {@code has} is set. */
    private record Series(Labels labels, double[] values, boolean[] has) {
        Series(Labels labels, int steps) {
            this(labels, new double[steps], new boolean[steps]);
        }
    }

    private sealed interface Value {
    }

    private record Scalar(double[] values) implements Value {
    }

    private record Vector(List<Series> series) implements Value {
    }

    private Value eval(Ast.MetricExpr e, long[] steps) {
        return switch (e) {
            case Ast.NumberLit n -> {
                double[] v = new double[steps.length];
                Arrays.fill(v, n.value());
                yield new Scalar(v);
            }
            case Ast.VectorLit n -> {
                double[] v = new double[steps.length];
                Arrays.fill(v, n.value());
                yield new Vector(List.of(new Series(Labels.EMPTY, v, filled(steps.length))));
            }
            case Ast.RangeAgg r -> new Vector(rangeAgg(r, steps, null));
            case Ast.VectorAgg a -> vectorAgg(a, steps);
            case Ast.BinOp b -> binary(b, steps);
        };
    }

    /** Range aggregations whose per-group sum is the sum of the per-series values: a sum by over them groups lines. */
    private static final List<String> ADDITIVE = List.of("count_over_time", "rate", "bytes_over_time", "bytes_rate");

    /**
     * The range aggregation at every step. With {@code outer} set (a {@code sum by/without} directly around an
     * additive aggregation), lines are grouped by it right away: the same sums without a series per stream.
     */
    private List<Series> rangeAgg(Ast.RangeAgg r, long[] steps, Ast.Grouping outer) {
        Ast.LogRange range = r.range();
        Ast.Unwrap unwrap = range.unwrap();
        long from = steps[0] - range.offsetNanos() - range.rangeNanos() + 1;
        long to = steps[steps.length - 1] - range.offsetNanos();
        boolean absent = r.op().equals("absent_over_time");
        Labels absentLabels = absent ? absentLabels(range.log().matchers()) : null;
        Ast.Grouping grouping = outer != null ? outer : r.grouping();
        String dropUnwrapped = unwrap != null && (grouping == null || grouping.without()) ? unwrap.label() : null;
        Map<Labels, Samples> groups = new HashMap<>();
        Map<Labels, Labels> keys = new HashMap<>();
        boolean bytes = r.op().startsWith("bytes");
        boolean onlyLineFilters = unwrap == null;
        for (Pipeline.Stage s : range.log().stages()) {
            // Grafana's volume queries add "| drop __error__": a no-op where no parser can have set one.
            onlyLineFilters &= s instanceof Pipeline.LineFilterStage || s instanceof Pipeline.DropKeep d && !d.keep()
                    && d.matchers().isEmpty() && Set.of(Pipeline.ERROR, Pipeline.ERROR_DETAILS).containsAll(d.names());
        }
        Pipeline.LineState state = new Pipeline.LineState();
        Plan plan = plan(range.log(), from, to);
        if (onlyLineFilters && pushdown) {
            // Per stream and metadata set its group's samples, so a sample costs two lookups and an append.
            Map<Labels, Map<Labels, Samples>> targets = new HashMap<>();
            querier.samples(plan.selection(), (stream, metadata, time, lineBytes) -> {
                Map<Labels, Samples> byMetadata = targets.computeIfAbsent(stream, k -> new HashMap<>());
                Samples target = byMetadata.get(metadata);
                if (target == null) {
                    state.reset(time, "", stream, metadata);
                    Labels key = absent ? absentLabels : groupKey(keys, state.labels(), grouping);
                    target = groups.computeIfAbsent(key, k -> new Samples());
                    byMetadata.put(metadata, target);
                }
                target.add(time, bytes ? lineBytes : 1);
                return true;
            });
        } else {
            querier.select(plan.selection(), entry -> {
                state.reset(entry.timeNanos(), entry.line(), entry.stream(), entry.metadata());
                if (!run(range.log().stages(), state)) {
                    return true;
                }
                double value = bytes ? Utf8.encodedLength(state.line) : 1;
                if (unwrap != null) {
                    value = unwrap(unwrap, state);
                    if (!run(unwrap.after(), state)) {
                        return true;
                    }
                    if (dropUnwrapped != null) {
                        state.delete(dropUnwrapped);
                    }
                }
                if (state.hasError()) {
                    String error = state.get(Pipeline.ERROR);
                    throw new LogQlException("pipeline error: '" + error + "' for series: '" + state.labels()
                            + "'. Use a label filter to intentionally skip this error. (e.g | __error__!=\"" + error
                            + "\"). To skip all potential errors you can match empty errors.(e.g __error__=\"\")");
                }
                // A by-grouping reads its few labels; only without and no grouping need the line's whole label set.
                Labels key = absent ? absentLabels : grouping != null && !grouping.without()
                        ? byKey(state, grouping.labels()) : groupKey(keys, state.labels(), grouping);
                groups.computeIfAbsent(key, k -> new Samples()).add(entry.timeNanos(), value);
                return true;
            });
        }
        List<Series> out = new ArrayList<>();
        if (absent) {
            Samples all = groups.getOrDefault(absentLabels, new Samples());
            Series s = evalWindows(r, all, steps, unwrap != null);
            Series result = new Series(absentLabels, steps.length);
            for (int i = 0; i < steps.length; i++) {
                result.has[i] = !s.has[i];
                result.values[i] = 1;
            }
            out.add(result);
            return out;
        }
        groups.forEach((labels, samples) -> {
            Series s = evalWindows(r, samples, steps, unwrap != null);
            out.add(new Series(labels, s.values, s.has));
        });
        return out;
    }

    private static Series evalWindows(Ast.RangeAgg r, Samples samples, long[] steps, boolean unwrapped) {
        samples.sort();
        Ast.LogRange range = r.range();
        Series s = new Series(Labels.EMPTY, steps.length);
        int lo = 0;
        int hi = 0;
        for (int i = 0; i < steps.length; i++) {
            long end = steps[i] - range.offsetNanos();
            lo = samples.after(end - range.rangeNanos(), lo);
            hi = samples.after(end, Math.max(hi, lo));
            double v = samples.apply(r.op(), r.param(), lo, hi, end, range.rangeNanos(), unwrapped);
            if (hi > lo) {
                s.values[i] = v;
                s.has[i] = true;
            }
        }
        return s;
    }

    /** The unwrapped label's value converted; 0 with {@code SampleExtractionErr} set when it is missing or bad. */
    private static double unwrap(Ast.Unwrap u, Pipeline.LineState s) {
        String raw = s.get(u.label());
        if (raw == null || raw.isEmpty()) {
            s.setError("SampleExtractionErr", "label " + u.label() + " not found or empty");
            return 0;
        }
        double v = switch (u.conversion()) {
            case NUMBER -> dev.sightline.logs.LogFields.number(raw);
            case DURATION -> dev.sightline.logs.LogFields.durationSeconds(raw);
            case BYTES -> dev.sightline.logs.LogFields.bytes(raw);
        };
        if (Double.isNaN(v) && !raw.equalsIgnoreCase("nan")) {
            s.setError("SampleExtractionErr", "cannot convert \"" + raw + "\" to "
                    + u.conversion().name().toLowerCase(java.util.Locale.ROOT));
            return 0;
        }
        return v;
    }

    private static Labels absentLabels(List<LabelMatcher> matchers) {
        Labels.Builder b = Labels.builder();
        for (LabelMatcher m : matchers) {
            if (m.type() == LabelMatcher.Type.EQ) {
                b.set(m.name(), m.value());
            }
        }
        return b.build();
    }

    private static Labels groupKey(Map<Labels, Labels> cache, Labels labels, Ast.Grouping g) {
        if (g == null) {
            return labels;
        }
        return cache.computeIfAbsent(labels, l -> grouped(l, g));
    }

    private static Labels byKey(Pipeline.LineState s, List<String> names) {
        Labels.Builder b = Labels.builder();
        for (String n : names) {
            b.set(n, s.get(n));
        }
        return b.build();
    }

    private static Labels grouped(Labels l, Ast.Grouping g) {
        String[] names = g.labels().toArray(new String[0]);
        return g.without() ? l.without(names) : l.keep(names);
    }

    private Value vectorAgg(Ast.VectorAgg a, long[] steps) {
        if (a.op().equals("sum") && a.inner() instanceof Ast.RangeAgg r && ADDITIVE.contains(r.op())
                && r.range().unwrap() == null) {
            Ast.Grouping g = a.grouping() != null ? a.grouping() : new Ast.Grouping(false, List.of());
            return new Vector(rangeAgg(r, steps, g));
        }
        List<Series> inner = vector(eval(a.inner(), steps), a.op());
        Map<Labels, List<Series>> groups = new LinkedHashMap<>();
        Map<Labels, Labels> cache = new HashMap<>();
        Ast.Grouping g = a.grouping() != null ? a.grouping() : new Ast.Grouping(false, List.of());
        for (Series s : inner) {
            groups.computeIfAbsent(groupKey(cache, s.labels, g), k -> new ArrayList<>()).add(s);
        }
        List<Series> out = new ArrayList<>();
        switch (a.op()) {
            case "sort", "sort_desc" -> out.addAll(inner);
            case "topk", "bottomk" -> {
                int k = (int) a.param();
                boolean top = a.op().equals("topk");
                for (List<Series> members : groups.values()) {
                    List<Series> selected = new ArrayList<>();
                    for (Series m : members) {
                        selected.add(new Series(m.labels, m.values, new boolean[steps.length]));
                    }
                    Integer[] order = new Integer[members.size()];
                    for (int i = 0; i < steps.length; i++) {
                        int step = i;
                        int n = 0;
                        for (int j = 0; j < members.size(); j++) {
                            if (members.get(j).has[step]) {
                                order[n++] = j;
                            }
                        }
                        // NaN ranks last either way, as Prometheus.
                        Comparator<Integer> cmp = (x, y) -> {
                            double vx = members.get(x).values[step];
                            double vy = members.get(y).values[step];
                            if (Double.isNaN(vx) || Double.isNaN(vy)) {
                                return Boolean.compare(Double.isNaN(vx), Double.isNaN(vy));
                            }
                            return top ? Double.compare(vy, vx) : Double.compare(vx, vy);
                        };
                        Arrays.sort(order, 0, n, cmp);
                        for (int j = 0; j < Math.min(k, n); j++) {
                            selected.get(order[j]).has[step] = true;
                        }
                    }
                    out.addAll(selected);
                }
            }
            default -> groups.forEach((key, members) -> out.add(aggregate(a.op(), key, members, steps.length)));
        }
        return new Vector(out);
    }

    private static List<Series> vector(Value v, String where) {
        if (v instanceof Vector vec) {
            return vec.series();
        }
        throw new LogQlException("expected a vector in " + where + ", got a scalar");
    }

    private static Series aggregate(String op, Labels key, List<Series> members, int steps) {
        Series out = new Series(key, steps);
        for (int i = 0; i < steps; i++) {
            int n = 0;
            double sum = 0;
            double mean = 0;
            double m2 = 0;
            double min = Double.NaN;
            double max = Double.NaN;
            for (Series m : members) {
                if (!m.has[i]) {
                    continue;
                }
                double v = m.values[i];
                n++;
                sum += v;
                double d = v - mean;
                mean += d / n;
                m2 += d * (v - mean);
                min = n == 1 || v < min || Double.isNaN(min) ? v : min;
                max = n == 1 || v > max || Double.isNaN(max) ? v : max;
            }
            if (n == 0) {
                continue;
            }
            out.has[i] = true;
            out.values[i] = switch (op) {
                case "sum" -> sum;
                case "avg" -> mean;
                case "count" -> n;
                case "min" -> min;
                case "max" -> max;
                case "stdvar" -> m2 / n;
                case "stddev" -> Math.sqrt(m2 / n);
                default -> throw new LogQlException("not implemented: " + op);
            };
        }
        return out;
    }

    // ---- binary operations

    private Value binary(Ast.BinOp b, long[] steps) {
        Value l = eval(b.lhs(), steps);
        Value r = eval(b.rhs(), steps);
        String op = b.op();
        if (l instanceof Scalar ls && r instanceof Scalar rs) {
            double[] v = new double[steps.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = arithmeticOrBool(op, ls.values()[i], rs.values()[i]);
            }
            return new Scalar(v);
        }
        if (l instanceof Scalar || r instanceof Scalar) {
            boolean scalarLeft = l instanceof Scalar;
            double[] scalar = scalarLeft ? ((Scalar) l).values() : ((Scalar) r).values();
            List<Series> out = new ArrayList<>();
            for (Series s : scalarLeft ? ((Vector) r).series() : ((Vector) l).series()) {
                Series o = new Series(s.labels, steps.length);
                for (int i = 0; i < steps.length; i++) {
                    if (s.has[i]) {
                        double x = scalarLeft ? scalar[i] : s.values[i];
                        double y = scalarLeft ? s.values[i] : scalar[i];
                        combine(op, b.returnBool(), x, y, s.values[i], o, i);
                    }
                }
                out.add(o);
            }
            return new Vector(out);
        }
        List<Series> lhs = ((Vector) l).series();
        List<Series> rhs = ((Vector) r).series();
        return switch (op) {
            case "and", "unless", "or" -> setOperation(op, lhs, rhs, b.matching(), steps.length);
            default -> vectorMatch(b, lhs, rhs, steps.length);
        };
    }

    private static boolean isComparison(String op) {
        return switch (op) {
            case "==", "!=", ">", ">=", "<", "<=" -> true;
            default -> false;
        };
    }

    /**
     * Sets {@code out}'s point {@code i} for {@code x op y}: arithmetic gives the result, a comparison keeps
     * {@code kept} when true (or gives 1/0 with bool).
     */
    private static void combine(String op, boolean returnBool, double x, double y, double kept, Series out, int i) {
        if (!isComparison(op)) {
            out.values[i] = arithmeticOrBool(op, x, y);
            out.has[i] = true;
            return;
        }
        boolean t = compare(op, x, y);
        if (returnBool) {
            out.values[i] = t ? 1 : 0;
            out.has[i] = true;
        } else if (t) {
            out.values[i] = kept;
            out.has[i] = true;
        }
    }

    private static double arithmeticOrBool(String op, double x, double y) {
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> x / y;
            case "%" -> x % y;
            case "^" -> Math.pow(x, y);
            default -> compare(op, x, y) ? 1 : 0;
        };
    }

    private static boolean compare(String op, double x, double y) {
        return switch (op) {
            case "==" -> x == y;
            case "!=" -> x != y;
            case ">" -> x > y;
            case ">=" -> x >= y;
            case "<" -> x < y;
            case "<=" -> x <= y;
            default -> throw new LogQlException("not implemented: operator " + op);
        };
    }

    private static Labels signature(Labels l, Ast.Matching m) {
        if (m == null) {
            return l;
        }
        String[] names = m.labels().toArray(new String[0]);
        return m.on() ? l.keep(names) : l.without(names);
    }

    /** One-to-one matching, as Prometheus: each side's signatures unique per step, result labels by the matching. */
    private static Vector vectorMatch(Ast.BinOp b, List<Series> lhs, List<Series> rhs, int steps) {
        Ast.Matching m = b.matching();
        Map<Labels, Series> out = new LinkedHashMap<>();
        for (int i = 0; i < steps; i++) {
            Map<Labels, Series> right = new HashMap<>();
            for (Series s : rhs) {
                if (s.has[i] && right.put(signature(s.labels, m), s) != null) {
                    throw new LogQlException("found duplicate series for the match group " + signature(s.labels, m)
                            + " on the right hand-side of the operation; many-to-many matching not allowed: "
                            + "matching labels must be unique on one side");
                }
            }
            Map<Labels, Series> seen = new HashMap<>();
            for (Series s : lhs) {
                if (!s.has[i]) {
                    continue;
                }
                Labels sig = signature(s.labels, m);
                Series r = right.get(sig);
                if (r == null) {
                    continue;
                }
                if (seen.put(sig, s) != null) {
                    throw new LogQlException("found duplicate series for the match group " + sig + " on the left "
                            + "hand-side of the operation; many-to-many matching not allowed: matching labels must "
                            + "be unique on one side");
                }
                Labels result = m == null ? s.labels : signature(s.labels, m);
                Series o = out.computeIfAbsent(result, k -> new Series(k, steps));
                combine(b.op(), b.returnBool(), s.values[i], r.values[i], s.values[i], o, i);
            }
        }
        return new Vector(new ArrayList<>(out.values()));
    }

    private static Vector setOperation(String op, List<Series> lhs, List<Series> rhs, Ast.Matching m, int steps) {
        List<Series> out = new ArrayList<>();
        List<Series> rightOut = new ArrayList<>();
        for (Series s : lhs) {
            out.add(new Series(s.labels, s.values, new boolean[steps]));
        }
        for (Series s : rhs) {
            rightOut.add(new Series(s.labels, s.values, new boolean[steps]));
        }
        for (int i = 0; i < steps; i++) {
            java.util.Set<Labels> rightSigs = new java.util.HashSet<>();
            for (Series s : rhs) {
                if (s.has[i]) {
                    rightSigs.add(signature(s.labels, m));
                }
            }
            java.util.Set<Labels> leftSigs = new java.util.HashSet<>();
            for (int j = 0; j < lhs.size(); j++) {
                Series s = lhs.get(j);
                if (!s.has[i]) {
                    continue;
                }
                Labels sig = signature(s.labels, m);
                leftSigs.add(sig);
                boolean inRight = rightSigs.contains(sig);
                out.get(j).has[i] = switch (op) {
                    case "and" -> inRight;
                    case "unless" -> !inRight;
                    default -> true;
                };
            }
            if (op.equals("or")) {
                for (int j = 0; j < rhs.size(); j++) {
                    Series s = rhs.get(j);
                    rightOut.get(j).has[i] = s.has[i] && !leftSigs.contains(signature(s.labels, m));
                }
            }
        }
        if (op.equals("or")) {
            out.addAll(rightOut);
        }
        return new Vector(out);
    }

    /** Series of the same labels combined (an {@code or} may give a label set from both sides): first one wins. */
    private static List<Series> merge(List<Series> series) {
        Map<Labels, Series> byLabels = new LinkedHashMap<>();
        for (Series s : series) {
            Series into = byLabels.get(s.labels);
            if (into == null) {
                byLabels.put(s.labels, new Series(s.labels, s.values.clone(), s.has.clone()));
                continue;
            }
            for (int i = 0; i < s.has.length; i++) {
                if (s.has[i] && !into.has[i]) {
                    into.has[i] = true;
                    into.values[i] = s.values[i];
                }
            }
        }
        return new ArrayList<>(byLabels.values());
    }
}
