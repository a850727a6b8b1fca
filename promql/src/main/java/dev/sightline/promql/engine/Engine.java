package dev.sightline.promql.engine;

import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Queryable;
import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.AtModifier;
import dev.sightline.promql.ast.BinaryExpr;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.ExprType;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.ParenExpr;
import dev.sightline.promql.ast.StepInvariantExpr;
import dev.sightline.promql.ast.SubqueryExpr;
import dev.sightline.promql.ast.UnaryExpr;
import dev.sightline.promql.ast.VectorSelector;


/**
 * The PromQL engine: evaluates a parsed expression against storage, as an instant query or as a range query in one
 * pass over all steps (every node produces the values of all steps at once, as Prometheus's evaluator does).
 * One querier covers the whole time range the expression needs, computed from the tree (lookback, ranges,
 * offsets, {@code @}, subqueries).
 */
public final class Engine {
    private final EngineOptions options;

    public Engine(EngineOptions options) {
        this.options = options;
    }

    public EngineOptions options() {
        return options;
    }

    public QueryResult instant(Queryable storage, Expr expr, long timeMs) {
        return instant(storage, expr, timeMs, (String) null);
    }

    /** As {@link #instant(Queryable, Expr, long)}; {@code query} (the text) places annotation positions. */
    public QueryResult instant(Queryable storage, Expr expr, long timeMs, String query) {
        return exec(storage, expr, timeMs, timeMs, 1, true, query, null);
    }

    /**
     * As {@link #instant(Queryable, Expr, long)}, keeping the anomaly functions' detector state in {@code cache}
     * between calls with the same {@code expr} (a rule's evaluations; see {@link DetectorCache}).
     */
    public QueryResult instant(Queryable storage, Expr expr, long timeMs, DetectorCache cache) {
        return exec(storage, expr, timeMs, timeMs, 1, true, null, cache);
    }

    public QueryResult range(Queryable storage, Expr expr, long startMs, long endMs, long stepMs) {
        return range(storage, expr, startMs, endMs, stepMs, null);
    }

    public QueryResult range(Queryable storage, Expr expr, long startMs, long endMs, long stepMs, String query) {
        if (expr.type() != ExprType.VECTOR && expr.type() != ExprType.SCALAR) {
            throw PromQLException.badData("invalid expression type \"" + expr.type().documentedName()
                    + "\" for range query, must be Scalar or instant Vector");
        }
        if (stepMs <= 0) {
            throw PromQLException.badData("zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        return exec(storage, expr, startMs, endMs, stepMs, false, query, null);
    }

    private QueryResult exec(Queryable storage, Expr expr, long start, long end, long step, boolean instant, String query,
                             DetectorCache cache) {
        long[] bounds = {Long.MAX_VALUE, Long.MIN_VALUE};
        timeRange(expr, start, end, start, end, instant ? 0 : step, bounds);
        long mint = bounds[0] == Long.MAX_VALUE ? start : bounds[0];
        long maxt = bounds[1] == Long.MIN_VALUE ? end : bounds[1];
        long deadline = System.nanoTime() + options.timeoutMs() * 1_000_000L;
        Annotations annos = new Annotations();
        try (Querier querier = storage.querier(mint, maxt)) {
            Evaluator ev = new Evaluator(options, querier, start, end, step, start, end, annos, deadline, instant ? 0 : step);
            ev.cache = cache;
            ev.queryable = storage;
            Value v = ev.evalTop(expr, instant);
            return new QueryResult(v, annos.warnings(query), annos.infos(query));
        }
    }

    /**
     * Widens {@code bounds} to the sample time range the expression reads when evaluated over [start, end].
     * {@code qStart}/{@code qEnd} are the outer query's bounds, which {@code @ start()}/{@code end()} refer to.
     */
    private void timeRange(Expr e, long start, long end, long qStart, long qEnd, long qStep, long[] bounds) {
        switch (e) {
            case VectorSelector vs -> selectorRange(vs, 0, start, end, qStart, qEnd, qStep, bounds);
            case MatrixSelector ms -> selectorRange(ms.vectorSelector(),
                    Evaluator.durMs(ms.rangeMs(), ms.rangeExpr(), qStep, qEnd - qStart), start, end, qStart, qEnd, qStep, bounds);
            case SubqueryExpr sq -> {
                long offset = Evaluator.durMs(sq.offsetMs(), sq.offsetExpr(), qStep, qEnd - qStart);
                long range = Evaluator.durMs(sq.rangeMs(), sq.rangeExpr(), qStep, qEnd - qStart);
                long s = at(sq.at(), start, qStart, qEnd);
                long en = at(sq.at(), end, qStart, qEnd);
                timeRange(sq.expr(), s - offset - range, en - offset, qStart, qEnd, qStep, bounds);
            }
            case ParenExpr p -> timeRange(p.expr(), start, end, qStart, qEnd, qStep, bounds);
            case UnaryExpr u -> timeRange(u.expr(), start, end, qStart, qEnd, qStep, bounds);
            case StepInvariantExpr s -> timeRange(s.expr(), start, end, qStart, qEnd, qStep, bounds);
            case BinaryExpr b -> {
                for (Expr operand : b.operands()) {
                    timeRange(operand, start, end, qStart, qEnd, qStep, bounds);
                }
            }
            case AggregateExpr a -> {
                timeRange(a.expr(), start, end, qStart, qEnd, qStep, bounds);
                if (a.param() != null) {
                    timeRange(a.param(), start, end, qStart, qEnd, qStep, bounds);
                }
            }
            case Call c -> {
                for (Expr arg : c.args()) {
                    timeRange(arg, start, end, qStart, qEnd, qStep, bounds);
                }
            }
            default -> {
            }
        }
    }

    private void selectorRange(VectorSelector vs, long range, long start, long end, long qStart, long qEnd, long qStep, long[] bounds) {
        long offset = Evaluator.durMs(vs.offsetMs(), vs.offsetExpr(), qStep, qEnd - qStart);
        long lookback = options.lookbackDeltaMs();
        // Anchored and smoothed selectors also read one sample beyond each boundary, within the lookback delta.
        long before = range > 0 ? range + (vs.anchored() || vs.smoothed() ? lookback : 0) : lookback;
        long after = vs.smoothed() ? lookback : 0;
        long s = at(vs.at(), start, qStart, qEnd) - offset - before;
        long en = at(vs.at(), end, qStart, qEnd) - offset + after;
        bounds[0] = Math.min(bounds[0], s);
        bounds[1] = Math.max(bounds[1], en);
    }

    private static long at(AtModifier at, long t, long qStart, long qEnd) {
        return switch (at.kind()) {
            case NONE -> t;
            case TIMESTAMP -> at.timestampMs();
            case START -> qStart;
            case END -> qEnd;
        };
    }
}
