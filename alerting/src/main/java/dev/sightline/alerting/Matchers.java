package dev.sightline.alerting;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.util.Comparator;
import java.util.List;

/**
 * Alertmanager's side of label matchers ({@link LabelMatcher}): its text syntax ({@code name="value"}, {@code !=},
 * {@code =~}, {@code !~}, value quoted or bare), its API shape {name, value, isRegex, isEqual} and its ordering.
 */
public final class Matchers {
    /** Alertmanager's ordering: by name, then operator, then value (route keys depend on it). */
    public static final Comparator<LabelMatcher> ORDER = Comparator.comparing(LabelMatcher::name)
            .thenComparing(LabelMatcher::type).thenComparing(LabelMatcher::value);

    private Matchers() {
    }

    /** The matcher for the API shape {name, value, isRegex, isEqual}. */
    public static LabelMatcher of(String name, String value, boolean isRegex, boolean isEqual) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("matcher needs a label name");
        }
        LabelMatcher.Type t = isRegex ? (isEqual ? LabelMatcher.Type.RE : LabelMatcher.Type.NRE)
                : (isEqual ? LabelMatcher.Type.EQ : LabelMatcher.Type.NEQ);
        return new LabelMatcher(t, name, value == null ? "" : value);
    }

    public static boolean isRegex(LabelMatcher m) {
        return m.type() == LabelMatcher.Type.RE || m.type() == LabelMatcher.Type.NRE;
    }

    public static boolean isEqual(LabelMatcher m) {
        return m.type() == LabelMatcher.Type.EQ || m.type() == LabelMatcher.Type.RE;
    }

    public static boolean matches(LabelMatcher m, Labels labels) {
        return m.matches(labels.get(m.name()));
    }

    public static boolean matchesAll(List<LabelMatcher> matchers, Labels labels) {
        for (LabelMatcher m : matchers) {
            if (!matches(m, labels)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses Alertmanager's matcher syntax: {@code name op value} where the value is double-quoted (Go escapes) or
     * bare (trimmed). Throws IllegalArgumentException naming what is wrong.
     */
    public static LabelMatcher parse(String text) {
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
        LabelMatcher.Type type = null;
        for (LabelMatcher.Type t : new LabelMatcher.Type[] {LabelMatcher.Type.RE, LabelMatcher.Type.NRE,
                LabelMatcher.Type.NEQ, LabelMatcher.Type.EQ}) {
            if (rest.startsWith(t.op())) {
                type = t;
                break;
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("bad matcher \"" + text + "\": expected one of =, !=, =~, !~ after \"" + name + "\"");
        }
        String raw = rest.substring(type.op().length()).strip();
        String value = raw.startsWith("\"") ? unquote(text, raw) : raw;
        try {
            return new LabelMatcher(type, name, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad matcher \"" + text + "\": " + e.getMessage(), e);
        }
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
}
