package dev.sightline.promql.test;

import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.AtModifier;
import dev.sightline.promql.ast.BinaryExpr;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.ParenExpr;
import dev.sightline.promql.ast.StepInvariantExpr;
import dev.sightline.promql.ast.SubqueryExpr;
import dev.sightline.promql.ast.UnaryExpr;
import dev.sightline.promql.ast.VectorSelector;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Prometheus's test framework also runs every instant eval with {@code @ <eval time>} added to each selector and
 * subquery (not inside a subquery that has one), at several other evaluation times, and expects the same result:
 * a check that evaluation is step invariant. Expressions using functions whose result depends on the evaluation
 * time are skipped.
 */
final class AtModifierVariants {
    private static final Set<String> AT_UNSAFE = Set.of("days_in_month", "day_of_month", "day_of_week", "day_of_year",
            "hour", "minute", "month", "year", "predict_linear", "time", "timestamp",
            // The query-relative functions cannot be pinned either.
            "start", "end", "range", "step");

    private AtModifierVariants() {
    }

    /** The rewritten expression, or null when the expression must not be checked this way. */
    static Expr pin(Expr e, long ts) {
        if (usesUnsafe(e)) {
            return null;
        }
        return rewrite(e, AtModifier.at(ts));
    }

    /** The evaluation times Prometheus uses for the pinned expression. */
    static long[] evalTimes(long ts) {
        return ts == 0 ? new long[]{-1000, 0, 1000} : new long[]{-10 * ts, 0, ts / 5, ts, 10 * ts};
    }

    private static boolean usesUnsafe(Expr e) {
        return switch (e) {
            case Call c -> AT_UNSAFE.contains(c.function().name()) || c.args().stream().anyMatch(AtModifierVariants::usesUnsafe);
            case AggregateExpr a -> usesUnsafe(a.expr()) || (a.param() != null && usesUnsafe(a.param()));
            case BinaryExpr b -> b.operands().stream().anyMatch(AtModifierVariants::usesUnsafe);
            case UnaryExpr u -> usesUnsafe(u.expr());
            case ParenExpr p -> usesUnsafe(p.expr());
            case StepInvariantExpr s -> usesUnsafe(s.expr());
            case SubqueryExpr sq -> usesUnsafe(sq.expr());
            default -> false;
        };
    }

    private static Expr rewrite(Expr e, AtModifier at) {
        return switch (e) {
            case VectorSelector vs -> vs.at().isSet() ? vs : vs.withAt(at);
            case MatrixSelector ms -> ms.vectorSelector().at().isSet() ? ms
                    : new MatrixSelector(ms.vectorSelector().withAt(at), ms.rangeMs(), ms.rangeExpr(), ms.position());
            // A subquery gets the @ itself; what is inside it keeps evaluating relative to the subquery's steps.
            case SubqueryExpr sq -> sq.at().isSet() ? sq : sq.withAt(at);
            case Call c -> {
                List<Expr> args = new ArrayList<>();
                for (Expr a : c.args()) {
                    args.add(rewrite(a, at));
                }
                yield new Call(c.function(), args, c.position());
            }
            case AggregateExpr a -> new AggregateExpr(a.op(), rewrite(a.expr(), at),
                    a.param() == null ? null : rewrite(a.param(), at), a.grouping(), a.without(), a.position());
            case BinaryExpr top -> {
                List<BinaryExpr> chain = top.leftChain();
                Expr lhs = rewrite(chain.getFirst().lhs(), at);
                for (BinaryExpr b : chain) {
                    lhs = b.with(lhs, rewrite(b.rhs(), at));
                }
                yield lhs;
            }
            case UnaryExpr u -> new UnaryExpr(u.op(), rewrite(u.expr(), at), u.position());
            case ParenExpr p -> new ParenExpr(rewrite(p.expr(), at), p.position());
            case StepInvariantExpr s -> new StepInvariantExpr(rewrite(s.expr(), at));
            default -> e;
        };
    }
}
