package dev.sightline.ingest.logs;

import dev.sightline.core.Labels;

/**
 * Parses a Loki stream selector as push requests carry it ({@code {app="web", env="prod"}}): names unquoted, values
 * double-quoted with Go escapes ({@code \" \\ \n \t \r}). Only {@code =} is allowed, as Loki's push path requires.
 */
public final class StreamLabels {
    private StreamLabels() {
    }

    /** The labels of {@code s}; the exception names the character position of what is wrong. */
    public static Labels parse(String s) throws MalformedLogsException {
        Labels.Builder b = Labels.builder();
        int n = s.length();
        int i = skipSpace(s, 0);
        if (i >= n || s.charAt(i) != '{') {
            throw error(s, i, "expected '{'");
        }
        i = skipSpace(s, i + 1);
        if (i < n && s.charAt(i) == '}') {
            checkEnd(s, i);
            return Labels.EMPTY;
        }
        while (true) {
            int start = i;
            while (i < n && isNameChar(s.charAt(i), i == start)) {
                i++;
            }
            if (i == start) {
                throw error(s, i, "expected a label name");
            }
            String name = s.substring(start, i);
            i = skipSpace(s, i);
            if (i >= n || s.charAt(i) != '=') {
                throw error(s, i, "expected '=' after label name \"" + name + "\"");
            }
            i = skipSpace(s, i + 1);
            if (i >= n || s.charAt(i) != '"') {
                throw error(s, i, "expected a quoted value for label \"" + name + "\"");
            }
            StringBuilder v = new StringBuilder();
            i++;
            while (true) {
                if (i >= n) {
                    throw error(s, i, "value of label \"" + name + "\" is not closed");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i < n) {
                    char e = s.charAt(i++);
                    v.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> e;
                    });
                } else {
                    v.append(c);
                }
            }
            if (b.get(name) != null) {
                throw error(s, start, "duplicate label name \"" + name + "\"");
            }
            b.set(name, v.toString());
            i = skipSpace(s, i);
            if (i < n && s.charAt(i) == ',') {
                i = skipSpace(s, i + 1);
                continue;
            }
            if (i < n && s.charAt(i) == '}') {
                checkEnd(s, i);
                return b.build();
            }
            throw error(s, i, "expected ',' or '}'");
        }
    }

    private static void checkEnd(String s, int close) throws MalformedLogsException {
        int i = skipSpace(s, close + 1);
        if (i < s.length()) {
            throw error(s, i, "unexpected text after '}'");
        }
    }

    private static boolean isNameChar(char c, boolean first) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || !first && c >= '0' && c <= '9';
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static MalformedLogsException error(String s, int at, String what) {
        String shown = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return new MalformedLogsException("invalid stream labels " + shown + " at character " + at + ": " + what);
    }
}
