package dev.sightline.traces.traceql;

import dev.sightline.traces.traceql.Ast.FieldExpr;
import dev.sightline.traces.traceql.Ast.MetricsFn;
import dev.sightline.traces.traceql.TraceQLEngine.Label;
import dev.sightline.traces.traceql.TraceQLEngine.Series;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sorts matching spans into series and steps as Tempo's metrics engine does: steps are right-closed intervals
 * {@code (t - step, t]} stamped with their end; an instant query ({@code end - start == step}) is one closed interval
 * {@code [start, end]}. Series are labelled by the {@code by(...)} values (nil values left out; when all are nil the
 * first label reads {@code nil}), an ungrouped series by {@code __name__} = the function. quantile_over_time and
 * histogram_over_time bucket each value to the next power of two (durations in nanoseconds, labelled in seconds;
 * values below 2 are dropped), as Tempo does; the quantiles interpolate exponentially inside a bucket.
 */
final class MetricsAccumulator {
    private final Ast.Metrics metrics;
    private final long start;
    private final long step;
    private final boolean instant;
    private final int intervals;
    private final Map<List<Object>, double[][]> series = new HashMap<>();
    /** The key of the span being observed, reused: a span of an existing series allocates no key. */
    private final List<Object> scratch = new ArrayList<>();

    MetricsAccumulator(Ast.Metrics metrics, long start, long end, long step, boolean instant) {
        this.metrics = metrics;
        this.start = start;
        this.step = step;
        this.instant = instant;
        this.intervals = instant ? 1 : (int) ((end - start) / step);
    }

    long timestamp(int interval) {
        return instant ? start + step : start + (interval + 1) * step;
    }

    /** The interval of a span start; the caller only passes spans inside the query's range. */
    private int intervalOf(long ts) {
        if (instant) {
            return 0;
        }
        long offset = ts - start;
        int i = (int) (offset / step);
        return offset % step == 0 ? i - 1 : i;
    }

    void observe(TraceView t, int i) {
        int interval = intervalOf(t.spans[i].span().startUnixNano());
        if (interval < 0 || interval >= intervals) {
            return;
        }
        if (metrics.compare() != null) {
            observeCompare(t, i, interval);
            return;
        }
        List<Object> key = scratch;
        key.clear();
        for (FieldExpr by : metrics.by()) {
            key.add(Evaluator.value(by, t, i));
        }
        double v = Double.NaN;
        if (metrics.field() != null) {
            Object raw = Evaluator.value(metrics.field(), t, i);
            if (!Values.isNumber(raw)) {
                return;
            }
            boolean dur = raw instanceof Ast.Dur;
            v = dur ? ((Ast.Dur) raw).nanos() : Values.toDouble(raw);
            if (metrics.fn() == MetricsFn.QUANTILE_OVER_TIME || metrics.fn() == MetricsFn.HISTOGRAM_OVER_TIME) {
                if (!(v >= 2)) {
                    return;
                }
                double bucket = log2Bucket(v);
                key.add(dur ? bucket / 1e9 : bucket);
                v = 1;
            } else if (dur) {
                v /= 1e9;
            }
        }
        double[][] acc = series.get(key);
        if (acc == null) { // a new series: only now is its key copied
            acc = newAccumulator();
            series.put(List.copyOf(key), acc);
        }
        switch (metrics.fn()) {
            case RATE, COUNT_OVER_TIME, QUANTILE_OVER_TIME, HISTOGRAM_OVER_TIME -> acc[0][interval]++;
            case MIN_OVER_TIME -> acc[0][interval] = Double.isNaN(acc[0][interval]) ? v : Math.min(acc[0][interval], v);
            case MAX_OVER_TIME -> acc[0][interval] = Double.isNaN(acc[0][interval]) ? v : Math.max(acc[0][interval], v);
            case SUM_OVER_TIME -> acc[0][interval] = Double.isNaN(acc[0][interval]) ? v : acc[0][interval] + v;
            case AVG_OVER_TIME -> {
                acc[0][interval] = Double.isNaN(acc[0][interval]) ? v : acc[0][interval] + v;
                acc[1][interval]++;
            }
        }
    }

    /** The smallest power of two at or above {@code v} (exact, where a log would round). */
    static double log2Bucket(double v) {
        double floor = Math.scalb(1.0, Math.getExponent(v));
        return floor == v ? v : floor * 2;
    }

    private double[][] newAccumulator() {
        double[][] acc = new double[2][intervals];
        boolean counting = switch (metrics.fn()) {
            case RATE, COUNT_OVER_TIME, QUANTILE_OVER_TIME, HISTOGRAM_OVER_TIME -> true;
            default -> false;
        };
        if (!counting) {
            Arrays.fill(acc[0], Double.NaN);
        }
        return acc;
    }

    // ---------------------------------------------------------------- compare()

    /** compare()'s counts on one side: per attribute and value, and per attribute in total, each per step. */
    private final class Side {
        final Map<String, Map<Object, double[]>> values = new TreeMap<>();
        final Map<String, double[]> totals = new TreeMap<>();

        void count(String attribute, Object value, int interval) {
            values.computeIfAbsent(attribute, k -> new HashMap<>())
                    .computeIfAbsent(value, k -> new double[intervals])[interval]++;
            totals.computeIfAbsent(attribute, k -> new double[intervals])[interval]++;
        }

        void countAll(String prefix, dev.sightline.core.span.Attributes attrs, int interval) {
            for (int k = 0; k < attrs.size(); k++) {
                count(prefix + attrs.key(k), TraceQLEngine.resultValue(Evaluator.attribute(attrs, attrs.key(k))),
                        interval);
            }
        }
    }

    private final Side baseline = new Side();
    private final Side selection = new Side();
    private Compiler.SpanPred selectionFilter;

    /**
     * As Tempo's compare(): the span goes to the selection or the baseline, and each of its attributes (span and
     * resource) and its name, status, kind and status message count once for their value.
     */
    private void observeCompare(TraceView t, int i, int interval) {
        Ast.Compare c = metrics.compare();
        if (selectionFilter == null) {
            selectionFilter = Compiler.compile(c.selection().expr());
        }
        var span = t.spans[i].span();
        long st = span.startUnixNano();
        boolean inWindow = c.startNanos() == 0 && c.endNanos() == 0 || st >= c.startNanos() && st < c.endNanos();
        Side side = inWindow && selectionFilter.test(t, i) ? selection : baseline;
        side.countAll("span.", span.attributes(), interval);
        side.countAll("resource.", t.spans[i].resource().attributes(), interval);
        side.count("name", span.name(), interval);
        side.count("status", TraceQLEngine.resultValue(span.statusCode()), interval);
        side.count("kind", TraceQLEngine.resultValue(span.kind()), interval);
        if (!span.statusMessage().isEmpty()) {
            side.count("statusMessage", span.statusMessage(), interval);
        }
    }

    /**
     * Per side and attribute, the topN values by their total count as {@code {__meta_type="baseline|selection",
     * attr=value}}; per attribute the totals as {@code {__meta_type="baseline_total|selection_total", attr=nil}}; an
     * attribute with more values than topN on either side gets {@code {__meta_error="__too_many_values__",
     * attr=nil}} with no samples.
     */
    private List<Series> compareSeries(List<Raw> raw) {
        int topN = metrics.compare().topN();
        Set<String> tooMany = new TreeSet<>();
        for (var typed : List.of(Map.entry("baseline", baseline), Map.entry("selection", selection))) {
            typed.getValue().values.forEach((attribute, values) -> {
                List<Map.Entry<Object, double[]>> ranked = new ArrayList<>(values.entrySet());
                ranked.sort(Comparator.<Map.Entry<Object, double[]>>comparingDouble(e -> -Arrays.stream(e.getValue())
                        .sum()).thenComparing(e -> String.valueOf(e.getKey())));
                for (var e : ranked.subList(0, Math.min(topN, ranked.size()))) {
                    add(raw, List.of(new Label("__meta_type", typed.getKey()), new Label(attribute, e.getKey())),
                            e.getValue());
                }
                if (ranked.size() > topN) {
                    tooMany.add(attribute);
                }
            });
            typed.getValue().totals.forEach((attribute, counts) -> add(raw, List.of(
                    new Label("__meta_type", typed.getKey() + "_total"), new Label(attribute, null)), counts));
        }
        List<Series> errors = new ArrayList<>();
        for (String attribute : tooMany) {
            errors.add(new Series(List.of(new Label("__meta_error", "__too_many_values__"), new Label(attribute, null)),
                    new long[0], new double[0]));
        }
        return errors;
    }

    /** A series before its empty steps are dropped. */
    private record Raw(List<Label> labels, double[] values) {
    }

    List<Series> series() {
        List<Raw> raw = new ArrayList<>();
        List<Series> result = new ArrayList<>();
        int byCount = metrics.by().size();
        switch (metrics.fn()) {
            case COMPARE -> result.addAll(compareSeries(raw));
            case QUANTILE_OVER_TIME -> {
                // Group the bucket series of each label set, then one series per quantile.
                Map<List<Object>, TreeMap<Double, double[]>> groups = new HashMap<>();
                series.forEach((key, acc) -> groups.computeIfAbsent(key.subList(0, byCount), k -> new TreeMap<>())
                        .put((Double) key.get(byCount), acc[0]));
                groups.forEach((key, buckets) -> {
                    for (double q : metrics.quantiles()) {
                        List<Label> labels = labels(key, false);
                        labels.add(new Label("p", q));
                        double[] values = new double[intervals];
                        for (int i = 0; i < intervals; i++) {
                            values[i] = log2Quantile(q, buckets, i);
                        }
                        add(raw, labels, values);
                    }
                });
            }
            case HISTOGRAM_OVER_TIME -> series.forEach((key, acc) -> {
                List<Label> labels = labels(key.subList(0, byCount), false);
                labels.add(new Label("__bucket", key.get(byCount)));
                add(raw, labels, acc[0]);
            });
            default -> series.forEach((key, acc) -> {
                double[] values = acc[0].clone();
                for (int i = 0; i < intervals; i++) {
                    if (metrics.fn() == MetricsFn.RATE) {
                        values[i] /= step / 1e9;
                    } else if (metrics.fn() == MetricsFn.AVG_OVER_TIME) {
                        values[i] /= acc[1][i];
                    }
                }
                add(raw, labels(key, true), values);
            });
        }
        List<Raw> kept = metrics.topK() == null ? raw : topK(raw, metrics.topK());
        for (Raw r : kept) {
            Series s = withoutEmptySteps(r);
            if (s != null) {
                result.add(s);
            }
        }
        result.sort(Comparator.comparing(Series::promLabels));
        return result;
    }

    /**
     * Tempo's topk/bottomk: at each step the k series with the largest (smallest) values keep that step's value,
     * the others lose it; ties go to the series whose labels sort first.
     */
    private List<Raw> topK(List<Raw> in, Ast.TopK topK) {
        String[] names = new String[in.size()];
        for (int j = 0; j < names.length; j++) {
            names[j] = Series.promLabels(in.get(j).labels());
        }
        List<Raw> out = new ArrayList<>();
        for (Raw r : in) {
            double[] none = new double[intervals];
            Arrays.fill(none, Double.NaN);
            out.add(new Raw(r.labels(), none));
        }
        for (int i = 0; i < intervals; i++) {
            int step = i;
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < in.size(); j++) {
                if (!Double.isNaN(in.get(j).values()[i])) {
                    order.add(j);
                }
            }
            order.sort((x, y) -> {
                int c = Double.compare(in.get(x).values()[step], in.get(y).values()[step]);
                return c != 0 ? (topK.bottom() ? c : -c) : names[x].compareTo(names[y]);
            });
            for (int j = 0; j < Math.min(topK.k(), order.size()); j++) {
                int s = order.get(j);
                out.get(s).values()[i] = in.get(s).values()[i];
            }
        }
        return out;
    }

    private List<Label> labels(List<Object> byValues, boolean nameWhenUngrouped) {
        List<Label> labels = new ArrayList<>();
        if (metrics.by().isEmpty()) {
            if (nameWhenUngrouped) {
                labels.add(new Label("__name__", metrics.fn().text));
            }
            return labels;
        }
        for (int i = 0; i < byValues.size(); i++) {
            Object v = byValues.get(i);
            if (v != Ast.Nil.NIL) {
                labels.add(new Label(metrics.by().get(i).toString(), TraceQLEngine.resultValue(v)));
            }
        }
        if (labels.isEmpty()) {
            labels.add(new Label(metrics.by().get(0).toString(), null));
        }
        return labels;
    }

    private static void add(List<Raw> out, List<Label> labels, double[] values) {
        out.add(new Raw(List.copyOf(labels), values));
    }

    /** Drops NaN steps (no data); null when none is left. */
    private Series withoutEmptySteps(Raw raw) {
        double[] values = raw.values();
        int n = 0;
        for (double v : values) {
            n += Double.isNaN(v) ? 0 : 1;
        }
        if (n == 0) {
            return null;
        }
        long[] ts = new long[n];
        double[] vs = new double[n];
        int k = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                ts[k] = timestamp(i);
                vs[k++] = values[i];
            }
        }
        return new Series(raw.labels(), ts, vs);
    }

    /**
     * Tempo's Log2Quantile: take ceil(p * total) samples (at least one) through the buckets in order; the quantile
     * is the bucket's bound when they end on one, else interpolated exponentially between the previous bound (half
     * the bound for the first bucket) and this one. NaN when the step has no samples.
     */
    static double log2Quantile(double p, TreeMap<Double, double[]> buckets, int interval) {
        double total = 0;
        for (double[] counts : buckets.values()) {
            total += counts[interval];
        }
        if (total == 0) {
            return Double.NaN;
        }
        double want = Math.max(1, Math.ceil(p * total));
        double seen = 0;
        Double previous = null;
        for (var e : buckets.entrySet()) {
            double count = e.getValue()[interval];
            if (count == 0) {
                continue;
            }
            if (seen + count > want) {
                double fraction = (want - seen) / count;
                double max = Math.log(e.getKey()) / Math.log(2);
                double min = previous == null ? max - 1 : Math.log(previous) / Math.log(2);
                return Math.pow(2, min + (max - min) * fraction);
            }
            seen += count;
            if (seen == want) {
                return e.getKey();
            }
            previous = e.getKey();
        }
        return previous == null ? Double.NaN : previous;
    }
}
