package dev.sightline.core;


import dev.sightline.core.text.GoQuote;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher of a selector: {@code name = value}, {@code !=}, {@code =~} or {@code !~}. Regular expressions
 * are anchored at both ends and {@code .} matches a newline, as in Prometheus. A missing label matches as the
 * empty string.
 */
public final class LabelMatcher {
    public enum Type {
        EQ("="), NEQ("!="), RE("=~"), NRE("!~");

        private final String op;

        Type(String op) {
            this.op = op;
        }

        public String op() {
            return op;
        }
    }

    private final Type type;
    private final String name;
    private final String value;
    private final Pattern pattern;

    public LabelMatcher(Type type, String name, String value) {
        this.type = type;
        this.name = name;
        this.value = value;
        Pattern p = null;
        if (type == Type.RE || type == Type.NRE) {
            try {
                p = Pattern.compile("(?:" + value + ")", Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("error parsing regexp: " + e.getDescription() + ": `" + value + "`", e);
            }
        }
        this.pattern = p;
    }

    public static LabelMatcher eq(String name, String value) {
        return new LabelMatcher(Type.EQ, name, value);
    }

    public static LabelMatcher neq(String name, String value) {
        return new LabelMatcher(Type.NEQ, name, value);
    }

    public static LabelMatcher re(String name, String value) {
        return new LabelMatcher(Type.RE, name, value);
    }

    public static LabelMatcher nre(String name, String value) {
        return new LabelMatcher(Type.NRE, name, value);
    }

    public Type type() {
        return type;
    }

    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    /** Whether a label value (null meaning the label is absent) satisfies this matcher. */
    public boolean matches(String v) {
        if (v == null) {
            v = "";
        }
        return switch (type) {
            case EQ -> value.equals(v);
            case NEQ -> !value.equals(v);
            case RE -> pattern.matcher(v).matches();
            case NRE -> !pattern.matcher(v).matches();
        };
    }

    /** Whether this matcher accepts the empty string, i.e. also selects series that lack the label. */
    public boolean matchesEmpty() {
        return matches("");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelMatcher m && m.type == type && m.name.equals(name) && m.value.equals(value);
    }

    @Override
    public int hashCode() {
        return (type.hashCode() * 31 + name.hashCode()) * 31 + value.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(type.op);
        GoQuote.quote(sb, value);
        return sb.toString();
    }
}
