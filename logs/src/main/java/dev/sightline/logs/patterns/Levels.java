package dev.sightline.logs.patterns;

/**
 * The severity a pattern is kept under, normalised to {@code trace debug info warn error fatal unknown} (the values
 * of {@link dev.sightline.logs.LogEntry#LEVEL}), as Loki's pattern ingester keeps one set of patterns per level.
 */
final class Levels {
    static final String[] NAMES = {"trace", "debug", "info", "warn", "error", "fatal", "unknown"};
    static final int UNKNOWN = 6;

    private Levels() {
    }

    /** The level a written severity means ({@code ERR}, {@code Warning}, {@code E}, {@code crit}), or -1 when none. */
    static int of(CharSequence s, int from, int to) {
        return switch (to - from) {
            case 1 -> switch (Character.toLowerCase(s.charAt(from))) {
                case 't' -> 0;
                case 'd' -> 1;
                case 'i' -> 2;
                case 'w' -> 3;
                case 'e' -> 4;
                case 'f', 'c' -> 5;
                default -> -1;
            };
            case 3 -> is(s, from, "dbg") ? 1 : is(s, from, "inf") ? 2 : is(s, from, "wrn") ? 3 : is(s, from, "err") ? 4
                    : is(s, from, "ftl") || is(s, from, "crt") ? 5 : -1;
            case 4 -> is(s, from, "info") ? 2 : is(s, from, "warn") ? 3 : is(s, from, "eror") ? 4
                    : is(s, from, "crit") ? 5 : -1;
            case 5 -> is(s, from, "trace") ? 0 : is(s, from, "debug") ? 1 : is(s, from, "error") ? 4
                    : is(s, from, "fatal") || is(s, from, "panic") || is(s, from, "alert") || is(s, from, "emerg") ? 5 : -1;
            case 6 -> is(s, from, "notice") ? 2 : -1;
            case 7 -> is(s, from, "warning") ? 3 : -1;
            case 8 -> is(s, from, "critical") ? 5 : -1;
            case 9 -> is(s, from, "emergency") ? 5 : -1;
            case 11 -> is(s, from, "information") ? 2 : -1;
            default -> -1;
        };
    }

    private static boolean is(CharSequence s, int from, String word) {
        for (int i = 0; i < word.length(); i++) {
            if (Character.toLowerCase(s.charAt(from + i)) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
