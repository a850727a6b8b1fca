package dev.sightline.traces;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.core.text.Regex;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One test a span must pass in a {@link SpanQuery}: an intrinsic field or an attribute compared with a value.
 * {@link #matches} is the reference semantics every store must reproduce (the conformance suite checks stores
 * against it):
 * <ul>
 *   <li>Strings compare with string attributes: {@code EQ}/{@code NEQ} exactly, {@code REGEX}/{@code NOT_REGEX} as
 *   a full match (anchored at both ends, as PromQL and TraceQL matchers), the order operators lexicographically by
 *   UTF-16 code unit.</li>
 *   <li>Numbers compare with integer and double attributes numerically (an integer attribute against 2.5 is
 *   compared as a double); booleans with boolean attributes by {@code EQ}/{@code NEQ}.</li>
 *   <li>A span without the attribute, or whose attribute has another type, fails every operator, {@code NEQ} and
 *   {@code NOT_REGEX} too, as TraceQL compares with nil; {@code EXISTS} passes when the key is there with any type.</li>
 *   <li>{@code Scope.ANY} (TraceQL's unscoped {@code .key}) passes when the span's or the resource's attribute does.</li>
 *   <li>Intrinsics: {@code NAME} and {@code STATUS_MESSAGE} are strings, {@code KIND} takes a {@link SpanKind} and
 *   {@code STATUS} a {@link StatusCode} ({@code EQ}/{@code NEQ}), {@code DURATION} a number of nanoseconds. A
 *   service is the resource attribute {@code service.name}.</li>
 * </ul>
 */
public final class SpanCondition {
    public enum Target { NAME, KIND, STATUS, STATUS_MESSAGE, DURATION, ATTRIBUTE }

    public enum Scope { SPAN, RESOURCE, ANY }

    public enum Op {
        EQ("="), NEQ("!="), REGEX("=~"), NOT_REGEX("!~"), GT(">"), GTE(">="), LT("<"), LTE("<="), EXISTS("exists");

        public final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    private final Target target;
    private final Scope scope;
    private final String key;
    private final Op op;
    private final Object value;
    private final Pattern pattern;

    private SpanCondition(Target target, Scope scope, String key, Op op, Object value) {
        this.target = Objects.requireNonNull(target);
        this.scope = scope;
        this.key = key;
        this.op = Objects.requireNonNull(op);
        this.value = value;
        Pattern p = null;
        if (op == Op.REGEX || op == Op.NOT_REGEX) {
            if (!(value instanceof String s)) {
                throw new IllegalArgumentException(describe() + ": a regular expression is a string");
            }
            try {
                p = Regex.compile(s, Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(describe() + ": invalid regular expression: " + e.getDescription()
                        + " at index " + e.getIndex());
            }
        }
        this.pattern = p;
        validate();
    }

    /** An attribute test; {@code value} is a String, Long, Double or Boolean (null for {@code EXISTS}). */
    public static SpanCondition attribute(Scope scope, String key, Op op, Object value) {
        Objects.requireNonNull(scope);
        Objects.requireNonNull(key);
        return new SpanCondition(Target.ATTRIBUTE, scope, key, op, value instanceof Integer i ? Long.valueOf(i) : value);
    }

    /** An intrinsic test: NAME/STATUS_MESSAGE take a String, KIND a SpanKind, STATUS a StatusCode, DURATION nanos. */
    public static SpanCondition intrinsic(Target target, Op op, Object value) {
        if (target == Target.ATTRIBUTE) {
            throw new IllegalArgumentException("use attribute(...) for attributes");
        }
        return new SpanCondition(target, null, null, op, value instanceof Integer i ? Long.valueOf(i) : value);
    }

    /** Spans of one service: the resource attribute service.name equal to {@code name}. */
    public static SpanCondition service(String name) {
        return attribute(Scope.RESOURCE, "service.name", Op.EQ, name);
    }

    private void validate() {
        boolean ok = switch (target) {
            case NAME, STATUS_MESSAGE -> value instanceof String && op != Op.EXISTS;
            case KIND -> value instanceof SpanKind && (op == Op.EQ || op == Op.NEQ);
            case STATUS -> value instanceof StatusCode && (op == Op.EQ || op == Op.NEQ);
            case DURATION -> (value instanceof Long || value instanceof Double)
                    && op != Op.EXISTS && op != Op.REGEX && op != Op.NOT_REGEX;
            case ATTRIBUTE -> op == Op.EXISTS ? value == null
                    : value instanceof String
                    || (value instanceof Long || value instanceof Double) && op != Op.REGEX && op != Op.NOT_REGEX
                    || value instanceof Boolean && (op == Op.EQ || op == Op.NEQ);
        };
        if (!ok) {
            throw new IllegalArgumentException(describe() + ": operator " + op.symbol + " does not apply to "
                    + (value == null ? "no value" : value.getClass().getSimpleName() + " " + value));
        }
    }

    public Target target() {
        return target;
    }

    /** The attribute scope; null for intrinsics. */
    public Scope scope() {
        return scope;
    }

    /** The attribute key; null for intrinsics. */
    public String key() {
        return key;
    }

    public Op op() {
        return op;
    }

    /** String, Long, Double, Boolean, SpanKind or StatusCode; null for {@code EXISTS}. */
    public Object value() {
        return value;
    }

    /** The compiled pattern of a regex test, else null. */
    public Pattern pattern() {
        return pattern;
    }

    /** Whether the span passes this test (the reference semantics, see the class comment). */
    public boolean matches(StoredSpan s) {
        var span = s.span();
        return switch (target) {
            case NAME -> matchesString(span.name());
            case STATUS_MESSAGE -> matchesString(span.statusMessage());
            case KIND -> (span.kind() == value) == (op == Op.EQ);
            case STATUS -> (span.statusCode() == value) == (op == Op.EQ);
            case DURATION -> compareNumber(span.durationNanos());
            case ATTRIBUTE -> switch (scope) {
                case SPAN -> matchesAttribute(span.attributes());
                case RESOURCE -> matchesAttribute(s.resource().attributes());
                case ANY -> matchesAttribute(span.attributes()) || matchesAttribute(s.resource().attributes());
            };
        };
    }

    private boolean matchesAttribute(Attributes a) {
        int i = a.indexOf(key);
        if (i < 0) {
            return false;
        }
        if (op == Op.EXISTS) {
            return true;
        }
        AttributeType type = a.type(i);
        if (value instanceof String) {
            return type == AttributeType.STRING && matchesString(a.stringValue(i));
        }
        if (value instanceof Boolean b) {
            return type == AttributeType.BOOL && (a.boolValue(i) == b) == (op == Op.EQ);
        }
        return switch (type) {
            case LONG -> value instanceof Long l ? compare(Long.compare(a.longValue(i), l))
                    : compareNumber(a.longValue(i));
            case DOUBLE -> compareNumber(a.doubleValue(i));
            default -> false;
        };
    }

    /**
     * This condition's string test applied to one value ({@code EQ}...{@code LTE}, {@code REGEX}, {@code NOT_REGEX}
     * on a string condition): what {@link #matches} does with a string attribute or name, for a store that tests
     * the values it indexed rather than whole spans.
     */
    public boolean matchesString(String actual) {
        return switch (op) {
            case REGEX -> pattern.matcher(actual).matches();
            case NOT_REGEX -> !pattern.matcher(actual).matches();
            default -> compare(actual.compareTo((String) value));
        };
    }

    private boolean compareNumber(double actual) {
        if (value instanceof Long l && actual == Math.rint(actual) && Math.abs(actual) < 0x1p62) {
            return compare(Long.compare((long) actual, l));
        }
        double v = ((Number) value).doubleValue();
        if (Double.isNaN(actual) || Double.isNaN(v)) {
            return op == Op.NEQ;
        }
        return compare(Double.compare(actual, v));
    }

    private boolean compare(int c) {
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

    private String describe() {
        return target == Target.ATTRIBUTE ? scope.name().toLowerCase(java.util.Locale.ROOT) + " attribute " + key
                : target.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpanCondition c && target == c.target && scope == c.scope && Objects.equals(key, c.key)
                && op == c.op && Objects.equals(value, c.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(target, scope, key, op, value);
    }

    @Override
    public String toString() {
        return describe() + " " + op.symbol + (value == null ? "" : " " + (value instanceof String s ? '"' + s + '"' : value));
    }
}
