package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoQuote;
import dev.sightline.promql.ast.BinaryExpr;
import dev.sightline.promql.ast.BinaryOp;
import dev.sightline.promql.ast.PositionRange;
import dev.sightline.promql.ast.VectorMatching;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Binary operators between scalars and instant vectors, with Prometheus's vector matching rules. */
final class BinaryOps {
    private final Evaluator ev;
    /** Matching signatures per label set (series keep their Labels instance across steps). */
    private final Map<Labels, Labels> sigCache = new java.util.IdentityHashMap<>();

    private BinaryOps(Evaluator ev) {
        this.ev = ev;
    }

    /**
     * Evaluates a chain of binary operators along {@link BinaryExpr#leftChain()}, without recursing into the left
     * operands: a generated {@code a or b or c ...} is a tree as deep as it is long.
     */
    static Object eval(Evaluator ev, BinaryExpr top) {
        List<BinaryExpr> chain = top.leftChain();
        Object l = ev.eval(chain.getFirst().lhs());
        for (BinaryExpr b : chain) {
            // A BinaryOps per node: its signature cache depends on the node's matching.
            l = new BinaryOps(ev).apply(b, l, ev.eval(b.rhs()));
        }
        return l;
    }

    private Object apply(BinaryExpr b, Object l, Object r) {
        BinaryOp op = b.op();
        if (l instanceof double[] ls && r instanceof double[] rs) {
            double[] out = new double[ls.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = scalarOp(op, ls[i], rs[i], b.returnBool());
            }
            return out;
        }
        Evaluator.Assembler asm = ev.assembler();
        if (l instanceof Matrix lm && r instanceof Matrix rm) {
            Evaluator.StepCursor lc = new Evaluator.StepCursor(lm);
            Evaluator.StepCursor rc = new Evaluator.StepCursor(rm);
            for (int i = 0; i < ev.numSteps; i++) {
                ev.checkDeadline(i);
                long t = ev.stepTime(i);
                List<Sample> lv = lc.at(t);
                List<Sample> rv = rc.at(t);
                asm.add(vectorVector(b, lv, rv, t), t);
            }
            return asm.build();
        }
        boolean swap = l instanceof double[];
        Matrix m = (Matrix) (swap ? r : l);
        double[] sc = (double[]) (swap ? l : r);
        Evaluator.StepCursor c = new Evaluator.StepCursor(m);
        for (int i = 0; i < ev.numSteps; i++) {
            ev.checkDeadline(i);
            long t = ev.stepTime(i);
            for (Sample s : c.at(t)) {
                Sample o = vectorScalar(b, s, sc[i], swap);
                if (o != null) {
                    asm.add(o, t);
                }
            }
        }
        return asm.build();
    }

    static double scalarOp(BinaryOp op, double l, double r, boolean bool) {
        return switch (op) {
            case ADD -> l + r;
            case SUB -> l - r;
            case MUL -> l * r;
            case DIV -> l / r;
            case POW -> Math.pow(l, r);
            case MOD -> l % r;
            case ATAN2 -> Math.atan2(l, r);
            default -> compare(op, l, r) ? 1 : 0;
        };
    }

    static boolean compare(BinaryOp op, double l, double r) {
        return switch (op) {
            case EQLC -> l == r;
            case NEQ -> l != r;
            case GTR -> l > r;
            case LSS -> l < r;
            case GTE -> l >= r;
            case LTE -> l <= r;
            default -> throw new IllegalArgumentException(op.text());
        };
    }

    /** Operators whose result is a new value, so the metric name no longer applies. Trimming keeps it. */
    static boolean isArithmetic(BinaryOp op) {
        return !op.isComparison() && !op.isSetOperator() && !isTrim(op);
    }

    static boolean isFilter(BinaryOp op) {
        return op.isComparison();
    }

    /** Result of one element operation: a float, a histogram, or nothing (keep == false). */
    private record Elem(double f, Histogram h, boolean keep) {
    }

    private static final Elem DROP = new Elem(0, null, false);

    static boolean isTrim(BinaryOp op) {
        return op == BinaryOp.TRIM_UPPER || op == BinaryOp.TRIM_LOWER;
    }

    private Elem elemOp(BinaryOp op, double lf, Histogram lh, double rf, Histogram rh, PositionRange pos) {
        if (isTrim(op)) {
            if (lh != null && rh == null) {
                return new Elem(0, FloatHistograms.trim(lh, rf, op == BinaryOp.TRIM_UPPER), true);
            }
            ev.annos.incompatibleTypesInBinOp(lh != null ? "histogram" : "float", op.text(), rh != null ? "histogram" : "float", pos);
            return DROP;
        }
        if (lh == null && rh == null) {
            if (op.isComparison()) {
                return new Elem(lf, null, compare(op, lf, rf));
            }
            return new Elem(scalarOp(op, lf, rf, false), null, true);
        }
        String opText = op.text();
        try {
            if (lh != null && rh != null) {
                FloatHistograms.Flags flags = new FloatHistograms.Flags();
                switch (op) {
                    case ADD:
                    case SUB: {
                        Histogram r = op == BinaryOp.ADD ? FloatHistograms.add(lh, rh, flags) : FloatHistograms.sub(lh, rh, flags);
                        if (flags.reconciled) {
                            ev.annos.mismatchedCustomBuckets(op == BinaryOp.ADD ? "addition" : "subtraction", pos);
                        }
                        if (flags.collision) {
                            ev.annos.counterResetCollision(op == BinaryOp.ADD ? "addition" : "subtraction", pos);
                        }
                        return new Elem(0, r, true);
                    }
                    case EQLC:
                        return new Elem(0, lh, FloatHistograms.sameValue(lh, rh));
                    case NEQ:
                        return new Elem(0, lh, !FloatHistograms.sameValue(lh, rh));
                    default:
                        break;
                }
            } else if (lh != null) {
                switch (op) {
                    case MUL:
                        return new Elem(0, FloatHistograms.scale(lh, rf), true);
                    case DIV:
                        return new Elem(0, FloatHistograms.div(lh, rf), true);
                    default:
                        break;
                }
            } else if (op == BinaryOp.MUL) {
                return new Elem(0, FloatHistograms.scale(rh, lf), true);
            }
        } catch (FloatHistograms.IncompatibleException e) {
            ev.annos.incompatibleBucketLayoutInBinOp(opText, pos);
            return DROP;
        }
        ev.annos.incompatibleTypesInBinOp(lh != null ? "histogram" : "float", opText, rh != null ? "histogram" : "float", pos);
        return DROP;
    }

    private Sample vectorScalar(BinaryExpr b, Sample s, double scalar, boolean swap) {
        double lf = s.f(), rf = scalar;
        Histogram lh = s.h(), rh = null;
        if (swap) {
            lf = scalar;
            rf = s.f();
            lh = null;
            rh = s.h();
        }
        Elem e = elemOp(b.op(), lf, lh, rf, rh, b.position());
        if (e == DROP) {
            return null;
        }
        double f = e.f;
        Histogram h = e.h;
        boolean keep = e.keep;
        if (isFilter(b.op()) && swap) {
            f = rf;
            h = rh;
        }
        if (b.returnBool()) {
            f = keep ? 1 : 0;
            h = null;
            keep = true;
        }
        if (!keep) {
            return null;
        }
        boolean drop = s.dropName() || isArithmetic(b.op()) || b.returnBool();
        return new Sample(s.labels(), s.t(), f, h, drop);
    }

    private List<Sample> vectorVector(BinaryExpr b, List<Sample> lhs, List<Sample> rhs, long t) {
        VectorMatching m = b.matching();
        switch (b.op()) {
            case LAND: {
                Set<Labels> sigs = new HashSet<>();
                for (Sample s : rhs) {
                    sigs.add(sig(s.labels(), m));
                }
                List<Sample> out = new ArrayList<>();
                for (Sample s : lhs) {
                    if (sigs.contains(sig(s.labels(), m))) {
                        out.add(s);
                    }
                }
                return out;
            }
            case LUNLESS: {
                Set<Labels> sigs = new HashSet<>();
                for (Sample s : rhs) {
                    sigs.add(sig(s.labels(), m));
                }
                List<Sample> out = new ArrayList<>();
                for (Sample s : lhs) {
                    if (!sigs.contains(sig(s.labels(), m))) {
                        out.add(s);
                    }
                }
                return out;
            }
            case LOR: {
                Set<Labels> sigs = new HashSet<>();
                List<Sample> out = new ArrayList<>(lhs);
                for (Sample s : lhs) {
                    sigs.add(sig(s.labels(), m));
                }
                for (Sample s : rhs) {
                    if (!sigs.contains(sig(s.labels(), m))) {
                        out.add(s);
                    }
                }
                return out;
            }
            default:
                return matched(b, lhs, rhs, t);
        }
    }

    private Labels sig(Labels l, VectorMatching m) {
        return sigCache.computeIfAbsent(l, k -> signature(k, m));
    }

    /** The labels two samples are matched on: on(...) keeps the listed labels, ignoring(...) drops them and the name. */
    static Labels signature(Labels l, VectorMatching m) {
        if (m == null) {
            return l.without(Labels.METRIC_NAME);
        }
        if (m.on()) {
            return l.keep(m.matchingLabels().toArray(new String[0]));
        }
        String[] drop = new String[m.matchingLabels().size() + 1];
        m.matchingLabels().toArray(drop);
        drop[drop.length - 1] = Labels.METRIC_NAME;
        return l.without(drop);
    }

    static String goLabels(Labels l) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(l.name(i)).append('=');
            GoQuote.quote(sb, l.value(i));
        }
        return sb.append('}').toString();
    }

    private List<Sample> matched(BinaryExpr b, List<Sample> lhs, List<Sample> rhs, long t) {
        VectorMatching m = b.matching();
        VectorMatching.Cardinality card = m == null ? VectorMatching.Cardinality.ONE_TO_ONE : m.card();
        boolean swapped = card == VectorMatching.Cardinality.ONE_TO_MANY;
        List<Sample> many = swapped ? rhs : lhs;
        List<Sample> one = swapped ? lhs : rhs;
        Map<Labels, Sample> oneSide = new LinkedHashMap<>();
        for (Sample s : one) {
            Labels sig = sig(s.labels(), m);
            Sample dup = oneSide.putIfAbsent(sig, s);
            if (dup != null) {
                throw PromQLException.execution("found duplicate series for the match group " + goLabels(sig)
                        + " on the " + (swapped ? "left" : "right") + " hand-side of the operation: ["
                        + goLabels(dup.labels()) + ", " + goLabels(s.labels())
                        + "];many-to-many matching not allowed: matching labels must be unique on one side");
            }
        }
        // As in Prometheus, fill_left applies to the "many" side and fill_right to the "one" side even for
        // group_right, where those are the right and left operands.
        Double fillMany = m == null ? null : m.fillLeft();
        Double fillOne = m == null ? null : m.fillRight();
        Map<Labels, Sample> matchedOne = new HashMap<>();
        Set<Labels> seenOneToOne = new HashSet<>();
        Map<Labels, Boolean> outLabels = new HashMap<>();
        List<Sample> out = new ArrayList<>();
        for (Sample ms : many) {
            Labels sig = sig(ms.labels(), m);
            Sample os = oneSide.get(sig);
            if (os == null) {
                if (fillOne == null) {
                    continue;
                }
                os = new Sample(sig, t, fillOne, null, false);
            } else {
                matchedOne.put(sig, os);
            }
            if (card == VectorMatching.Cardinality.ONE_TO_ONE && !seenOneToOne.add(sig)) {
                throw PromQLException.execution("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
            }
            Sample r = combine(b, swapped ? os : ms, swapped ? ms : os, ms, os, m, card, t);
            if (r == null) {
                continue;
            }
            if (card != VectorMatching.Cardinality.ONE_TO_ONE && outLabels.put(r.labels(), true) != null) {
                throw PromQLException.execution("multiple matches for labels: grouping labels must ensure unique matches");
            }
            out.add(r);
        }
        if (fillMany != null) {
            for (Map.Entry<Labels, Sample> e : oneSide.entrySet()) {
                if (matchedOne.containsKey(e.getKey())) {
                    continue;
                }
                Sample os = e.getValue();
                Sample ms = new Sample(e.getKey(), t, fillMany, null, false);
                Sample r = combine(b, swapped ? os : ms, swapped ? ms : os, ms, os, m, card, t);
                if (r != null) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private Sample combine(BinaryExpr b, Sample l, Sample r, Sample many, Sample one, VectorMatching m,
                           VectorMatching.Cardinality card, long t) {
        Elem e = elemOp(b.op(), l.f(), l.h(), r.f(), r.h(), b.position());
        if (e == DROP) {
            return null;
        }
        double f = e.f;
        Histogram h = e.h;
        boolean keep = e.keep;
        if (b.returnBool()) {
            f = keep ? 1 : 0;
            h = null;
            keep = true;
        }
        if (!keep) {
            return null;
        }
        Labels labels = resultLabels(many.labels(), one.labels(), m, card);
        boolean drop = isArithmetic(b.op()) || b.returnBool() || many.dropName();
        if (labels.metricName() == null) {
            drop = false;
        }
        return new Sample(labels, t, f, h, drop);
    }

    private static Labels resultLabels(Labels many, Labels one, VectorMatching m, VectorMatching.Cardinality card) {
        Labels.Builder lb = many.toBuilder();
        if (card == VectorMatching.Cardinality.ONE_TO_ONE && m != null) {
            if (m.on()) {
                Labels kept = many.keep(m.matchingLabels().toArray(new String[0]));
                lb = kept.toBuilder();
            } else {
                for (String n : m.matchingLabels()) {
                    lb.remove(n);
                }
            }
        }
        if (m != null) {
            for (String n : m.include()) {
                String v = one.get(n);
                if (v != null) {
                    lb.set(n, v);
                } else {
                    lb.remove(n);
                }
            }
        }
        return lb.build();
    }
}
