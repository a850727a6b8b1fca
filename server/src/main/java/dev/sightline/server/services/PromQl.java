package dev.sightline.server.services;

/** Text that goes into generated PromQL: a value as a quoted string, a value as an exact regular expression. */
final class PromQl {
    private PromQl() {
    }

    /** {@code s} as a double-quoted PromQL string literal. */
    static String string(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    /** A regular expression matching exactly {@code s}: every character that means something to RE2 escaped. */
    static String literalRegex(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
