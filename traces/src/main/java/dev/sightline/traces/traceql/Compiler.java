package dev.sightline.traces.traceql;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.core.text.Regex;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.traceql.Ast.BinOp;
import dev.sightline.traces.traceql.Ast.FieldExpr;
import dev.sightline.traces.traceql.Ast.Intrinsic;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns a spanset filter's field expression into a span predicate and works out what of it the store can answer.
 * A comparison of a span field with a literal that {@link SpanCondition} expresses becomes that condition, evaluated
 * in memory by {@link SpanCondition#matches} too, so pushed-down and in-memory answers cannot differ; the rest
 * (arithmetic, trace intrinsics, {@code = nil}, negation) is evaluated in memory only.
 */
final class Compiler {
    private Compiler() {
    }

    /** A test of one span of a trace. */
    sealed interface SpanPred permits Cond, And, Or, Not, Const, Generic {
        boolean test(TraceView t, int i);
    }

    record Cond(SpanCondition condition) implements SpanPred {
        @Override
        public boolean test(TraceView t, int i) {
            return condition.matches(t.spans[i]);
        }
    }

    record And(List<SpanPred> parts) implements SpanPred {
        @Override
        public boolean test(TraceView t, int i) {
            for (SpanPred p : parts) {
                if (!p.test(t, i)) {
                    return false;
                }
            }
            return true;
        }
    }

    record Or(List<SpanPred> parts) implements SpanPred {
        @Override
        public boolean test(TraceView t, int i) {
            for (SpanPred p : parts) {
                if (p.test(t, i)) {
                    return true;
                }
            }
            return false;
        }
    }

    record Not(SpanPred part) implements SpanPred {
        @Override
        public boolean test(TraceView t, int i) {
            return !part.test(t, i);
        }
    }

    record Const(boolean value) implements SpanPred {
        @Override
        public boolean test(TraceView t, int i) {
            return value;
        }
    }

    /** Anything else: the expression's value must be {@code true}. */
    record Generic(FieldExpr expr) implements SpanPred {
        @Override
        public boolean test(TraceView t, int i) {
            return Evaluator.value(expr, t, i) == Boolean.TRUE;
        }
    }

    static SpanPred compile(FieldExpr e) {
        if (e == null) {
            return new Const(true);
        }
        if (e instanceof Ast.Binary b && (b.op() == BinOp.AND || b.op() == BinOp.OR)) {
            List<SpanPred> parts = new ArrayList<>();
            flatten(b.op(), b, parts);
            return b.op() == BinOp.AND ? new And(parts) : new Or(parts);
        }
        if (e instanceof Ast.Unary u && u.op() == Ast.UnOp.NOT) {
            return new Not(compile(u.operand()));
        }
        if (e instanceof Ast.Lit(Object v) && v instanceof Boolean bool) {
            return new Const(bool);
        }
        if (e instanceof Ast.AttrRef a && scope(a) != null) {
            // Tempo: an attribute alone as an operand means "= true".
            return new Cond(SpanCondition.attribute(scope(a), a.name(), SpanCondition.Op.EQ, true));
        }
        if (e instanceof Ast.AttrRef a) {
            return new Generic(new Ast.Binary(BinOp.EQ, a, new Ast.Lit(true), 0));
        }
        if (e instanceof Ast.Binary b && b.op().comparison()) {
            SpanCondition c = condition(b);
            if (c != null) {
                return new Cond(c);
            }
        }
        return new Generic(e);
    }

    private static void flatten(BinOp op, FieldExpr e, List<SpanPred> out) {
        if (e instanceof Ast.Binary b && b.op() == op) {
            flatten(op, b.left(), out);
            flatten(op, b.right(), out);
        } else {
            out.add(compile(e));
        }
    }

    /** The store's scope of an attribute, null for one the store does not index (instrumentation, event, link). */
    static SpanCondition.Scope scope(Ast.AttrRef a) {
        return switch (a.scope()) {
            case SPAN -> SpanCondition.Scope.SPAN;
            case RESOURCE -> SpanCondition.Scope.RESOURCE;
            case ANY -> SpanCondition.Scope.ANY;
            case INSTRUMENTATION, EVENT, LINK -> null;
        };
    }

    private static BinOp flip(BinOp op) {
        return switch (op) {
            case GT -> BinOp.LT;
            case GTE -> BinOp.LTE;
            case LT -> BinOp.GT;
            case LTE -> BinOp.GTE;
            default -> op;
        };
    }

    private static SpanCondition.Op op(BinOp op) {
        return switch (op) {
            case EQ -> SpanCondition.Op.EQ;
            case NEQ -> SpanCondition.Op.NEQ;
            case RE -> SpanCondition.Op.REGEX;
            case NRE -> SpanCondition.Op.NOT_REGEX;
            case GT -> SpanCondition.Op.GT;
            case GTE -> SpanCondition.Op.GTE;
            case LT -> SpanCondition.Op.LT;
            case LTE -> SpanCondition.Op.LTE;
            default -> throw new IllegalStateException(op.name());
        };
    }

    /** The store condition equivalent to {@code field op literal} (either side order), or null. */
    private static SpanCondition condition(Ast.Binary b) {
        FieldExpr field = b.left();
        FieldExpr other = b.right();
        BinOp op = b.op();
        if (field instanceof Ast.Lit && !(other instanceof Ast.Lit)) {
            if (op == BinOp.RE || op == BinOp.NRE) {
                return null;
            }
            field = b.right();
            other = b.left();
            op = flip(op);
        }
        if (!(other instanceof Ast.Lit(Object v))) {
            return null;
        }
        boolean eqOnly = op == BinOp.EQ || op == BinOp.NEQ;
        boolean regex = op == BinOp.RE || op == BinOp.NRE;
        if (field instanceof Ast.AttrRef a) {
            if (scope(a) == null) {
                return null;
            }
            if (v == Ast.Nil.NIL) {
                return op == BinOp.NEQ ? SpanCondition.attribute(scope(a), a.name(), SpanCondition.Op.EXISTS, null)
                        : null;
            }
            Object value = v instanceof Ast.Dur d ? (Object) d.nanos() : v;
            boolean ok = value instanceof String || (value instanceof Long || value instanceof Double) && !regex
                    || value instanceof Boolean && eqOnly;
            return ok ? SpanCondition.attribute(scope(a), a.name(), op(op), value) : null;
        }
        if (!(field instanceof Ast.IntrinsicRef(Intrinsic in, String text))) {
            return null;
        }
        return switch (in) {
            case NAME, STATUS_MESSAGE -> v instanceof String s ? SpanCondition.intrinsic(
                    in == Intrinsic.NAME ? SpanCondition.Target.NAME : SpanCondition.Target.STATUS_MESSAGE, op(op), s)
                    : null;
            case STATUS -> v instanceof StatusCode && eqOnly
                    ? SpanCondition.intrinsic(SpanCondition.Target.STATUS, op(op), v) : null;
            case KIND -> v instanceof SpanKind && eqOnly
                    ? SpanCondition.intrinsic(SpanCondition.Target.KIND, op(op), v) : null;
            case DURATION -> (v instanceof Ast.Dur || v instanceof Long || v instanceof Double) && !regex
                    ? SpanCondition.intrinsic(SpanCondition.Target.DURATION, op(op),
                    v instanceof Ast.Dur d ? (Object) d.nanos() : v) : null;
            default -> null;
        };
    }

    /**
     * What the store can narrow a filter to: a list of condition conjunctions whose union holds every span the
     * predicate passes (one empty conjunction: every span; no conjunction: none). Parts it cannot express are left
     * out, which only widens: an {@code ||} with more than {@code MAX_DISJUNCTS} terms becomes "every span", and a
     * part of an {@code &&} that would multiply the terms past it is skipped.
     */
    static List<List<SpanCondition>> plan(SpanPred p) {
        return switch (p) {
            case Cond c -> List.of(List.of(c.condition()));
            case Const c -> c.value() ? List.of(List.of()) : List.of();
            case Not n -> List.of(List.of());
            case Generic g -> List.of(List.of());
            case Or o -> {
                List<List<SpanCondition>> out = new ArrayList<>();
                for (SpanPred part : o.parts()) {
                    List<List<SpanCondition>> sub = plan(part);
                    if (sub.size() == 1 && sub.get(0).isEmpty()) {
                        yield sub;
                    }
                    out.addAll(sub);
                }
                yield out.size() > MAX_DISJUNCTS ? List.of(List.of()) : out;
            }
            case And a -> {
                List<List<SpanCondition>> acc = List.of(List.of());
                for (SpanPred part : a.parts()) {
                    List<List<SpanCondition>> sub = plan(part);
                    if (sub.size() * acc.size() > MAX_DISJUNCTS) {
                        continue;
                    }
                    List<List<SpanCondition>> next = new ArrayList<>();
                    for (List<SpanCondition> x : acc) {
                        for (List<SpanCondition> y : sub) {
                            List<SpanCondition> both = new ArrayList<>(x);
                            both.addAll(y);
                            next.add(both);
                        }
                    }
                    acc = next;
                }
                yield acc;
            }
        };
    }

    private static final int MAX_DISJUNCTS = 16;

    /** The conditions when the predicate is exactly their conjunction (the store's answer needs no re-check), else null. */
    static List<SpanCondition> exactConjunction(SpanPred p) {
        if (p instanceof Const c && c.value()) {
            return List.of();
        }
        if (p instanceof Cond c) {
            return List.of(c.condition());
        }
        if (p instanceof And a) {
            List<SpanCondition> out = new ArrayList<>();
            for (SpanPred part : a.parts()) {
                List<SpanCondition> sub = exactConjunction(part);
                if (sub == null) {
                    return null;
                }
                out.addAll(sub);
            }
            return out;
        }
        return null;
    }

    // ---------------------------------------------------------------- validation at parse time

    /** Rejects what parses but cannot run: misapplied operators, bad regular expressions, misplaced event fields. */
    static void check(TraceQLQuery q) {
        checkPipeline(q, q.pipeline());
        if (q.metrics() != null) {
            if (q.metrics().field() != null) {
                checkField(q, q.metrics().field(), false, -1);
            }
            q.metrics().by().forEach(f -> checkField(q, f, false, -1));
            if (q.metrics().compare() != null) {
                checkSpanset(q, q.metrics().compare().selection());
            }
        }
    }

    private static void checkPipeline(TraceQLQuery q, Ast.Pipeline p) {
        if (p.source() != null) {
            checkSpanset(q, p.source());
        }
        for (Ast.Stage s : p.stages()) {
            switch (s) {
                case Ast.FilterStage f -> checkSpanset(q, f.expr());
                case Ast.By b -> checkField(q, b.expr(), false, b.pos());
                case Ast.Select sel -> sel.fields().forEach(f -> checkField(q, f, false, -1));
                case Ast.ScalarFilter sf -> {
                    checkScalar(q, sf.left());
                    checkScalar(q, sf.right());
                }
                case Ast.Coalesce c -> {
                }
            }
        }
    }

    private static void checkScalar(TraceQLQuery q, Ast.ScalarExpr e) {
        switch (e) {
            case Ast.Aggregate a when a.field() != null -> checkField(q, a.field(), false, -1);
            case Ast.ScalarBinary b -> {
                checkScalar(q, b.left());
                checkScalar(q, b.right());
            }
            default -> {
            }
        }
    }

    private static void checkSpanset(TraceQLQuery q, Ast.SpansetExpr e) {
        switch (e) {
            case Ast.Filter f -> {
                if (f.expr() != null) {
                    checkField(q, f.expr(), true, -1);
                }
            }
            case Ast.SpansetOp op -> {
                checkSpanset(q, op.left());
                checkSpanset(q, op.right());
            }
            case Ast.Pipeline p -> checkPipeline(q, p);
        }
    }

    /**
     * {@code condition}: whether the expression is read as a condition (a filter, an operand of {@code && || !});
     * {@code pos}: the offset to report for a problem with no operator of its own, -1 to find the field in the text.
     */
    private static void checkField(TraceQLQuery q, FieldExpr e, boolean condition, int pos) {
        switch (e) {
            case Ast.Binary b when b.op() == BinOp.AND || b.op() == BinOp.OR -> {
                checkField(q, b.left(), true, b.pos());
                checkField(q, b.right(), true, b.pos());
            }
            case Ast.Binary b -> {
                for (FieldExpr side : List.of(b.left(), b.right())) {
                    FieldExpr other = side == b.left() ? b.right() : b.left();
                    if (!Ast.multiValued(side)) {
                        checkField(q, side, false, b.pos());
                    } else if (!b.op().comparison() || !(other instanceof Ast.Lit)) {
                        throw Lexer.error(q.text(), b.pos(), "unsupported construct \"" + side + "\" in " + b
                                + ": event and link fields are compared with a literal only");
                    }
                }
                if (b.op().comparison() && b.op() != BinOp.EQ && b.op() != BinOp.NEQ) {
                    for (FieldExpr side : List.of(b.left(), b.right())) {
                        if (isEnum(side)) {
                            throw Lexer.error(q.text(), b.pos(), "operator " + b.op().symbol + " does not apply to "
                                    + side + " (only = and !=)");
                        }
                    }
                }
                checkTypes(q, b);
                if (b.op() == BinOp.RE || b.op() == BinOp.NRE) {
                    if (!(b.right() instanceof Ast.Lit(Object v)) || !(v instanceof String s)) {
                        throw Lexer.error(q.text(), b.pos(), "the right side of " + b.op().symbol
                                + " must be a string literal (a regular expression), not " + b.right());
                    }
                    try {
                        Regex.compile(s, Pattern.DOTALL);
                    } catch (PatternSyntaxException ex) {
                        throw Lexer.error(q.text(), b.pos(), "invalid regular expression " + Ast.literal(s) + ": "
                                + ex.getDescription());
                    }
                }
            }
            case Ast.Unary u -> checkField(q, u.operand(), u.op() == Ast.UnOp.NOT, pos);
            default -> {
                if (Ast.multiValued(e) && !(condition && e instanceof Ast.AttrRef)) {
                    int at = pos >= 0 ? pos : Math.max(0, q.text().indexOf(e.toString()));
                    throw Lexer.error(q.text(), at, "unsupported construct \"" + e + "\" here: event and link fields "
                            + "are compared with a literal only (a span has one value per event or link)");
                }
            }
        }
    }

    /** An intrinsic compared with a literal of another type matches nothing; Tempo refuses it, so do we. */
    private static void checkTypes(TraceQLQuery q, Ast.Binary b) {
        if (!b.op().comparison()) {
            return;
        }
        for (int side = 0; side < 2; side++) {
            FieldExpr field = side == 0 ? b.left() : b.right();
            FieldExpr other = side == 0 ? b.right() : b.left();
            if (!(field instanceof Ast.IntrinsicRef(Intrinsic in, String text)) || !(other instanceof Ast.Lit(Object v))
                    || v == Ast.Nil.NIL) {
                continue;
            }
            boolean ok = switch (in) {
                case STATUS -> v instanceof StatusCode;
                case KIND -> v instanceof SpanKind;
                case DURATION, TRACE_DURATION, CHILD_COUNT, EVENT_TIME_SINCE_START, NESTED_SET_LEFT, NESTED_SET_RIGHT,
                     NESTED_SET_PARENT -> Values.isNumber(v);
                default -> v instanceof String;
            };
            if (!ok) {
                throw Lexer.error(q.text(), b.pos(), text + " cannot be compared with " + other);
            }
        }
    }

    private static boolean isEnum(FieldExpr e) {
        return e instanceof Ast.Lit(Object v) && (v instanceof StatusCode || v instanceof SpanKind)
                || e instanceof Ast.IntrinsicRef(Intrinsic in, String t) && (in == Intrinsic.STATUS || in == Intrinsic.KIND);
    }
}
