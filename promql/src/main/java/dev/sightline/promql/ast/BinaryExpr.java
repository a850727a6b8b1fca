package dev.sightline.promql.ast;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * {@code lhs op rhs}. {@code matching} is non-null when both sides are instant vectors (Prometheus always sets it
 * then; it defaults to one-to-one, or many-to-many for set operators). {@code returnBool} is the {@code bool}
 * modifier of comparisons.
 * <p>
 * A chain {@code a + b + c ...} is a left-deep tree as deep as it is long (tools generate thousands of terms), so
 * nothing here recurses down {@code lhs}: type and position are computed once, from the children's, and walks over
 * the tree go along {@link #leftChain()} instead of recursing into {@code lhs}. Not a record for that reason.
 */
public final class BinaryExpr implements Expr {
    private final BinaryOp op;
    private final Expr lhs;
    private final Expr rhs;
    private final VectorMatching matching;
    private final boolean returnBool;
    private final ExprType type;
    private final PositionRange position;

    public BinaryExpr(BinaryOp op, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool) {
        this.op = op;
        this.lhs = lhs;
        this.rhs = rhs;
        this.matching = matching;
        this.returnBool = returnBool;
        this.type = lhs.type() == ExprType.SCALAR && rhs.type() == ExprType.SCALAR ? ExprType.SCALAR : ExprType.VECTOR;
        this.position = new PositionRange(lhs.position().start(), rhs.position().end());
    }

    public BinaryOp op() {
        return op;
    }

    public Expr lhs() {
        return lhs;
    }

    public Expr rhs() {
        return rhs;
    }

    public VectorMatching matching() {
        return matching;
    }

    public boolean returnBool() {
        return returnBool;
    }

    @Override
    public ExprType type() {
        return type;
    }

    @Override
    public PositionRange position() {
        return position;
    }

    /**
     * This node and the binary expressions directly down its left side, innermost first: the first one's
     * {@code lhs} is the leftmost operand, and each following node applies its operator to the result so far and
     * its {@code rhs}. Walking these in order visits the operands left to right.
     */
    public List<BinaryExpr> leftChain() {
        List<BinaryExpr> chain = new ArrayList<>();
        for (Expr e = this; e instanceof BinaryExpr b; e = b.lhs) {
            chain.add(b);
        }
        Collections.reverse(chain);
        return chain;
    }

    /** The operands of {@link #leftChain()} left to right: the leftmost one, then each node's {@code rhs}. */
    public List<Expr> operands() {
        List<BinaryExpr> chain = leftChain();
        List<Expr> operands = new ArrayList<>(chain.size() + 1);
        operands.add(chain.getFirst().lhs);
        for (BinaryExpr b : chain) {
            operands.add(b.rhs);
        }
        return operands;
    }

    /** The same node over other operands. */
    public BinaryExpr with(Expr lhs, Expr rhs) {
        return new BinaryExpr(op, lhs, rhs, matching, returnBool);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BinaryExpr)) {
            return false;
        }
        Expr a = this;
        Expr b = (Expr) o;
        while (a instanceof BinaryExpr x && b instanceof BinaryExpr y) {
            if (x == y) {
                return true;
            }
            if (x.op != y.op || x.returnBool != y.returnBool || !Objects.equals(x.matching, y.matching)
                    || !x.rhs.equals(y.rhs)) {
                return false;
            }
            a = x.lhs;
            b = y.lhs;
        }
        return a.equals(b);
    }

    @Override
    public int hashCode() {
        int h = 0;
        Expr e = this;
        for (; e instanceof BinaryExpr b; e = b.lhs) {
            h = 31 * h + Objects.hash(b.op, b.rhs, b.matching, b.returnBool);
        }
        return 31 * h + e.hashCode();
    }

    @Override
    public String toString() {
        return Printer.print(this);
    }
}
