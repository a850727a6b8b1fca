package dev.sightline.traces.traceql;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The parsed form of a TraceQL query. Every node prints back as canonical TraceQL (used for labels and names). */
final class Ast {
    private Ast() {
    }

    // ---------------------------------------------------------------- values

    /** TraceQL's nil: a missing attribute, or the literal {@code nil}. */
    enum Nil {
        NIL;

        @Override
        public String toString() {
            return "nil";
        }
    }

    /** A duration value in nanoseconds (kept apart from integers so results print as durations). */
    record Dur(long nanos) {
        @Override
        public String toString() {
            return nanos + "ns";
        }
    }

    static String literal(Object v) {
        return switch (v) {
            case String s -> quote(s);
            case StatusCode c -> c.name().toLowerCase(Locale.ROOT);
            case SpanKind k -> k.name().toLowerCase(Locale.ROOT);
            case Long l when l == Long.MIN_VALUE -> "minInt"; // its digits alone overflow: "-" applies after
            default -> v.toString();
        };
    }

    /** A Go string literal: backslash, quote and control characters escaped, so it lexes back to {@code s}. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    // ---------------------------------------------------------------- field expressions (one span)

    sealed interface FieldExpr permits Lit, AttrRef, IntrinsicRef, Binary, Unary {
    }

    record Lit(Object value) implements FieldExpr {
        @Override
        public String toString() {
            return literal(value);
        }
    }

    /**
     * SPAN, RESOURCE and ANY (unscoped {@code .x}) are the store's scopes; the others are evaluated in memory. A span
     * has many events and links, so their attributes are multi-valued: a comparison holds when one of them passes.
     */
    enum AttrScope { SPAN, RESOURCE, ANY, INSTRUMENTATION, EVENT, LINK }

    /** Whether a field has one value per event or link of a span rather than one per span. */
    static boolean multiValued(FieldExpr e) {
        return e instanceof AttrRef a && (a.scope() == AttrScope.EVENT || a.scope() == AttrScope.LINK)
                || e instanceof IntrinsicRef i && i.intrinsic().multiValued();
    }

    record AttrRef(AttrScope scope, String name) implements FieldExpr {
        @Override
        public String toString() {
            String n = name.chars().allMatch(c -> !Character.isWhitespace(c) && "{}()=~!<>&|^,\"".indexOf(c) < 0)
                    ? name : '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            return switch (scope) {
                case SPAN -> "span." + n;
                case RESOURCE -> "resource." + n;
                case ANY -> "." + n;
                case INSTRUMENTATION -> "instrumentation." + n;
                case EVENT -> "event." + n;
                case LINK -> "link." + n;
            };
        }
    }

    /** Span and trace intrinsics; {@code text} is how the query named it. */
    enum Intrinsic {
        NAME("name"), STATUS("status"), STATUS_MESSAGE("statusMessage"), KIND("kind"), DURATION("duration"),
        CHILD_COUNT("span:childCount"), SPAN_ID("span:id"), PARENT_ID("span:parentID"),
        ROOT_NAME("rootName"), ROOT_SERVICE("rootServiceName"), TRACE_DURATION("traceDuration"), TRACE_ID("trace:id"),
        NESTED_SET_LEFT("nestedSetLeft"), NESTED_SET_RIGHT("nestedSetRight"), NESTED_SET_PARENT("nestedSetParent"),
        SCOPE_NAME("instrumentation:name"), SCOPE_VERSION("instrumentation:version"),
        EVENT_NAME("event:name"), EVENT_TIME_SINCE_START("event:timeSinceStart"), LINK_TRACE_ID("link:traceID"),
        LINK_SPAN_ID("link:spanID");

        final String text;

        Intrinsic(String text) {
            this.text = text;
        }

        boolean multiValued() {
            return ordinal() >= EVENT_NAME.ordinal();
        }

        /** Whether the value depends on other spans of the trace (the root, the tree), not on the span alone. */
        boolean needsTree() {
            return switch (this) {
                case ROOT_NAME, ROOT_SERVICE, TRACE_DURATION, CHILD_COUNT, NESTED_SET_LEFT, NESTED_SET_RIGHT,
                     NESTED_SET_PARENT -> true;
                default -> false;
            };
        }
    }

    record IntrinsicRef(Intrinsic intrinsic, String text) implements FieldExpr {
        @Override
        public String toString() {
            return text;
        }
    }

    enum BinOp {
        AND("&&"), OR("||"), EQ("="), NEQ("!="), RE("=~"), NRE("!~"), GT(">"), GTE(">="), LT("<"), LTE("<="),
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), POW("^");

        final String symbol;

        BinOp(String symbol) {
            this.symbol = symbol;
        }

        boolean comparison() {
            return ordinal() >= EQ.ordinal() && ordinal() <= LTE.ordinal();
        }

        boolean arithmetic() {
            return ordinal() >= ADD.ordinal();
        }
    }

    /** {@code pos} is the operator's offset in the query, for error messages. */
    record Binary(BinOp op, FieldExpr left, FieldExpr right, int pos) implements FieldExpr {
        @Override
        public String toString() {
            return "(" + left + " " + op.symbol + " " + right + ")";
        }
    }

    enum UnOp { NOT, NEG }

    record Unary(UnOp op, FieldExpr operand) implements FieldExpr {
        @Override
        public String toString() {
            return (op == UnOp.NOT ? "!" : "-") + operand;
        }
    }

    // ---------------------------------------------------------------- spanset expressions (one trace)

    sealed interface SpansetExpr permits Filter, SpansetOp, Pipeline {
    }

    /** {@code { expr }}; a null expression is {@code { }}, every span. */
    record Filter(FieldExpr expr) implements SpansetExpr {
        @Override
        public String toString() {
            return expr == null ? "{ }" : "{ " + expr + " }";
        }
    }

    enum SpansetOpKind {
        AND("&&"), OR("||"), CHILD(">"), PARENT("<"), DESC(">>"), ANCE("<<"), SIBL("~"),
        NOT_CHILD("!>"), NOT_PARENT("!<"), NOT_DESC("!>>"), NOT_ANCE("!<<"), NOT_SIBL("!~"),
        UNION_CHILD("&>"), UNION_PARENT("&<"), UNION_DESC("&>>"), UNION_ANCE("&<<"), UNION_SIBL("&~");

        final String symbol;

        SpansetOpKind(String symbol) {
            this.symbol = symbol;
        }

        /** The structural relation the operator tests, ignoring its not/union flavour; null for && and ||. */
        SpansetOpKind relation() {
            return switch (this) {
                case AND, OR -> null;
                case CHILD, NOT_CHILD, UNION_CHILD -> CHILD;
                case PARENT, NOT_PARENT, UNION_PARENT -> PARENT;
                case DESC, NOT_DESC, UNION_DESC -> DESC;
                case ANCE, NOT_ANCE, UNION_ANCE -> ANCE;
                case SIBL, NOT_SIBL, UNION_SIBL -> SIBL;
            };
        }

        boolean negated() {
            return name().startsWith("NOT_");
        }

        boolean union() {
            return name().startsWith("UNION_");
        }
    }

    record SpansetOp(SpansetOpKind op, SpansetExpr left, SpansetExpr right) implements SpansetExpr {
        @Override
        public String toString() {
            return "(" + left + " " + op.symbol + " " + right + ")";
        }
    }

    /** A spanset expression (null: every span of the trace) followed by stages. */
    record Pipeline(SpansetExpr source, List<Stage> stages) implements SpansetExpr {
        /** Without the parentheses a nested pipeline needs: the form of a whole query. */
        String inner() {
            String s = stages.stream().map(Object::toString).collect(Collectors.joining(" | "));
            return source == null ? s : stages.isEmpty() ? source.toString() : source + " | " + s;
        }

        @Override
        public String toString() {
            return "(" + inner() + ")";
        }
    }

    sealed interface Stage permits FilterStage, ScalarFilter, By, Select, Coalesce {
    }

    record FilterStage(SpansetExpr expr) implements Stage {
        @Override
        public String toString() {
            return expr.toString();
        }
    }

    record ScalarFilter(BinOp op, ScalarExpr left, ScalarExpr right) implements Stage {
        @Override
        public String toString() {
            return left + " " + op.symbol + " " + right;
        }
    }

    /** {@code pos} is the offset of "by" in the query, for error messages. */
    record By(FieldExpr expr, int pos) implements Stage {
        @Override
        public String toString() {
            return "by(" + expr + ")";
        }
    }

    record Select(List<FieldExpr> fields) implements Stage {
        @Override
        public String toString() {
            return fields.stream().map(Object::toString).collect(Collectors.joining(", ", "select(", ")"));
        }
    }

    record Coalesce() implements Stage {
        @Override
        public String toString() {
            return "coalesce()";
        }
    }

    sealed interface ScalarExpr permits Aggregate, ScalarLit, ScalarBinary {
    }

    enum AggOp { COUNT, AVG, MIN, MAX, SUM }

    /** {@code count()} (null field) or {@code avg|min|max|sum(field)} over the spans of a spanset. */
    record Aggregate(AggOp op, FieldExpr field) implements ScalarExpr {
        @Override
        public String toString() {
            return op.name().toLowerCase(Locale.ROOT) + "(" + (field == null ? "" : field.toString()) + ")";
        }
    }

    record ScalarLit(Object value) implements ScalarExpr {
        @Override
        public String toString() {
            return literal(value);
        }
    }

    record ScalarBinary(BinOp op, ScalarExpr left, ScalarExpr right) implements ScalarExpr {
        @Override
        public String toString() {
            return "(" + left + " " + op.symbol + " " + right + ")";
        }
    }

    // ---------------------------------------------------------------- metrics

    enum MetricsFn {
        RATE("rate"), COUNT_OVER_TIME("count_over_time"), MIN_OVER_TIME("min_over_time"),
        MAX_OVER_TIME("max_over_time"), AVG_OVER_TIME("avg_over_time"), SUM_OVER_TIME("sum_over_time"),
        QUANTILE_OVER_TIME("quantile_over_time"), HISTOGRAM_OVER_TIME("histogram_over_time"), COMPARE("compare");

        final String text;

        MetricsFn(String text) {
            this.text = text;
        }
    }

    /** A second stage: {@code topk(k)} or {@code bottomk(k)} series at each step. */
    record TopK(boolean bottom, int k) {
        @Override
        public String toString() {
            return (bottom ? "bottomk(" : "topk(") + k + ")";
        }
    }

    /**
     * {@code compare(filter, topN, start, end)}: the spans the filter passes (and, when start and end are not 0, that
     * start in {@code [start, end)}) are the selection, the others the baseline.
     */
    record Compare(Filter selection, int topN, long startNanos, long endNanos) {
        @Override
        public String toString() {
            return "compare(" + selection + ", " + topN + (startNanos == 0 && endNanos == 0 ? ""
                    : ", " + startNanos + ", " + endNanos) + ")";
        }
    }

    /**
     * A metrics function: {@code field} for the *_over_time ones, {@code quantiles} for quantile_over_time,
     * {@code compare} for compare(), and an optional second stage (null when none).
     */
    record Metrics(MetricsFn fn, FieldExpr field, List<Double> quantiles, List<FieldExpr> by, Compare compare,
                   TopK topK) {
        @Override
        public String toString() {
            if (compare != null) {
                return topK == null ? compare.toString() : compare + " | " + topK;
            }
            StringBuilder sb = new StringBuilder(fn.text).append('(');
            if (field != null) {
                sb.append(field);
            }
            for (double q : quantiles) {
                sb.append(", ").append(q);
            }
            sb.append(')');
            if (!by.isEmpty()) {
                sb.append(by.stream().map(Object::toString).collect(Collectors.joining(", ", " by (", ")")));
            }
            return topK == null ? sb.toString() : sb + " | " + topK;
        }
    }
}
