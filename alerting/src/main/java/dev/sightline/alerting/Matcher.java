package dev.sightline.alerting;

import dev.sightline.core.Labels;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher as Alertmanager writes it ({@code name="value"}, {@code !=}, {@code =~}, {@code !~}). Regular
 * expressions are anchored at both ends; a missing label matches as the empty string.
 */
public final class Matcher implements Comparable<Matcher> {
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

    private final String name;
    private final Type type;
    private final String value;
    private final Pattern pattern;

    public Matcher(String name, Type type, String value) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("matcher needs a label name");
        }
        this.name = name;
        this.type = type;
        this.value = value == null ? "" : value;
        if (type == Type.RE || type == Type.NRE) {
            try {
                this.pattern = Pattern.compile("^(?:" + this.value + ")$", Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid regular expression \"" + this.value + "\": " + e.getDescription());
            }
        } else {
            this.pattern = null;
        }
    }

    /** The matcher for Alertmanager's API shape {name, value, isRegex, isEqual}. */
    public static Matcher of(String name, String value, boolean isRegex, boolean isEqual) {
        Type t = isRegex ? (isEqual ? Type.RE : Type.NRE) : (isEqual ? Type.EQ : Type.NEQ);
        return new Matcher(name, t, value);
    }

    /**
     * Parses Alertmanager's matcher syntax: {@code name op value} where the value is double-quoted (Go escapes) or
     * bare (trimmed). Throws IllegalArgumentException naming what is wrong.
     */
    public static Matcher parse(String text) {
        String s = text == null ? "" : text.strip();
        int i = 0;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
            i++;
        }
        String name = s.substring(0, i);
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
            throw new IllegalArgumentException("bad matcher \"" + text + "\": expected a label name first, as in name=\"value\"");
        }
        String rest = s.substring(i).stripLeading();
        Type type = null;
        for (Type t : new Type[] {Type.RE, Type.NRE, Type.NEQ, Type.EQ}) {
            if (rest.startsWith(t.op)) {
                type = t;
                break;
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("bad matcher \"" + text + "\": expected one of =, !=, =~, !~ after \"" + name + "\"");
        }
        String raw = rest.substring(type.op.length()).strip();
        String value = raw.startsWith("\"") ? unquote(text, raw) : raw;
        return new Matcher(name, type, value);
    }

    private static String unquote(String text, String raw) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                if (i != raw.length() - 1) {
                    throw new IllegalArgumentException("bad matcher \"" + text + "\": text after the closing quote");
                }
                return sb.toString();
            }
            if (c == '\\' && i + 1 < raw.length()) {
                char n = raw.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        throw new IllegalArgumentException("bad matcher \"" + text + "\": missing closing quote");
    }

    public boolean matches(String labelValue) {
        String v = labelValue == null ? "" : labelValue;
        return switch (type) {
            case EQ -> v.equals(value);
            case NEQ -> !v.equals(value);
            case RE -> pattern.matcher(v).matches();
            case NRE -> !pattern.matcher(v).matches();
        };
    }

    public boolean matches(Labels labels) {
        return matches(labels.get(name));
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public String value() {
        return value;
    }

    public boolean isRegex() {
        return type == Type.RE || type == Type.NRE;
    }

    public boolean isEqual() {
        return type == Type.EQ || type == Type.RE;
    }

    /** Alertmanager's ordering: by name, then operator, then value. */
    @Override
    public int compareTo(Matcher o) {
        int c = name.compareTo(o.name);
        if (c == 0) {
            c = type.compareTo(o.type);
        }
        return c != 0 ? c : value.compareTo(o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matcher m && m.name.equals(name) && m.type == type && m.value.equals(value);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + type.hashCode()) * 31 + value.hashCode();
    }

    /** {@code name="value"}, value quoted with Go's escapes, as in Alertmanager's route keys. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(type.op);
        Labels.quote(sb, value);
        return sb.toString();
    }
}
