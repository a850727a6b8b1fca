package dev.sightline.logs.logql;

import dev.sightline.core.LabelMatcher;

import java.util.List;

/** The parsed form of a LogQL query, as {@link LogQlParser} builds it and {@link LogQlEvaluator} runs it. */
final class Ast {
    private Ast() {
    }

    sealed interface Expr permits LogExpr, MetricExpr {
    }

    /** A log query: stream selector and pipeline (line filters included, in query order). */
    record LogExpr(List<LabelMatcher> matchers, List<Pipeline.Stage> stages) implements Expr {
    }

    sealed interface MetricExpr extends Expr permits RangeAgg, VectorAgg, BinOp, NumberLit, VectorLit {
    }

    enum Conversion {
        NUMBER, DURATION, BYTES
    }

    /** {@code | unwrap [duration(|bytes(]label[)]} and the label filters after it. */
    record Unwrap(String label, Conversion conversion, List<Pipeline.Stage> after) {
    }

    /** A log range: the log query, its unwrap (null without), range and offset in nanoseconds. */
    record LogRange(LogExpr log, Unwrap unwrap, long rangeNanos, long offsetNanos) {
    }

    /** {@code by (a, b)} or {@code without (a)}. */
    record Grouping(boolean without, List<String> labels) {
    }

    /** {@code count_over_time(...)} and friends; {@code param} is quantile_over_time's; grouping may be null. */
    record RangeAgg(String op, LogRange range, double param, Grouping grouping) implements MetricExpr {
    }

    /** {@code sum by (x) (...)} and friends; {@code param} is topk/bottomk's k (NaN otherwise); grouping may be null. */
    record VectorAgg(String op, MetricExpr inner, double param, Grouping grouping) implements MetricExpr {
    }

    /** How two vectors' samples are paired: on the listed labels, or on all but them; null is all labels. */
    record Matching(boolean on, List<String> labels) {
    }

    record BinOp(String op, MetricExpr lhs, MetricExpr rhs, boolean returnBool, Matching matching)
            implements MetricExpr {
    }

    record NumberLit(double value) implements MetricExpr {
    }

    /** {@code vector(1)}: one series without labels. */
    record VectorLit(double value) implements MetricExpr {
    }
}
