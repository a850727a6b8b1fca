package dev.sightline.promql.differential;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The queries both engines answer: hand-written ones covering each feature, plus expressions generated at random
 * (seeded) from a small grammar. Each expression is asked as an instant query and as a range query.
 *
 * <p>Avoided because Prometheus 2.42 and 3.x legitimately differ: anything on a range or lookback boundary (3.x
 * ranges are left-open: samples sit 250 ms past whole seconds, queries use whole seconds); subquery steps that land
 * on the subquery's range start (query times are 17 s past a minute, every subquery step is a multiple of 30 s,
 * offsets are whole minutes, and subqueries are never nested, since inner evaluation times are step-aligned);
 * holt_winters/double_exponential_smoothing, functions newer than 2.42 (mad_over_time, sort_by_label, limitk,
 * limit_ratio, info, ts_of_*, first_over_time, histogram_* of native histograms), native histograms, regexes whose
 * {@code .} would meet a newline (3.x lets it), UTF-8 names, subqueries without an explicit step,, delayed
 * {@code __name__} removal (a 3.x feature flag, off here), {@code atan2} on named series (2.42 keeps the metric
 * name, later versions drop it as for other arithmetic), and counters starting near zero inside a range (2.42
 * applies the zero-point bound before the start-gap rule, 3.x after: see {@link DataSet}).
 */
final class QueryCorpus {
    /** One evaluation: instant when {@code stepMs == 0} (at {@code startMs}). */
    record Query(String expr, long startMs, long endMs, long stepMs) {
        boolean instant() {
            return stepMs == 0;
        }

        String describe() {
            return instant() ? "instant @" + startMs + ": " + expr
                    : "range [" + startMs + ", " + endMs + "] step " + stepMs / 1000 + "s: " + expr;
        }
    }

    private static final String[] COUNTERS = {"http_requests_total", "errors_total", "node_cpu_seconds_total",
            "request_duration_seconds_count", "request_duration_seconds_sum"};
    private static final String[] GAUGES = {"memory_usage_bytes", "queue_length", "temperature_celsius", "up"};

    static final List<String> HAND_WRITTEN = List.of(
            "http_requests_total",
            "http_requests_total{job=\"api\",code=\"500\"}",
            "http_requests_total{job=~\"api|web\",method!=\"GET\"}",
            "http_requests_total{instance!~\"10\\\\.0\\\\.3\\\\..*\"}",
            "{__name__=~\"http_requests_total|errors_total\",code=\"500\"}",
            "up == 0",
            "up offset 30m",
            "memory_usage_bytes offset 1h",
            "temperature_celsius @ 1700003417",
            "rate(http_requests_total[5m])",
            "irate(http_requests_total[2m])",
            "increase(errors_total[10m])",
            "resets(http_requests_total[30m])",
            "delta(temperature_celsius[10m])",
            "idelta(queue_length[3m])",
            "deriv(memory_usage_bytes[10m])",
            "predict_linear(memory_usage_bytes[15m], 3600)",
            "changes(up[30m])",
            "avg_over_time(queue_length[10m])",
            "min_over_time(temperature_celsius[5m])",
            "max_over_time(temperature_celsius[5m])",
            "sum_over_time(queue_length[2m])",
            "count_over_time(up[10m])",
            "last_over_time(memory_usage_bytes[5m])",
            "present_over_time(up[10m])",
            "absent_over_time(nonexistent_metric[5m])",
            "stddev_over_time(temperature_celsius[10m])",
            "stdvar_over_time(queue_length[10m])",
            "quantile_over_time(0.9, temperature_celsius[10m])",
            "sum by (job) (rate(http_requests_total[5m]))",
            "sum without (instance, method) (rate(http_requests_total[5m]))",
            "avg by (job, code) (rate(http_requests_total[5m]))",
            "max by (mode) (rate(node_cpu_seconds_total[5m]))",
            "min without (cpu) (rate(node_cpu_seconds_total[5m]))",
            "count by (job) (up)",
            "count(http_requests_total)",
            "stddev by (job) (memory_usage_bytes)",
            "stdvar(temperature_celsius)",
            "group by (job) (http_requests_total)",
            "topk(3, rate(http_requests_total[5m]))",
            "bottomk(2, memory_usage_bytes)",
            "topk by (job) (1, memory_usage_bytes)",
            "quantile(0.9, rate(http_requests_total[5m]))",
            "quantile by (job) (0.5, memory_usage_bytes)",
            "count_values(\"value\", queue_length)",
            "count_values by (job) (\"up_value\", up)",
            "histogram_quantile(0.99, sum by (le) (rate(request_duration_seconds_bucket[5m])))",
            "histogram_quantile(0.5, sum by (job, le) (rate(request_duration_seconds_bucket[10m])))",
            "histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))",
            "rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])",
            "sum by (job) (rate(http_requests_total{code=\"500\"}[5m])) / sum by (job) (rate(http_requests_total[5m]))",
            "rate(http_requests_total[5m]) / ignoring(code) group_left sum without (code) (rate(http_requests_total[5m]))",
            "rate(errors_total[5m]) * on(job, instance) group_left(version) build_info",
            "memory_usage_bytes / on(job, instance) group_left sum by (job, instance) (up)",
            "sum by (job, instance) (rate(http_requests_total[5m])) > bool 20",
            "rate(http_requests_total[5m]) > 10",
            "10 < rate(http_requests_total[5m])",
            "memory_usage_bytes > bool on(job, instance) memory_usage_bytes offset 10m",
            "http_requests_total and on(job, instance) (up == 1)",
            "http_requests_total unless on(instance) (up == 0)",
            "memory_usage_bytes or temperature_celsius",
            "up or on(job) vector(1)",
            "-memory_usage_bytes",
            "memory_usage_bytes / 1024 / 1024",
            "2 ^ queue_length",
            "queue_length % 7",
            "sum by (zone) (temperature_celsius) atan2 10",
            "abs(temperature_celsius)",
            "ceil(temperature_celsius)",
            "floor(temperature_celsius)",
            "round(temperature_celsius, 0.5)",
            "sqrt(temperature_celsius)",
            "ln(memory_usage_bytes)",
            "log2(queue_length)",
            "log10(memory_usage_bytes)",
            "exp(queue_length / 10)",
            "clamp(temperature_celsius, 0, 10)",
            "clamp_min(temperature_celsius, 0)",
            "clamp_max(queue_length, 20)",
            "sgn(temperature_celsius)",
            "sin(temperature_celsius)",
            "cosh(queue_length / 50)",
            "deg(pi() / 4) + rad(90)",
            "timestamp(up)",
            "time() - timestamp(memory_usage_bytes)",
            "scalar(sum(up)) * up",
            "vector(scalar(count(up)))",
            "absent(nonexistent_metric{job=\"x\"})",
            "absent(up)",
            "sort(memory_usage_bytes)",
            "sort_desc(sum by (job) (rate(http_requests_total[5m])))",
            "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
            "label_replace(rate(http_requests_total[5m]), \"status\", \"${1}xx\", \"code\", \"(.).*\")",
            "label_join(up, \"id\", \"/\", \"job\", \"instance\")",
            "max_over_time(rate(http_requests_total[5m])[30m:1m])",
            "avg_over_time(sum by (job) (rate(http_requests_total[5m]))[10m:30s])",
            "min_over_time(memory_usage_bytes[20m:2m] offset 5m)",
            "deriv(sum(memory_usage_bytes)[15m:1m])",
            "rate(http_requests_total[5m] offset 10m)",
            "increase(http_requests_total[1h] @ 1700005217)",
            "sum(rate(http_requests_total[5m] @ end()))",
            "http_requests_total[5m]",
            "rate(http_requests_total[5m])[10m:1m]",
            "minute(timestamp(up))",
            "hour() + day_of_week() + days_in_month()",
            "1 + 2 * 3",
            "time()",
            "http_requests_total + errors_total",
            "sum(http_requests_total) by (job) * on(job) group_right count by (job, instance) (up)"
    );

    /**
     * topk/bottomk over equal values, asked instant and as range queries: the aggregated expression is a selector or
     * a range function, whose series Prometheus hands on in storage order (sorted by labels) at every step.
     */
    static final List<String> TIES = List.of(
            "topk(1, tie_const)",
            "bottomk(1, tie_const)",
            "topk(3, tie_const)",
            "bottomk(5, tie_const)",
            "topk by (job) (2, tie_const)",
            "bottomk without (le) (1, tie_const)",
            "topk(15, tie_const)",
            "bottomk(1, present_over_time(tie_const[10m]))",
            "topk(4, present_over_time(tie_const[10m]))",
            "count by (job) (topk(2, present_over_time(tie_const[10m])))",
            "count by (job, le) (bottomk(7, tie_const))",
            "topk(2, count_over_time(tie_const[5m]))",
            "bottomk(3, resets(tie_counter_total[30m]))",
            "topk(2, resets(tie_counter_total[30m]))",
            "topk(2, tie_counter_total)",
            "bottomk(2, tie_counter_total offset 5m)",
            "topk(2, rate(tie_counter_total[5m]))",
            "bottomk by (job) (1, increase(tie_counter_total[10m]))",
            "topk(3, tie_gauge)",
            "bottomk(3, tie_gauge)",
            "topk(1, tie_gauge)",
            "bottomk(1, tie_gauge)",
            "bottomk(13, tie_gauge)",
            "topk by (instance) (1, tie_gauge)",
            "topk(1, changes(tie_gauge[10m]))",
            "count(topk(4, tie_gauge))",
            "topk(2, up)",
            "bottomk by (job) (2, build_info)"
    );

    /**
     * Ties where the aggregated expression is itself an aggregation, a binary operation or an instant function:
     * instant queries only, since 2.42's range evaluation collects such results in a Go map and hands them on in
     * random order, so its choice among equal values changes from one run to the next.
     */
    static final List<String> TIES_INSTANT = List.of(
            "topk(1, group by (job) (tie_const))",
            "bottomk(1, group by (job, instance) (tie_const))",
            "count by (job) (bottomk(2, group by (job, instance) (tie_const)))",
            "topk(2, sum by (job, instance) (tie_const))",
            "topk(1, topk(3, tie_const))",
            "bottomk(1, topk(3, tie_const))",
            "topk(2, bottomk(5, tie_gauge))",
            "bottomk(1, bottomk(4, present_over_time(tie_const[10m])))",
            "topk(1, bottomk by (job) (2, resets(tie_counter_total[30m])))",
            "topk(1, topk(20, tie_const))",
            "bottomk(2, bottomk(15, tie_const))",
            "topk(3, topk(14, tie_gauge))",
            "topk(1, tie_const * 2)",
            "bottomk(2, abs(tie_gauge))",
            "topk(1, tie_gauge or tie_const)",
            // More than 12 kept values of which some are equal: Go's pdqsort, not its insertion sort, orders them.
            "topk(16, tie_const + on(job, instance) group_left tie_gauge)",
            "bottomk(14, tie_const * on(job, instance) group_left tie_gauge)",
            "topk(13, tie_const - on(job, instance) group_left tie_gauge)",
            "topk(1, bottomk(17, tie_const + on(job, instance) group_left tie_gauge))"
    );

    private final Random rnd;

    private QueryCorpus(long seed) {
        this.rnd = new Random(seed);
    }

    /** The hand-written expressions plus {@code generated} random ones, each asked instant and as a range query. */
    static List<Query> build(long seed, int generated) {
        QueryCorpus c = new QueryCorpus(seed);
        Set<String> exprs = new LinkedHashSet<>(HAND_WRITTEN);
        while (exprs.size() < HAND_WRITTEN.size() + generated) {
            exprs.add(c.vector(3).text);
        }
        exprs.addAll(TIES);
        List<Query> out = new ArrayList<>();
        for (String e : exprs) {
            out.add(c.instantQuery(e));
            if (!e.endsWith("[5m]") && !e.endsWith("[10m:1m]")) { // range vectors cannot be range queries
                out.add(c.rangeQuery(e));
            }
        }
        for (String e : TIES_INSTANT) {
            out.add(c.instantQuery(e));
        }
        return out;
    }

    /** A whole minute plus 17 s: never a multiple of any subquery step (all are multiples of 30 s). */
    private long queryTime(int minute) {
        return DataSet.T0_MS + minute * 60_000L + 17_000;
    }

    private Query instantQuery(String e) {
        return new Query(e, queryTime(5 + rnd.nextInt(176)), 0, 0);
    }

    private Query rangeQuery(String e) {
        int startMin = rnd.nextInt(150);
        int len = 10 + rnd.nextInt(Math.max(1, 185 - startMin - 10));
        long step = new long[]{30_000, 60_000, 60_000, 120_000, 300_000}[rnd.nextInt(5)];
        return new Query(e, queryTime(startMin), queryTime(startMin + len), step);
    }

    /** An expression and the label names its series carry (for by/without/on choices). */
    private record Gen(String text, List<String> labels) {
    }

    private String pick(String... options) {
        return options[rnd.nextInt(options.length)];
    }

    private static List<String> labelsOf(String metric) {
        return switch (metric) {
            case "http_requests_total" -> List.of("job", "instance", "method", "code");
            case "errors_total" -> List.of("job", "instance", "code");
            case "node_cpu_seconds_total" -> List.of("job", "instance", "cpu", "mode");
            case "queue_length" -> List.of("job", "instance", "queue");
            case "temperature_celsius" -> List.of("job", "instance", "zone");
            default -> List.of("job", "instance");
        };
    }

    private String matchers(String metric) {
        List<String> ls = labelsOf(metric);
        int n = rnd.nextInt(3);
        List<String> ms = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            String l = ls.get(rnd.nextInt(ls.size()));
            String m = switch (l) {
                case "job" -> pick("job=\"api\"", "job!=\"web\"", "job=~\"api|worker\"", "job!~\"w.*\"");
                case "instance" -> pick("instance=~\".*\\\\.1:.*\"", "instance!~\"10\\\\.0\\\\.3\\\\..*\"");
                case "code" -> pick("code=\"500\"", "code=~\"2..\"");
                case "method" -> pick("method=\"GET\"", "method!=\"GET\"");
                case "mode" -> pick("mode=\"idle\"", "mode!~\"idle|user\"");
                case "cpu" -> "cpu=\"1\"";
                case "queue" -> "queue=\"high\"";
                default -> "zone=~\"a|c\"";
            };
            if (!ms.contains(m)) {
                ms.add(m);
            }
        }
        return ms.isEmpty() ? metric : metric + "{" + String.join(",", ms) + "}";
    }

    private String offset() {
        return switch (rnd.nextInt(10)) {
            case 0, 1 -> " offset " + pick("1m", "5m", "30m", "1h");
            case 2 -> " @ " + pick("start()", "end()", "1700003417");
            default -> "";
        };
    }

    private String range() {
        return pick("1m", "2m", "5m", "5m", "10m", "30m");
    }

    /** A range function over a counter or gauge selector. */
    private Gen rangeFn() {
        if (rnd.nextBoolean()) {
            String m = COUNTERS[rnd.nextInt(COUNTERS.length)];
            String f = pick("rate", "rate", "irate", "increase", "resets");
            return new Gen(f + "(" + matchers(m) + "[" + range() + "]" + offset() + ")", labelsOf(m));
        }
        String m = GAUGES[rnd.nextInt(GAUGES.length)];
        String sel = matchers(m) + "[" + range() + "]" + offset();
        String text = switch (rnd.nextInt(12)) {
            case 0 -> "delta(" + sel + ")";
            case 1 -> "deriv(" + sel + ")";
            case 2 -> "idelta(" + sel + ")";
            case 3 -> "changes(" + sel + ")";
            case 4 -> "predict_linear(" + sel + ", " + pick("60", "600", "-300") + ")";
            case 5 -> "quantile_over_time(" + pick("0", "0.25", "0.5", "0.99", "1") + ", " + sel + ")";
            default -> pick("avg", "min", "max", "sum", "count", "last", "stddev", "stdvar", "present") + "_over_time(" + sel + ")";
        };
        return new Gen(text, labelsOf(m));
    }

    private Gen selector() {
        String m = rnd.nextBoolean() ? GAUGES[rnd.nextInt(GAUGES.length)] : COUNTERS[rnd.nextInt(COUNTERS.length)];
        return new Gen(matchers(m) + offset(), labelsOf(m));
    }

    private List<String> someOf(List<String> labels) {
        List<String> out = new ArrayList<>();
        for (String l : labels) {
            if (rnd.nextInt(3) == 0) {
                out.add(l);
            }
        }
        return out;
    }

    private Gen vector(int depth) {
        int choice = depth <= 0 ? rnd.nextInt(2) : rnd.nextInt(12);
        switch (choice) {
            case 0 -> {
                return selector();
            }
            case 1 -> {
                return rangeFn();
            }
            case 2, 3 -> { // aggregation
                Gen in = vector(depth - 1);
                List<String> grp = someOf(in.labels);
                boolean without = rnd.nextInt(3) == 0;
                String mod = rnd.nextInt(4) == 0 && !without && grp.isEmpty() ? ""
                        : (without ? " without (" : " by (") + String.join(", ", grp) + ")";
                List<String> outLabels = without ? minus(in.labels, grp) : grp;
                return switch (rnd.nextInt(11)) {
                    // Rounded: the value becomes a label, and 3.x sums with Kahan compensation, so unrounded sums
                    // may differ in the last bit and name a different series.
                    case 10 -> new Gen("count_values" + mod + " (\"value\", round(" + in.text + "))", plus(outLabels, "value"));
                    // Which of several equal values topk/bottomk keep is unspecified: only inputs without ties.
                    case 0 -> topk("topk", mod, continuous());
                    case 1 -> topk("bottomk", mod, continuous());
                    case 2 -> new Gen("quantile" + mod + " (" + pick("0.1", "0.5", "0.95") + ", " + in.text + ")", outLabels);
                    default -> new Gen(pick("sum", "sum", "avg", "max", "min", "count", "stddev", "group") + mod
                            + " (" + in.text + ")", outLabels);
                };
            }
            case 4 -> { // vector op scalar
                Gen in = vector(depth - 1);
                String n = pick("2", "0.5", "100", "1e3", "0", "-1");
                String op = pick("+", "-", "*", "/", "%", "^", ">", "<", ">=", "<=", "== bool", "!= bool", "> bool");
                return rnd.nextBoolean() ? new Gen("(" + in.text + ") " + op + " " + n, in.labels)
                        : new Gen(n + " " + op + " (" + in.text + ")", in.labels);
            }
            case 5, 6 -> { // vector op vector, both aggregated to the same labels so matching is one-to-one
                Gen a = vector(depth - 1);
                Gen b = vector(depth - 1);
                List<String> common = new ArrayList<>(a.labels);
                common.retainAll(b.labels);
                List<String> on = someOf(common);
                String ls = String.join(", ", on);
                String op = pick("+", "-", "*", "/", "> bool", "< bool", "and", "or", "unless", ">");
                String match = op.equals("and") || op.equals("unless") || rnd.nextBoolean() ? " on(" + ls + ") " : " ";
                if (op.equals("or")) {
                    match = " ";
                    return new Gen("sum by (" + ls + ") (" + a.text + ") or sum by (" + ls + ") (" + b.text + ")", on);
                }
                return new Gen("sum by (" + ls + ") (" + a.text + ") " + op + match + "sum by (" + ls + ") (" + b.text + ")", on);
            }
            case 7 -> { // group_left: a many side against a one side aggregated on fewer labels
                Gen a = vector(depth - 1);
                List<String> on = someOf(a.labels);
                String ls = String.join(", ", on);
                return new Gen("(" + a.text + ") " + pick("/", "*", "-") + " on(" + ls + ") group_left sum by (" + ls
                        + ") (" + a.text + ")", a.labels);
            }
            case 8 -> { // math function
                Gen in = vector(depth - 1);
                String f = pick("abs", "ceil", "floor", "round", "sqrt", "ln", "log2", "log10", "exp", "sgn", "timestamp", "sort", "sort_desc");
                if (rnd.nextInt(4) == 0) {
                    return new Gen(pick("clamp_min", "clamp_max") + "(" + in.text + ", " + pick("0", "1", "100") + ")", in.labels);
                }
                return new Gen(f + "(" + in.text + ")", in.labels);
            }
            case 9 -> { // label_replace
                Gen in = vector(depth - 1);
                if (in.labels.isEmpty()) {
                    return in;
                }
                String src = in.labels.get(rnd.nextInt(in.labels.size()));
                List<String> out = new ArrayList<>(in.labels);
                out.add("dst");
                return new Gen("label_replace(" + in.text + ", \"dst\", \"x-$1\", \"" + src + "\", \"" + pick("(.*)", "([a-z]+)", "(.).*") + "\")", out);
            }
            case 10 -> { // subquery over a non-subquery inner expression
                Gen in = rnd.nextBoolean() ? rangeFn() : selector();
                String inner = rnd.nextBoolean() ? "sum by (job) (" + in.text + ")" : in.text;
                List<String> l = inner.startsWith("sum by (job)") ? List.of("job") : in.labels;
                return new Gen(pick("max_over_time", "avg_over_time", "min_over_time", "last_over_time", "deriv", "delta")
                        + "((" + inner + ")[" + pick("5m", "10m", "30m") + ":" + pick("30s", "1m", "2m", "5m") + "]"
                        + (rnd.nextInt(4) == 0 ? " offset 5m" : "") + ")", l);
            }
            default -> { // histogram_quantile over rate of buckets
                String by = pick("le", "job, le", "instance, le", "job, instance, le");
                List<String> l = new ArrayList<>(List.of(by.split(", ")));
                l.remove("le");
                return new Gen("histogram_quantile(" + pick("0", "0.5", "0.9", "0.99", "1") + ", sum by (" + by
                        + ") (rate(" + matchers("request_duration_seconds_bucket") + "[" + pick("1m", "5m", "10m") + "])))", l);
            }
        }
    }

    private Gen topk(String op, String mod, Gen in) {
        return new Gen(op + mod + " (" + (1 + rnd.nextInt(3)) + ", " + in.text + ")", in.labels);
    }

    /** Series whose values are continuous random floats, so no two are equal (topk/bottomk have no ties to break). */
    private Gen continuous() {
        if (rnd.nextBoolean()) {
            String m = pick("http_requests_total", "node_cpu_seconds_total", "request_duration_seconds_sum");
            return new Gen(pick("rate", "irate", "increase") + "(" + matchers(m) + "[" + pick("2m", "5m", "10m") + "]"
                    + offset() + ")", labelsOf(m));
        }
        String m = pick("memory_usage_bytes", "temperature_celsius");
        if (rnd.nextBoolean()) {
            return new Gen(matchers(m) + offset(), labelsOf(m));
        }
        return new Gen(pick("avg", "min", "max") + "_over_time(" + matchers(m) + "[5m]" + offset() + ")", labelsOf(m));
    }

    private static List<String> plus(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    private static List<String> minus(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.removeAll(b);
        return out;
    }
}
