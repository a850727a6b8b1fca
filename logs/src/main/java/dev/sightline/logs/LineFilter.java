package dev.sightline.logs;

import dev.sightline.core.text.Regex;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A LogQL line filter on the line as stored: {@code |= "a"} (contains), {@code != "a"} (does not contain),
 * {@code |~ "re"} (the regular expression matches somewhere in the line, unanchored as RE2's MatchString),
 * {@code !~ "re"} (it matches nowhere). Several values are LogQL's {@code or}: {@code |= "a" or "b"} keeps a line
 * containing either; {@code != "a" or "b"} keeps a line containing neither (Loki's reading).
 */
public final class LineFilter {
    public enum Op {
        CONTAINS("|="), NOT_CONTAINS("!="), REGEX("|~"), NOT_REGEX("!~");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        public boolean negated() {
            return this == NOT_CONTAINS || this == NOT_REGEX;
        }
    }

    private final Op op;
    private final List<String> values;
    private final Pattern[] patterns;

    /** @throws IllegalArgumentException for no value or a regular expression that does not compile (named) */
    public LineFilter(Op op, List<String> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("line filter " + op.symbol + " needs at least one value");
        }
        this.op = op;
        this.values = List.copyOf(values);
        if (op == Op.REGEX || op == Op.NOT_REGEX) {
            patterns = new Pattern[values.size()];
            for (int i = 0; i < patterns.length; i++) {
                try {
                    patterns[i] = Regex.compile(values.get(i), 0);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("line filter " + op.symbol + " \"" + values.get(i)
                            + "\": invalid regular expression: " + e.getDescription() + " at index " + e.getIndex(), e);
                }
            }
        } else {
            patterns = null;
        }
    }

    public static LineFilter of(Op op, String... values) {
        return new LineFilter(op, List.of(values));
    }

    public Op op() {
        return op;
    }

    public List<String> values() {
        return values;
    }

    /** The reference semantics every store and the query engine follow. */
    public boolean matches(String line) {
        boolean any = false;
        for (int i = 0; i < values.size() && !any; i++) {
            any = patterns == null ? line.contains(values.get(i)) : patterns[i].matcher(line).find();
        }
        return any != op.negated();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LineFilter f && f.op == op && f.values.equals(values);
    }

    @Override
    public int hashCode() {
        return op.hashCode() * 31 + values.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(op.symbol);
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? " " : " or ").append('"').append(values.get(i)).append('"');
        }
        return sb.toString();
    }
}
