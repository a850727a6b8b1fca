package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.core.text.GoQuote;
import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.AggregateOp;
import dev.sightline.promql.ast.Call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Aggregation operators, evaluated step by step over groups of equal grouping labels. */
final class Aggregations {
    private final Evaluator ev;
    /** Grouping labels per input label set: series keep their Labels instance across steps, so compute once. */
    private final Map<Labels, Labels> groupCache = new java.util.IdentityHashMap<>();

    Aggregations(Evaluator ev) {
        this.ev = ev;
    }

    Object eval(AggregateExpr a) {
        double[] param = null;
        String label = null;
        if (a.param() != null) {
            Object p = ev.eval(a.param());
            if (p instanceof double[] d) {
                param = d;
            } else if (p instanceof StringValue s) {
                label = s.s();
            }
        }
        if (a.op() == AggregateOp.COUNT_VALUES && !labelNameValid(label)) {
            // Go's %q, so bytes that are not UTF-8 print as \xNN as Prometheus's message has them.
            throw PromQLException.execution("invalid label name " + GoQuote.quote(label));
        }
        if (FloatAggregation.folds(a.op()) && Evaluator.unparen(a.expr()) instanceof Call c) {
            // A range function's output series folded in as they come, without a matrix of them all; if its input
            // holds histograms, it is evaluated again the usual way, as if this had not been tried.
            long held = ev.samplesHeld();
            FloatAggregation.Folding f = new FloatAggregation.Folding(ev, a, this::groupLabels);
            ev.checkDeadline();
            if (new FunctionEvaluator(ev).streamInto(c, f::add)) {
                return f.build();
            }
            ev.releaseSamples(held);
        }
        Matrix m = ev.evalVector(a.expr());
        if (FloatAggregation.applies(a.op(), m)) {
            return FloatAggregation.run(ev, a, m, this::groupLabels, param);
        }
        Evaluator.StepCursor c = new Evaluator.StepCursor(m);
        Evaluator.Assembler asm = ev.assembler();
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            List<Sample> in = c.at(t);
            double p = param == null ? Double.NaN : param[i];
            asm.add(step(a, in, p, label, t), t);
        }
        return asm.build();
    }

    static boolean labelNameValid(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (i > 0 && ch >= '0' && ch <= '9'))) {
                return false;
            }
        }
        return true;
    }

    Labels groupLabels(AggregateExpr a, Labels l) {
        return groupCache.computeIfAbsent(l, k -> computeGroupLabels(a, k));
    }

    private static Labels computeGroupLabels(AggregateExpr a, Labels l) {
        if (a.without()) {
            String[] drop = new String[a.grouping().size() + 1];
            a.grouping().toArray(drop);
            drop[drop.length - 1] = Labels.METRIC_NAME;
            return l.without(drop);
        }
        return l.keep(a.grouping().toArray(new String[0]));
    }

    private List<Sample> step(AggregateExpr a, List<Sample> in, double p, String label, long t) {
        Map<Labels, List<Sample>> groups = new LinkedHashMap<>();
        // Names still pending removal stay in the grouping (as in Prometheus with delayed name removal); a group
        // keeps its name only if no member was to lose it.
        Map<Labels, Boolean> dropNames = new java.util.HashMap<>();
        for (Sample s : in) {
            Labels key = groupLabels(a, s.labels());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            dropNames.merge(key, s.dropName(), Boolean::logicalOr);
        }
        List<Sample> out = new ArrayList<>();
        AggregateOp op = a.op();
        switch (op) {
            case TOPK, BOTTOMK, LIMITK -> {
                if (Double.isNaN(p)) {
                    throw PromQLException.execution("Parameter value is NaN");
                }
                if (p >= 9.223372036854776E18 || p < -9.223372036854776E18) {
                    throw PromQLException.execution("Scalar value " + GoFloats.formatG(p) + " overflows int64");
                }
                long k = (long) p;
                if (k < 1) {
                    return out;
                }
                boolean limit = op == AggregateOp.LIMITK;
                for (List<Sample> g : groups.values()) {
                    List<Sample> kept = new ArrayList<>(g.size());
                    for (Sample s : g) {
                        if (s.h() != null && !limit) {
                            ev.annos.histogramIgnoredInAggregation(op.text(), a.position());
                        } else {
                            kept.add(s);
                        }
                    }
                    // A histogram sample's float value is 0, which is what limitk's heap orders it by in Prometheus.
                    double[] v = new double[kept.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = kept.get(i).f();
                    }
                    int[] pos = new int[v.length];
                    int n = limit ? KSelection.limit(v, v.length, k, pos)
                            : KSelection.select(v, v.length, k, op == AggregateOp.TOPK, pos);
                    for (int i = 0; i < n; i++) {
                        out.add(kept.get(pos[i]));
                    }
                }
                return out;
            }
            case LIMIT_RATIO -> {
                if (Double.isNaN(p)) {
                    throw PromQLException.execution("Ratio value is NaN");
                }
                double r = p;
                if (r > 1 || r < -1) {
                    r = r > 1 ? 1 : -1;
                    ev.annos.invalidRatio(p, r, a.param().position());
                }
                for (List<Sample> g : groups.values()) {
                    for (Sample s : g) {
                        double off = LabelHash.unitFraction(s.labels());
                        if ((r >= 0 && off < r) || (r < 0 && off >= 1 + r)) {
                            out.add(s);
                        }
                    }
                }
                return out;
            }
            default -> {
            }
        }
        if (op == AggregateOp.COUNT_VALUES) {
            // Counted by the final label set, so groups that end up equal after setting the label merge.
            Map<Labels, Integer> counts = new LinkedHashMap<>();
            for (Map.Entry<Labels, List<Sample>> e : groups.entrySet()) {
                for (Sample s : e.getValue()) {
                    String v = s.h() != null ? HistogramStats.format(s.h()) : GoFloats.formatF(s.f());
                    counts.merge(e.getKey().toBuilder().set(label, v).build(), 1, Integer::sum);
                }
            }
            counts.forEach((l, n) -> out.add(new Sample(l, t, n)));
            return out;
        }
        for (Map.Entry<Labels, List<Sample>> e : groups.entrySet()) {
            Labels gl = e.getKey();
            List<Sample> g = e.getValue();
            Sample r = aggregate(a, op, gl, g, p, t);
            if (r != null) {
                boolean drop = dropNames.get(gl) && gl.metricName() != null;
                out.add(drop ? new Sample(r.labels(), r.t(), r.f(), r.h(), true) : r);
            }
        }
        return out;
    }

    private Sample aggregate(AggregateExpr a, AggregateOp op, Labels gl, List<Sample> g, double p, long t) {
        int nh = 0;
        for (Sample s : g) {
            if (s.h() != null) {
                nh++;
            }
        }
        int nf = g.size() - nh;
        switch (op) {
            case COUNT:
                return new Sample(gl, t, g.size());
            case GROUP:
                return new Sample(gl, t, 1);
            case SUM:
            case AVG: {
                if (nh > 0 && nf > 0) {
                    ev.annos.mixedFloatsHistogramsAgg(a.expr().position());
                    return null;
                }
                if (nh > 0) {
                    HistogramAccumulator acc = new HistogramAccumulator(op == AggregateOp.AVG);
                    try {
                        for (Sample s : g) {
                            acc.add(s.h());
                        }
                    } catch (FloatHistograms.IncompatibleException ex) {
                        ev.annos.mixedExponentialCustom(g.get(0).labels().metricName(), a.expr().position());
                        return null;
                    }
                    if (acc.flags.reconciled) {
                        ev.annos.mismatchedCustomBuckets("aggregation", a.expr().position());
                    }
                    if (acc.flags.collision) {
                        ev.annos.counterResetCollision("aggregation", a.expr().position());
                    }
                    return new Sample(gl, t, 0, op == AggregateOp.AVG ? acc.avg() : acc.sum(), false);
                }
                double[] v = floats(g);
                return new Sample(gl, t, op == AggregateOp.SUM ? Kernels.sum(v, 0, v.length) : Kernels.avg(v, 0, v.length));
            }
            default:
                break;
        }
        if (nh > 0) {
            ev.annos.histogramIgnoredInAggregation(op.text(), a.position());
        }
        if (nf == 0) {
            return null;
        }
        double[] v = floats(g);
        return switch (op) {
            case MIN -> new Sample(gl, t, Kernels.min(v, 0, v.length));
            case MAX -> new Sample(gl, t, Kernels.max(v, 0, v.length));
            case STDVAR -> new Sample(gl, t, Kernels.variance(v, 0, v.length));
            case STDDEV -> new Sample(gl, t, Math.sqrt(Kernels.variance(v, 0, v.length)));
            case QUANTILE -> {
                if (Double.isNaN(p) || p < 0 || p > 1) {
                    ev.annos.invalidQuantile(p, a.param().position());
                }
                yield new Sample(gl, t, Kernels.quantile(p, v, v.length));
            }
            default -> throw new IllegalStateException("unhandled aggregation " + op);
        };
    }

    private static double[] floats(List<Sample> g) {
        double[] v = new double[g.size()];
        int n = 0;
        for (Sample s : g) {
            if (s.h() == null) {
                v[n++] = s.f();
            }
        }
        return n == v.length ? v : java.util.Arrays.copyOf(v, n);
    }
}
