package dev.sightline.promql.differential;

import dev.sightline.core.Labels;
import dev.sightline.promql.engine.Matrix;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Scalar;
import dev.sightline.promql.engine.MatrixSeries;
import dev.sightline.promql.engine.StringValue;
import dev.sightline.promql.engine.Value;
import dev.sightline.promql.engine.Vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One side's answer to a query, in a form both sides convert to: the result type and its rows (a label set with
 * timestamped floats), or an error. Instant vector rows carry the evaluation time like Prometheus's API does.
 */
record Outcome(String type, List<Row> rows, String error) {
    record Row(TreeMap<String, String> labels, long[] t, double[] v) {
        String labelText() {
            return labels.toString();
        }
    }

    static Outcome error(String message) {
        return new Outcome("error", List.of(), message);
    }

    boolean isError() {
        return type.equals("error");
    }

    static Outcome fromEngine(Value value) {
        List<Row> rows = new ArrayList<>();
        switch (value) {
            case Scalar s -> rows.add(new Row(new TreeMap<>(), new long[]{s.t()}, new double[]{s.v()}));
            case StringValue s -> {
                return new Outcome("string", List.of(), s.s());
            }
            case Vector vec -> {
                for (Sample smp : vec.samples()) {
                    if (smp.isHistogram()) {
                        return error("engine returned a native histogram sample for " + smp.labels());
                    }
                    rows.add(new Row(map(smp.dropName() ? smp.labels().without(Labels.METRIC_NAME) : smp.labels()),
                            new long[]{smp.t()}, new double[]{smp.f()}));
                }
            }
            case Matrix m -> {
                for (MatrixSeries s : m.series()) {
                    if (s.hn > 0) {
                        return error("engine returned native histogram points for " + s.labels);
                    }
                    rows.add(new Row(map(s.dropName ? s.labels.without(Labels.METRIC_NAME) : s.labels),
                            Arrays.copyOf(s.ft, s.fn), Arrays.copyOf(s.fv, s.fn)));
                }
            }
        }
        return new Outcome(value.typeName(), rows, null);
    }

    private static TreeMap<String, String> map(Labels l) {
        return new TreeMap<>(l.toMap());
    }

    /** Reads the {@code data} of a successful Prometheus API response. */
    @SuppressWarnings("unchecked")
    static Outcome fromPrometheus(Map<String, Object> data) {
        String type = (String) data.get("resultType");
        Object result = data.get("result");
        List<Row> rows = new ArrayList<>();
        switch (type) {
            case "scalar" -> {
                List<Object> p = (List<Object>) result;
                rows.add(new Row(new TreeMap<>(), new long[]{ms(p.get(0))}, new double[]{number(p.get(1))}));
            }
            case "string" -> {
                return new Outcome("string", List.of(), (String) ((List<Object>) result).get(1));
            }
            case "vector" -> {
                for (Object o : (List<Object>) result) {
                    Map<String, Object> e = (Map<String, Object>) o;
                    List<Object> p = (List<Object>) e.get("value");
                    rows.add(new Row(labels(e.get("metric")), new long[]{ms(p.get(0))}, new double[]{number(p.get(1))}));
                }
            }
            case "matrix" -> {
                for (Object o : (List<Object>) result) {
                    Map<String, Object> e = (Map<String, Object>) o;
                    List<Object> values = (List<Object>) e.get("values");
                    long[] t = new long[values.size()];
                    double[] v = new double[values.size()];
                    for (int k = 0; k < t.length; k++) {
                        List<Object> p = (List<Object>) values.get(k);
                        t[k] = ms(p.get(0));
                        v[k] = number(p.get(1));
                    }
                    rows.add(new Row(labels(e.get("metric")), t, v));
                }
            }
            default -> throw new IllegalArgumentException("unknown resultType " + type);
        }
        return new Outcome(type, rows, null);
    }

    @SuppressWarnings("unchecked")
    private static TreeMap<String, String> labels(Object metric) {
        TreeMap<String, String> m = new TreeMap<>();
        ((Map<String, Object>) metric).forEach((k, v) -> m.put(k, (String) v));
        return m;
    }

    private static long ms(Object seconds) {
        return Math.round((Double) seconds * 1000);
    }

    private static double number(Object text) {
        return switch ((String) text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble((String) text);
        };
    }

    /** Floats agree within 1e-6 relative, or 1e-9 absolute near zero; NaN equals NaN; infinities must match exactly. */
    static boolean close(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.isNaN(a) && Double.isNaN(b);
        }
        if (Double.isInfinite(a) || Double.isInfinite(b)) {
            return a == b;
        }
        double d = Math.abs(a - b);
        return d <= 1e-9 || d <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
    }

    /**
     * Returns null when {@code ours} matches {@code peer}, else a description of the first differences.
     * {@code ordered}: the query sorts its result, so the sequence of values must match too (ties may be ordered
     * differently, so only values are compared in order).
     */
    static String diff(Outcome peer, Outcome ours, boolean ordered) {
        if (peer.isError() || ours.isError()) {
            if (peer.isError() && ours.isError()) {
                return null;
            }
            return peer.isError() ? "Prometheus failed (" + peer.error + ") but Sightline answered " + ours.summary()
                    : "Sightline failed (" + ours.error + ") but Prometheus answered " + peer.summary();
        }
        if (!peer.type.equals(ours.type)) {
            return "result type: Prometheus " + peer.summary() + ", Sightline " + ours.summary();
        }
        if (peer.type.equals("string")) {
            return peer.error.equals(ours.error) ? null : "string: Prometheus " + peer.error + ", Sightline " + ours.error;
        }
        StringBuilder out = new StringBuilder();
        Map<TreeMap<String, String>, Row> mine = new HashMap<>();
        for (Row r : ours.rows) {
            if (mine.put(r.labels, r) != null) {
                out.append("\n  Sightline returned the label set twice: ").append(r.labels);
            }
        }
        int shown = 0;
        for (Row p : peer.rows) {
            Row o = mine.remove(p.labels);
            String d = o == null ? "missing in Sightline: " + p.labels + " " + points(p) : rowDiff(p, o);
            if (d != null && shown++ < 5) {
                out.append("\n  ").append(d);
            }
        }
        for (Row o : mine.values()) {
            if (shown++ < 5) {
                out.append("\n  only in Sightline: ").append(o.labels).append(' ').append(points(o));
            }
        }
        if (shown > 5) {
            out.append("\n  ... ").append(shown - 5).append(" more differing series");
        }
        if (ordered && out.isEmpty()) {
            for (int k = 0; k < peer.rows.size(); k++) {
                if (!close(peer.rows.get(k).v[0], ours.rows.get(k).v[0])) {
                    out.append("\n  order differs at position ").append(k).append(": Prometheus ")
                            .append(peer.rows.get(k).v[0]).append(", Sightline ").append(ours.rows.get(k).v[0]);
                    break;
                }
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    /**
     * Null when both list the same label sets in the same order, else where they first differ. For instant topk and
     * bottomk, whose output order Prometheus decides (best first, ties as its heap and sort leave them) and its API
     * keeps, so the order of ties is checked too.
     */
    static String orderDiff(Outcome peer, Outcome ours) {
        for (int k = 0; k < Math.min(peer.rows.size(), ours.rows.size()); k++) {
            if (!peer.rows.get(k).labels.equals(ours.rows.get(k).labels)) {
                return "\n  order differs at position " + k + ": Prometheus " + peer.rows.get(k).labels + ", Sightline "
                        + ours.rows.get(k).labels;
            }
        }
        return null;
    }

    private static String rowDiff(Row p, Row o) {
        if (p.t.length != o.t.length) {
            return p.labels + ": " + p.t.length + " points in Prometheus, " + o.t.length + " in Sightline; first difference "
                    + firstDiff(p, o);
        }
        String d = firstDiff(p, o);
        return d == null ? null : p.labels + ": " + d;
    }

    private static String firstDiff(Row p, Row o) {
        int n = Math.min(p.t.length, o.t.length);
        for (int k = 0; k < n; k++) {
            if (p.t[k] != o.t[k] || !close(p.v[k], o.v[k])) {
                return "at t=" + p.t[k] + " Prometheus " + p.v[k] + " / Sightline (t=" + o.t[k] + ") " + o.v[k];
            }
        }
        if (p.t.length != o.t.length) {
            return "after " + n + " points: " + (p.t.length > n ? "Prometheus has t=" + p.t[n] + " " + p.v[n]
                    : "Sightline has t=" + o.t[n] + " " + o.v[n]);
        }
        return null;
    }

    private static String points(Row r) {
        if (r.t.length == 1) {
            return "= " + r.v[0] + " @" + r.t[0];
        }
        return r.t.length + " points [" + r.t[0] + "=" + r.v[0] + " ...]";
    }

    String summary() {
        return error != null ? type + " (" + error + ")" : type + " with " + rows.size() + " series";
    }
}
