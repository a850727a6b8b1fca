package dev.sightline.promql.parser;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoQuote;
import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.AggregateOp;
import dev.sightline.promql.ast.BinaryExpr;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.DurationExpr;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.ExprType;
import dev.sightline.promql.ast.Function;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.NumberLiteral;
import dev.sightline.promql.ast.ParenExpr;
import dev.sightline.promql.ast.PositionRange;
import dev.sightline.promql.ast.StepInvariantExpr;
import dev.sightline.promql.ast.StringLiteral;
import dev.sightline.promql.ast.SubqueryExpr;
import dev.sightline.promql.ast.UnaryExpr;
import dev.sightline.promql.ast.VectorMatching;
import dev.sightline.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Prometheus's checkAST: type checking of a syntactically valid tree, in Prometheus's traversal order so that the
 * first error reported is the same. Returns the tree with the adjustments Prometheus makes while checking (set
 * operators become many-to-many, vector matching is dropped unless both sides are vectors, the second argument of
 * info() may match the empty string).
 */
final class TypeChecker {
    private final String input;

    TypeChecker(String input) {
        this.input = input;
    }

    Expr check(Expr node) throws ParseException {
        return switch (node) {
            case AggregateExpr a -> checkAggregate(a);
            case BinaryExpr b -> checkBinary(b);
            case Call c -> checkCall(c);
            case ParenExpr p -> new ParenExpr(check(p.expr()), p.position());
            case UnaryExpr u -> {
                Expr inner = check(u.expr());
                ExprType t = inner.type();
                if (t != ExprType.SCALAR && t != ExprType.VECTOR) {
                    throw error(u.position(), "unary expression only allowed on expressions of type scalar or"
                            + " instant vector, got " + GoQuote.quote(t.documentedName()));
                }
                yield new UnaryExpr(u.op(), inner, u.position());
            }
            case SubqueryExpr s -> {
                Expr inner = check(s.expr());
                if (inner.type() != ExprType.VECTOR) {
                    throw error(s.position(), "subquery is only allowed on instant vector, got "
                            + inner.type().promName() + " instead");
                }
                yield new SubqueryExpr(inner, s.rangeMs(), s.rangeExpr(), s.stepMs(), s.stepExpr(), s.offsetMs(),
                        s.offsetExpr(), s.at(), s.position());
            }
            case MatrixSelector m -> {
                checkSelector(m.vectorSelector());
                yield m;
            }
            case VectorSelector vs -> {
                checkSelector(vs);
                yield vs;
            }
            case NumberLiteral n -> n;
            case StringLiteral s -> s;
            case DurationExpr d -> d;
            case StepInvariantExpr s -> new StepInvariantExpr(check(s.expr()));
        };
    }

    private Expr expectType(Expr e, ExprType want, String context) throws ParseException {
        Expr checked = check(e);
        if (checked.type() != want) {
            throw error(e.position(), "expected type " + want.documentedName() + " in " + context + ", got "
                    + checked.type().documentedName());
        }
        return checked;
    }

    private Expr checkAggregate(AggregateExpr a) throws ParseException {
        Expr inner = expectType(a.expr(), ExprType.VECTOR, "aggregation expression");
        Expr param = a.param();
        AggregateOp op = a.op();
        if (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK || op == AggregateOp.QUANTILE
                || op == AggregateOp.LIMITK || op == AggregateOp.LIMIT_RATIO) {
            param = expectType(param, ExprType.SCALAR, "aggregation parameter");
        } else if (op == AggregateOp.COUNT_VALUES) {
            param = expectType(param, ExprType.STRING, "aggregation parameter");
        }
        return new AggregateExpr(op, inner, param, a.grouping(), a.without(), a.position());
    }

    /** Along the chain, in Prometheus's order: the leftmost operand, then each node's rhs and the node itself. */
    private Expr checkBinary(BinaryExpr top) throws ParseException {
        List<BinaryExpr> chain = top.leftChain();
        Expr lhs = check(chain.getFirst().lhs());
        for (BinaryExpr n : chain) {
            lhs = checkBinary(n, lhs, check(n.rhs()));
        }
        return lhs;
    }

    private Expr checkBinary(BinaryExpr n, Expr lhs, Expr rhs) throws ParseException {
        ExprType lt = lhs.type();
        ExprType rt = rhs.type();
        VectorMatching vm = n.matching();
        if (n.returnBool() && !n.op().isComparison()) {
            throw error(opRange(n), "bool modifier can only be used on comparison operators");
        }
        if (n.op().isComparison() && !n.returnBool() && rt == ExprType.SCALAR && lt == ExprType.SCALAR) {
            throw error(opRange(n), "comparisons between scalars must use BOOL modifier");
        }
        if (vm != null && n.op().isSetOperator() && vm.card() == VectorMatching.Cardinality.ONE_TO_ONE) {
            vm = new VectorMatching(VectorMatching.Cardinality.MANY_TO_MANY, vm.matchingLabels(), vm.on(),
                    vm.include(), vm.fillLeft(), vm.fillRight());
        }
        if (vm != null && vm.on()) {
            for (String l1 : vm.matchingLabels()) {
                if (vm.include().contains(l1)) {
                    throw error(opRange(n), "label " + GoQuote.quote(l1) + " must not occur in ON and GROUP clause at once");
                }
            }
        }
        if (lt != ExprType.SCALAR && lt != ExprType.VECTOR) {
            throw error(lhs.position(), "binary expression must contain only scalar and instant vector types");
        }
        if (rt != ExprType.SCALAR && rt != ExprType.VECTOR) {
            throw error(rhs.position(), "binary expression must contain only scalar and instant vector types");
        }
        PositionRange pr = new PositionRange(lhs.position().start(), rhs.position().end());
        if ((lt != ExprType.VECTOR || rt != ExprType.VECTOR) && vm != null) {
            if (!vm.matchingLabels().isEmpty()) {
                throw error(pr, "vector matching only allowed between instant vectors");
            }
            if (vm.hasFill()) {
                throw error(pr, "filling in missing series only allowed between instant vectors");
            }
            vm = null;
        } else if (vm != null && n.op().isSetOperator()) {
            if (vm.card() == VectorMatching.Cardinality.ONE_TO_MANY
                    || vm.card() == VectorMatching.Cardinality.MANY_TO_ONE) {
                throw error(pr, "no grouping allowed for " + GoQuote.quote(n.op().text()) + " operation");
            }
            if (vm.card() != VectorMatching.Cardinality.MANY_TO_MANY) {
                throw error(pr, "set operations must always be many-to-many");
            }
            if (vm.hasFill()) {
                throw error(pr, "filling in missing series not allowed for set operators");
            }
        }
        if ((lt == ExprType.SCALAR || rt == ExprType.SCALAR) && n.op().isSetOperator()) {
            throw error(pr, "set operator " + GoQuote.quote(n.op().text()) + " not allowed in binary scalar expression");
        }
        return new BinaryExpr(n.op(), lhs, rhs, vm, n.returnBool());
    }

    /** The operator part of a binary expression, without surrounding whitespace. */
    private PositionRange opRange(BinaryExpr n) {
        int start = n.lhs().position().end();
        while (start < input.length() && Lexer.isSpace(input.charAt(start))) {
            start++;
        }
        int end = n.rhs().position().start() - 1;
        while (end > start && Lexer.isSpace(input.charAt(end))) {
            end--;
        }
        return new PositionRange(start, end);
    }

    private Expr checkCall(Call n) throws ParseException {
        Function f = n.function();
        int nargs = f.argTypes().size();
        int got = n.args().size();
        String fq = GoQuote.quote(f.name());
        if (f.variadic() == 0) {
            if (nargs != got) {
                throw error(n.position(), "expected " + nargs + " argument(s) in call to " + fq + ", got " + got);
            }
        } else {
            int na = nargs - 1;
            if (na > got) {
                throw error(n.position(), "expected at least " + na + " argument(s) in call to " + fq + ", got " + got);
            } else if (f.variadic() > 0 && na + f.variadic() < got) {
                throw error(n.position(), "expected at most " + (na + f.variadic()) + " argument(s) in call to " + fq
                        + ", got " + got);
            }
        }
        List<Expr> args = new ArrayList<>(n.args());
        if (f.name().equals("info") && args.size() > 1) {
            Expr second = args.get(1);
            if (second.type() != ExprType.VECTOR) {
                throw error(n.position(), "expected type instant vector in call to function " + fq + ", got "
                        + second.type().documentedName());
            }
            if (second instanceof VectorSelector vs && !vs.name().isEmpty()) {
                throw error(second.position(), "expected label selectors only, got vector selector instead");
            } else if (second instanceof VectorSelector vs) {
                args.set(1, new VectorSelector(vs.name(), vs.matchers(), vs.offsetMs(), vs.offsetExpr(), vs.at(),
                        vs.anchored(), vs.smoothed(), true, vs.position()));
            } else {
                throw error(second.position(), "expected label selectors only");
            }
        }
        for (int i = 0; i < args.size(); i++) {
            int ti = i;
            if (i >= nargs) {
                if (f.variadic() == 0) {
                    break;
                }
                ti = nargs - 1;
            }
            Expr checked = check(args.get(i));
            ExprType want = f.argTypes().get(ti);
            if (checked.type() != want) {
                throw error(args.get(i).position(), "expected type " + want.documentedName() + " in call to function "
                        + fq + ", got " + checked.type().documentedName());
            }
            args.set(i, checked);
        }
        return new Call(f, args, n.position());
    }

    private void checkSelector(VectorSelector n) throws ParseException {
        if (!n.name().isEmpty()) {
            // The last matcher is the one for the name written outside the braces.
            List<LabelMatcher> ms = n.matchers();
            for (int i = 0; i < ms.size() - 1; i++) {
                if (ms.get(i).name().equals(Labels.METRIC_NAME)) {
                    throw error(n.position(), "metric name must not be set twice: " + GoQuote.quote(n.name()) + " or "
                            + GoQuote.quote(ms.get(i).value()));
                }
            }
            return;
        }
        if (!n.bypassEmptyMatcherCheck()) {
            for (LabelMatcher m : n.matchers()) {
                if (!m.matchesEmpty()) {
                    return;
                }
            }
            throw error(n.position(), "vector selector must contain at least one non-empty matcher");
        }
    }

    private ParseException error(PositionRange r, String msg) {
        return new ParseException(r, msg, input);
    }
}
