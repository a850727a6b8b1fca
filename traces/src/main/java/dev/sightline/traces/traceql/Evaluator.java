package dev.sightline.traces.traceql;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.SpanIds;
import dev.sightline.core.text.Regex;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.traceql.Ast.AggOp;
import dev.sightline.traces.traceql.Ast.BinOp;
import dev.sightline.traces.traceql.Ast.FieldExpr;
import dev.sightline.traces.traceql.Ast.SpansetExpr;
import dev.sightline.traces.traceql.Ast.SpansetOpKind;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Evaluates a query's spanset pipeline on one trace at a time. One instance per query run; not thread-safe. */
final class Evaluator {
    /** A spanset: spans of one trace (indexes into the {@link TraceView}) and what the pipeline attached. */
    static final class Spanset {
        final BitSet spans;
        final LinkedHashMap<String, Object> attributes;
        final List<FieldExpr> selected;

        Spanset(BitSet spans, LinkedHashMap<String, Object> attributes, List<FieldExpr> selected) {
            this.spans = spans;
            this.attributes = attributes;
            this.selected = selected;
        }

        Spanset with(BitSet newSpans) {
            return new Spanset(newSpans, new LinkedHashMap<>(attributes), new ArrayList<>(selected));
        }
    }

    private final Map<Ast.Filter, Compiler.SpanPred> predicates = new IdentityHashMap<>();

    Compiler.SpanPred predicate(Ast.Filter f) {
        return predicates.computeIfAbsent(f, k -> Compiler.compile(k.expr()));
    }

    /** The spansets the pipeline yields for one trace; empty when the trace does not match. */
    List<Spanset> pipeline(Ast.Pipeline p, TraceView t) {
        return pipeline(p, t, t.inRange);
    }

    private List<Spanset> pipeline(Ast.Pipeline p, TraceView t, BitSet input) {
        BitSet first = p.source() == null ? (BitSet) input.clone() : spanset(p.source(), t, input);
        if (first.isEmpty()) {
            return List.of();
        }
        List<Spanset> sets = new ArrayList<>();
        sets.add(new Spanset(first, new LinkedHashMap<>(), new ArrayList<>()));
        for (Ast.Stage stage : p.stages()) {
            List<Spanset> next = new ArrayList<>();
            switch (stage) {
                case Ast.FilterStage f -> {
                    for (Spanset s : sets) {
                        BitSet b = spanset(f.expr(), t, s.spans);
                        if (!b.isEmpty()) {
                            next.add(s.with(b));
                        }
                    }
                }
                case Ast.ScalarFilter sf -> {
                    for (Spanset s : sets) {
                        Object l = scalar(sf.left(), t, s.spans);
                        Object r = scalar(sf.right(), t, s.spans);
                        if (Values.compare(sf.op(), l, r, null)) {
                            Spanset kept = s.with(s.spans);
                            recordAggregates(sf.left(), t, s.spans, kept.attributes);
                            recordAggregates(sf.right(), t, s.spans, kept.attributes);
                            next.add(kept);
                        }
                    }
                }
                case Ast.By by -> {
                    for (Spanset s : sets) {
                        Map<Object, BitSet> groups = new LinkedHashMap<>();
                        for (int i = s.spans.nextSetBit(0); i >= 0; i = s.spans.nextSetBit(i + 1)) {
                            groups.computeIfAbsent(value(by.expr(), t, i), k -> new BitSet()).set(i);
                        }
                        for (var g : groups.entrySet()) {
                            Spanset group = s.with(g.getValue());
                            group.attributes.put(by.toString(), g.getKey());
                            next.add(group);
                        }
                    }
                }
                case Ast.Select sel -> {
                    for (Spanset s : sets) {
                        Spanset out = s.with(s.spans);
                        out.selected.addAll(sel.fields());
                        next.add(out);
                    }
                }
                case Ast.Coalesce c -> {
                    BitSet all = new BitSet();
                    List<FieldExpr> selected = new ArrayList<>();
                    for (Spanset s : sets) {
                        all.or(s.spans);
                        s.selected.stream().filter(f -> !selected.contains(f)).forEach(selected::add);
                    }
                    next.add(new Spanset(all, new LinkedHashMap<>(), selected));
                }
            }
            sets = next;
            if (sets.isEmpty()) {
                return List.of();
            }
        }
        return sets;
    }

    /** The spans of {@code input} that a spanset expression selects. */
    BitSet spanset(SpansetExpr e, TraceView t, BitSet input) {
        return switch (e) {
            case Ast.Filter f -> {
                Compiler.SpanPred p = predicate(f);
                BitSet out = new BitSet(t.size());
                for (int i = input.nextSetBit(0); i >= 0; i = input.nextSetBit(i + 1)) {
                    if (p.test(t, i)) {
                        out.set(i);
                    }
                }
                yield out;
            }
            case Ast.Pipeline p -> {
                // As Tempo's spanset operations: the spansets of a nested pipeline (by() groups) merge into one.
                BitSet out = new BitSet(t.size());
                for (Spanset s : pipeline(p, t, input)) {
                    out.or(s.spans);
                }
                yield out;
            }
            case Ast.SpansetOp op -> {
                BitSet l = spanset(op.left(), t, input);
                BitSet r = spanset(op.right(), t, input);
                yield combine(op.op(), l, r, t);
            }
        };
    }

    /** Structural operators return the right side's spans (the union flavours both sides'), as Tempo's do. */
    private static BitSet combine(SpansetOpKind op, BitSet l, BitSet r, TraceView t) {
        if (op == SpansetOpKind.AND) {
            if (l.isEmpty() || r.isEmpty()) {
                return new BitSet();
            }
            BitSet out = (BitSet) l.clone();
            out.or(r);
            return out;
        }
        if (op == SpansetOpKind.OR) {
            BitSet out = (BitSet) l.clone();
            out.or(r);
            return out;
        }
        SpansetOpKind rel = op.relation();
        BitSet lAncestors = rel == SpansetOpKind.ANCE ? t.ancestorsOf(l) : null;
        BitSet out = new BitSet(t.size());
        for (int j = r.nextSetBit(0); j >= 0; j = r.nextSetBit(j + 1)) {
            boolean related = switch (rel) {
                case CHILD -> t.parent[j] >= 0 && l.get(t.parent[j]);
                case PARENT -> hasChildIn(t, j, l);
                case DESC -> t.hasAncestorIn(j, l);
                case ANCE -> lAncestors.get(j);
                case SIBL -> hasSiblingIn(t, j, l);
                default -> throw new IllegalStateException(op.name());
            };
            if (related != op.negated()) {
                out.set(j);
            }
        }
        if (op.union()) {
            // The left spans on the other end of a relation with a right span that held.
            BitSet matchedRight = (BitSet) out.clone();
            BitSet rightAncestors = rel == SpansetOpKind.DESC ? t.ancestorsOf(matchedRight) : null;
            for (int i = l.nextSetBit(0); i >= 0; i = l.nextSetBit(i + 1)) {
                boolean partner = switch (rel) {
                    case CHILD -> hasChildIn(t, i, matchedRight);
                    case PARENT -> t.parent[i] >= 0 && matchedRight.get(t.parent[i]);
                    case DESC -> rightAncestors.get(i);
                    case ANCE -> t.hasAncestorIn(i, matchedRight);
                    case SIBL -> hasSiblingIn(t, i, matchedRight);
                    default -> throw new IllegalStateException(op.name());
                };
                if (partner) {
                    out.set(i);
                }
            }
        }
        return out;
    }

    private static boolean hasChildIn(TraceView t, int j, BitSet set) {
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
            if (t.parent[i] == j) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasSiblingIn(TraceView t, int j, BitSet set) {
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
            if (t.siblings(i, j)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- scalars (pipeline filters)

    private static Object scalar(Ast.ScalarExpr e, TraceView t, BitSet spans) {
        return switch (e) {
            case Ast.ScalarLit l -> l.value();
            case Ast.ScalarBinary b -> Values.arithmetic(b.op(), scalar(b.left(), t, spans), scalar(b.right(), t, spans));
            case Ast.Aggregate a -> aggregate(a, t, spans);
        };
    }

    private static void recordAggregates(Ast.ScalarExpr e, TraceView t, BitSet spans, Map<String, Object> out) {
        switch (e) {
            case Ast.Aggregate a -> out.put(a.toString(), aggregate(a, t, spans));
            case Ast.ScalarBinary b -> {
                recordAggregates(b.left(), t, spans, out);
                recordAggregates(b.right(), t, spans, out);
            }
            case Ast.ScalarLit l -> {
            }
        }
    }

    /** count() is the number of spans; the others skip spans whose value is not a number, nil when none is. A
     * duration stays a duration (so {@code avg(duration) > 20ms} compares durations); integers sum as integers. */
    static Object aggregate(Ast.Aggregate a, TraceView t, BitSet spans) {
        if (a.op() == AggOp.COUNT) {
            return (long) spans.cardinality();
        }
        int n = 0;
        boolean allDur = true;
        boolean allLong = true;
        double sum = 0;
        long longSum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = spans.nextSetBit(0); i >= 0; i = spans.nextSetBit(i + 1)) {
            Object v = value(a.field(), t, i);
            if (!Values.isNumber(v)) {
                continue;
            }
            n++;
            allDur &= v instanceof Ast.Dur;
            allLong &= v instanceof Long;
            double d = Values.toDouble(v);
            sum += d;
            longSum += v instanceof Ast.Dur dur ? dur.nanos() : v instanceof Long l ? l : 0;
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        if (n == 0) {
            return Ast.Nil.NIL;
        }
        double r = switch (a.op()) {
            case AVG -> (allDur || allLong ? (double) longSum : sum) / n;
            case MIN -> min;
            case MAX -> max;
            case SUM -> allDur || allLong ? longSum : sum;
            case COUNT -> throw new IllegalStateException();
        };
        if (allDur) {
            return new Ast.Dur(Math.round(r));
        }
        return allLong && a.op() != AggOp.AVG ? (Object) (long) r : r;
    }

    // ---------------------------------------------------------------- field values

    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private static Pattern pattern(String regex) {
        if (PATTERNS.size() > 1000) {
            PATTERNS.clear();
        }
        return PATTERNS.computeIfAbsent(regex, r -> Regex.compile(r, Pattern.DOTALL));
    }

    /** The value of a field expression on span {@code i} of the trace. */
    static Object value(FieldExpr e, TraceView t, int i) {
        return switch (e) {
            case Ast.Lit l -> l.value();
            case Ast.AttrRef a -> attribute(a, t.spans[i]);
            case Ast.IntrinsicRef in -> intrinsic(in.intrinsic(), t, i);
            case Ast.Unary u -> u.op() == Ast.UnOp.NOT ? (Object) (value(u.operand(), t, i) != Boolean.TRUE)
                    : Values.negate(value(u.operand(), t, i));
            case Ast.Binary b -> switch (b.op()) {
                case AND -> value(b.left(), t, i) == Boolean.TRUE && value(b.right(), t, i) == Boolean.TRUE;
                case OR -> value(b.left(), t, i) == Boolean.TRUE || value(b.right(), t, i) == Boolean.TRUE;
                case ADD, SUB, MUL, DIV, MOD, POW ->
                        Values.arithmetic(b.op(), value(b.left(), t, i), value(b.right(), t, i));
                default -> {
                    Object r = value(b.right(), t, i);
                    Pattern p = (b.op() == BinOp.RE || b.op() == BinOp.NRE) && r instanceof String s ? pattern(s) : null;
                    yield Values.compare(b.op(), value(b.left(), t, i), r, p);
                }
            };
        };
    }

    /** An attribute's typed value; nil when absent; compound and bytes values as {@link Opaque} (they compare with nothing). */
    static Object attribute(Ast.AttrRef a, StoredSpan s) {
        Object v = switch (a.scope()) {
            case SPAN -> attribute(s.span().attributes(), a.name());
            case RESOURCE -> attribute(s.resource().attributes(), a.name());
            case ANY -> attribute(s.span().attributes(), a.name());
            case INSTRUMENTATION -> attribute(s.scope().attributes(), a.name());
            case EVENT -> {
                List<Object> values = new ArrayList<>();
                s.span().events().forEach(ev -> addPresent(attribute(ev.attributes(), a.name()), values));
                yield new Values.Multi(values);
            }
            case LINK -> {
                List<Object> values = new ArrayList<>();
                s.span().links().forEach(l -> addPresent(attribute(l.attributes(), a.name()), values));
                yield new Values.Multi(values);
            }
        };
        if (v == Ast.Nil.NIL && a.scope() == Ast.AttrScope.ANY) {
            v = attribute(s.resource().attributes(), a.name());
        }
        return v;
    }

    private static void addPresent(Object v, List<Object> out) {
        if (v != Ast.Nil.NIL) {
            out.add(v);
        }
    }

    static Object attribute(Attributes attrs, String key) {
        int k = attrs.indexOf(key);
        if (k < 0) {
            return Ast.Nil.NIL;
        }
        return switch (attrs.type(k)) {
            case STRING -> attrs.stringValue(k);
            case LONG -> attrs.longValue(k);
            case DOUBLE -> attrs.doubleValue(k);
            case BOOL -> attrs.boolValue(k);
            default -> new Opaque(attrs.valueText(k));
        };
    }

    /** An array, key-value list or bytes value: shown as text, never equal to a literal. */
    record Opaque(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static Object intrinsic(Ast.Intrinsic in, TraceView t, int i) {
        var s = t.spans[i].span();
        return switch (in) {
            case NAME -> s.name();
            case STATUS -> s.statusCode();
            case STATUS_MESSAGE -> s.statusMessage();
            case KIND -> s.kind();
            case DURATION -> new Ast.Dur(s.durationNanos());
            case CHILD_COUNT -> (long) t.childCount[i];
            case NESTED_SET_LEFT -> (long) t.nestedSetLeft(i);
            case NESTED_SET_RIGHT -> (long) t.nestedSetRight(i);
            case NESTED_SET_PARENT -> (long) t.nestedSetParent(i);
            case SPAN_ID -> s.spanIdHex();
            case PARENT_ID -> s.isRoot() ? Ast.Nil.NIL : SpanIds.spanIdHex(s.parentSpanId());
            case ROOT_NAME -> t.root < 0 ? Ast.Nil.NIL : t.spans[t.root].span().name();
            case ROOT_SERVICE -> t.root < 0 ? Ast.Nil.NIL : t.spans[t.root].serviceName();
            case TRACE_DURATION -> new Ast.Dur(t.endNanos - t.startNanos);
            case TRACE_ID -> t.traceId.hex();
            case SCOPE_NAME -> t.spans[i].scope().name();
            case SCOPE_VERSION -> t.spans[i].scope().version();
            case EVENT_NAME -> new Values.Multi(s.events().stream().map(e -> (Object) e.name()).toList());
            case EVENT_TIME_SINCE_START -> new Values.Multi(s.events().stream()
                    .map(e -> (Object) new Ast.Dur(e.timeUnixNano() - s.startUnixNano())).toList());
            case LINK_TRACE_ID -> new Values.Multi(s.links().stream().map(l -> (Object) l.traceIdHex()).toList());
            case LINK_SPAN_ID -> new Values.Multi(s.links().stream().map(l -> (Object) l.spanIdHex()).toList());
        };
    }
}
