package dev.sightline.logs;

import java.util.Map;

/**
 * A LogQL label filter right after a {@code | json} or {@code | logfmt} stage, in the form a store may answer from
 * the fields it detected at ingest: {@code | json | status="failed" | amount > 100}. {@link #matches} is Loki's
 * reading, which every store and the query engine follow:
 * <ul>
 *   <li>a line the parser cannot read passes (Loki marks it {@code __error__} and lets later label filters through);
 *   <li>a stream or metadata label of the name wins over the parsed field (the parser would rename its field
 *       {@code name_extracted});
 *   <li>a name found nowhere fails;
 *   <li>a value that does not convert to the condition's type passes (again with {@code __error__});
 *   <li>otherwise the comparison decides.
 * </ul>
 * So a query engine can hand a store only conditions that every line it keeps meets under these rules: plain
 * filters ANDed directly after one parser without arguments. Strings compare for equality only.
 */
public record FieldCondition(Parser parser, String name, Type type, Op op, String text, double number) {
    public enum Parser {
        JSON, LOGFMT;

        /** The line's fields, or null when this parser cannot read it. */
        public Map<String, String> parse(String line) {
            return this == JSON ? LogFields.json(line) : LogFields.logfmt(line);
        }
    }

    /** How the field's text is compared: as itself, or converted as LogQL's number, duration or bytes filters do. */
    public enum Type {
        STRING, NUMBER, DURATION, BYTES;

        /** The value converted for comparison (duration in seconds); NaN when it does not convert. */
        public double convert(String value) {
            return switch (this) {
                case STRING -> throw new IllegalStateException("strings are not converted");
                case NUMBER -> LogFields.number(value);
                case DURATION -> LogFields.durationSeconds(value);
                case BYTES -> LogFields.bytes(value);
            };
        }
    }

    public enum Op {
        EQ("=="), GT(">"), GE(">="), LT("<"), LE("<=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public boolean test(double value, double bound) {
            return switch (this) {
                case EQ -> value == bound;
                case GT -> value > bound;
                case GE -> value >= bound;
                case LT -> value < bound;
                case LE -> value <= bound;
            };
        }
    }

    public FieldCondition {
        if (type == Type.STRING ? op != Op.EQ || text == null : Double.isNaN(number)) {
            throw new IllegalArgumentException("field condition on " + name + ": " + type + " " + op
                    + (type == Type.STRING ? " with text " + text : " with bound " + number) + " is not supported");
        }
    }

    public static FieldCondition string(Parser parser, String name, String value) {
        return new FieldCondition(parser, name, Type.STRING, Op.EQ, value, 0);
    }

    public static FieldCondition compare(Parser parser, String name, Type type, Op op, double bound) {
        return new FieldCondition(parser, name, type, op, null, bound);
    }

    /** The reference semantics (see the class comment); parses the line, so only for tests and verification. */
    public boolean matches(LogEntry entry) {
        Map<String, String> fields = parser.parse(entry.line());
        return fields == null || matches(entry, fields);
    }

    /** As {@link #matches(LogEntry)} with the line already parsed by this condition's parser without error. */
    public boolean matches(LogEntry entry, Map<String, String> fields) {
        String v = entry.label(name);
        if (v == null) {
            v = fields.get(name);
        }
        if (v == null) {
            return false;
        }
        if (type == Type.STRING) {
            return v.equals(text);
        }
        double x = type.convert(v);
        return Double.isNaN(x) || op.test(x, number);
    }

    @Override
    public String toString() {
        return "| " + parser.name().toLowerCase(java.util.Locale.ROOT) + " | " + name + " " + op.symbol + " "
                + (type == Type.STRING ? "\"" + text + "\"" : type + "(" + number + ")");
    }
}
