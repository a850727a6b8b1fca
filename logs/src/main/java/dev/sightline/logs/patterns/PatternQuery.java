package dev.sightline.logs.patterns;

/**
 * From a pattern's text to a LogQL query that finds its lines, so a UI can link a pattern to its logs: the literal
 * parts must appear as written and each {@code <_>} stands for any text, as a {@code |~} regular expression
 * (RE2 syntax, which Loki and Sightline's LogQL both read).
 */
public final class PatternQuery {
    private PatternQuery() {
    }

    /** The regular expression matching the lines of {@code pattern}: literal parts quoted, {@code <_>} as {@code .*?}. */
    public static String lineRegex(String pattern) {
        StringBuilder sb = new StringBuilder(pattern.length() + 16);
        int i = 0;
        while (i < pattern.length()) {
            if (pattern.startsWith(Template.VARIABLE, i)) {
                sb.append(".*?");
                i += Template.VARIABLE.length();
                continue;
            }
            char c = pattern.charAt(i++);
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * {@code selector |~ `regex`} (a Go raw string, so the regex needs no second escaping; a double-quoted one when the
     * regex holds a backquote).
     */
    public static String logql(String selector, String pattern) {
        String re = lineRegex(pattern);
        if (re.indexOf('`') < 0) {
            return selector + " |~ `" + re + "`";
        }
        return selector + " |~ \"" + re.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
