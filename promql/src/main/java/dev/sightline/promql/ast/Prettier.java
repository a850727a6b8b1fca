package dev.sightline.promql.ast;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Prometheus's prettier (promql/parser/prettier.go), as served by /api/v1/format_query: an expression whose printed
 * form exceeds 100 bytes is split over lines, children indented by two spaces per level.
 */
public final class Prettier {
    private static final int MAX_CHARACTERS_PER_LINE = 100;

    private Prettier() {
    }

    public static String pretty(Expr e) {
        return pretty(e, 0);
    }

    private static String pretty(Expr e, int level) {
        return switch (e) {
            case AggregateExpr a -> {
                if (!needsSplit(a)) {
                    yield indent(level) + a;
                }
                StringBuilder b = new StringBuilder(indent(level));
                Printer.writeAggregateOp(b, a);
                b.append("(\n");
                if (a.param() != null) {
                    b.append(pretty(a.param(), level + 1)).append(",\n");
                }
                yield b.append(pretty(a.expr(), level + 1)).append('\n').append(indent(level)).append(')').toString();
            }
            case BinaryExpr top -> {
                // Each node's lhs one level deeper, as Prometheus does, but along the chain instead of recursing:
                // the nodes from the first one that needs splitting up are split, those below it printed whole.
                List<BinaryExpr> chain = top.leftChain();
                int n = chain.size();
                int k = firstToSplit(chain);
                if (k == n) {
                    yield indent(level) + top;
                }
                StringBuilder b = new StringBuilder(pretty(chain.get(k).lhs(), level + n - k));
                for (int i = k; i < n; i++) {
                    BinaryExpr be = chain.get(i);
                    int l = level + n - 1 - i;
                    b.append('\n').append(indent(l)).append(be.op().text());
                    Printer.writeBinaryModifiers(b, be);
                    b.append('\n').append(pretty(be.rhs(), l + 1));
                }
                yield b.toString();
            }
            case Call c -> {
                if (!needsSplit(c)) {
                    yield indent(level) + c;
                }
                StringBuilder b = new StringBuilder(indent(level)).append(c.function().name()).append("(\n");
                for (int i = 0; i < c.args().size(); i++) {
                    if (i > 0) {
                        b.append(",\n");
                    }
                    b.append(pretty(c.args().get(i), level + 1));
                }
                yield b.append('\n').append(indent(level)).append(')').toString();
            }
            case ParenExpr p -> {
                if (!needsSplit(p)) {
                    yield indent(level) + p;
                }
                yield indent(level) + "(\n" + pretty(p.expr(), level + 1) + "\n" + indent(level) + ")";
            }
            case StepInvariantExpr s -> pretty(s.expr(), level);
            case SubqueryExpr sq -> {
                // Prometheus does not indent an unsplit subquery.
                if (!needsSplit(sq)) {
                    yield sq.toString();
                }
                StringBuilder b = new StringBuilder(pretty(sq.expr(), level));
                Printer.writeSubquerySuffix(b, sq);
                yield b.toString();
            }
            case UnaryExpr u -> indent(level) + u.op().text() + pretty(u.expr(), level).strip();
            case NumberLiteral n -> indent(level) + n;
            case StringLiteral s -> indent(level) + s;
            case VectorSelector vs -> indent(level) + vs;
            case MatrixSelector ms -> indent(level) + ms;
            case DurationExpr d -> indent(level) + d;
        };
    }

    /**
     * The index of the first node of a left chain that needs splitting, or its size: each node prints as its lhs
     * and more, so the ones that need it are a suffix, found by bisection instead of printing every node.
     */
    private static int firstToSplit(List<BinaryExpr> chain) {
        int lo = 0;
        int hi = chain.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (needsSplit(chain.get(mid))) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static boolean needsSplit(Expr e) {
        return e.toString().getBytes(StandardCharsets.UTF_8).length > MAX_CHARACTERS_PER_LINE;
    }

    private static String indent(int level) {
        return "  ".repeat(level);
    }
}
