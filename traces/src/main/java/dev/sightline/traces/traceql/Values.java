package dev.sightline.traces.traceql;

import dev.sightline.traces.traceql.Ast.BinOp;
import dev.sightline.traces.traceql.Ast.Dur;

import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Pattern;

/**
 * TraceQL values at run time: String, Long, Double, Boolean, {@link Dur}, StatusCode, SpanKind, and {@link Ast.Nil}
 * for a missing attribute. Comparisons follow the span store's reference semantics ({@code SpanCondition.matches}):
 * numbers compare numerically across integer, float and duration; a type mismatch fails every operator; nil equals
 * only nil, so {@code != "x"} fails on a missing attribute while {@code != nil} passes on a present one.
 */
final class Values {
    private Values() {
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Dur;
    }

    static double toDouble(Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> d;
            case Dur d -> d.nanos();
            default -> Double.NaN;
        };
    }

    static Object negate(Object v) {
        return switch (v) {
            case Long l -> -l;
            case Double d -> -d;
            case Dur d -> new Dur(-d.nanos());
            default -> Ast.Nil.NIL;
        };
    }

    /** The values of an event or link field on one span, one per event or link that has it. */
    record Multi(List<Object> values) {
    }

    /**
     * {@code a op b} for a comparison operator; {@code pattern} is the compiled right side of a regex test. A
     * {@link Multi} side passes {@code = > >= < <= =~} when one of its values does, {@code != !~} when it has values
     * and none is equal or matches (Tempo's rule for arrays), {@code = nil} when it has no value.
     */
    static boolean compare(BinOp op, Object a, Object b, Pattern pattern) {
        if (a instanceof Multi || b instanceof Multi) {
            boolean left = a instanceof Multi;
            List<Object> values = left ? ((Multi) a).values() : ((Multi) b).values();
            Object other = left ? b : a;
            if (other == Ast.Nil.NIL) {
                return op == BinOp.EQ ? values.isEmpty() : op == BinOp.NEQ && !values.isEmpty();
            }
            boolean negative = op == BinOp.NEQ || op == BinOp.NRE;
            BinOp positive = op == BinOp.NEQ ? BinOp.EQ : op == BinOp.NRE ? BinOp.RE : op;
            boolean any = false;
            for (Object v : values) {
                any |= left ? compare(positive, v, other, pattern) : compare(positive, other, v, pattern);
            }
            return negative ? !values.isEmpty() && !any : any;
        }
        if (a == Ast.Nil.NIL || b == Ast.Nil.NIL) {
            boolean bothNil = a == b;
            return op == BinOp.EQ ? bothNil : op == BinOp.NEQ && !bothNil;
        }
        if (op == BinOp.RE || op == BinOp.NRE) {
            return a instanceof String s && pattern != null && pattern.matcher(s).matches() == (op == BinOp.RE);
        }
        int c;
        if (isNumber(a) && isNumber(b)) {
            if (!(a instanceof Double) && !(b instanceof Double)) {
                c = Long.compare(a instanceof Dur d ? d.nanos() : (Long) a, b instanceof Dur d ? d.nanos() : (Long) b);
            } else {
                double x = toDouble(a);
                double y = toDouble(b);
                if (Double.isNaN(x) || Double.isNaN(y)) {
                    return op == BinOp.NEQ;
                }
                c = Double.compare(x, y);
            }
        } else if (a instanceof String s && b instanceof String t) {
            c = s.compareTo(t);
        } else if (a.getClass() == b.getClass() && (a instanceof Boolean || a instanceof Enum<?>)) {
            if (op != BinOp.EQ && op != BinOp.NEQ) {
                return false;
            }
            c = a.equals(b) ? 0 : 1;
        } else {
            return false;
        }
        return switch (op) {
            case EQ -> c == 0;
            case NEQ -> c != 0;
            case GT -> c > 0;
            case GTE -> c >= 0;
            case LT -> c < 0;
            case LTE -> c <= 0;
            default -> throw new IllegalStateException(op.name());
        };
    }

    /** Arithmetic on numbers: integers stay integers (but {@code /} and {@code ^} give floats), a duration with an
     * integer or duration stays a duration for {@code + - * %}; anything else, or a non-number, gives nil. */
    static Object arithmetic(BinOp op, Object a, Object b) {
        if (!isNumber(a) || !isNumber(b)) {
            return Ast.Nil.NIL;
        }
        boolean anyDouble = a instanceof Double || b instanceof Double;
        boolean anyDur = a instanceof Dur || b instanceof Dur;
        if (!anyDouble && op != BinOp.DIV && op != BinOp.POW) {
            long x = a instanceof Dur d ? d.nanos() : (Long) a;
            long y = b instanceof Dur d ? d.nanos() : (Long) b;
            Long r = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case MOD -> y == 0 ? null : x % y;
                default -> throw new IllegalStateException(op.name());
            };
            return r == null ? Ast.Nil.NIL : anyDur ? new Dur(r) : r;
        }
        double x = toDouble(a);
        double y = toDouble(b);
        double r = switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MOD -> x % y;
            case POW -> Math.pow(x, y);
            default -> throw new IllegalStateException(op.name());
        };
        return r;
    }

    /** A value as text for labels and results: Go's shortest float form ({@code 0.5}, {@code 1e-06}), so metric
     * labels such as {@code __bucket} and {@code p} read as Tempo prints them. */
    static String text(Object v) {
        return switch (v) {
            case Double d -> formatFloat(d);
            case Dur d -> formatFloat(d.nanos() / 1e9) + "s";
            case Ast.Nil n -> "nil";
            case String s -> s;
            default -> Ast.literal(v);
        };
    }

    static String formatFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return "0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = b.precision() - b.scale() - 1;
        if (exp < -4 || exp >= 21) {
            String digits = b.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String e = String.format("%02d", Math.abs(exp));
            return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + e;
        }
        return b.toPlainString();
    }
}
