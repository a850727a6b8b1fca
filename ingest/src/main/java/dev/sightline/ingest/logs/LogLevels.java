package dev.sightline.ingest.logs;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogFields;

import java.util.Locale;

/**
 * The normalised severity Loki calls {@code detected_level}: {@code trace debug info warn error fatal}, or
 * {@code unknown}. Read from a level the sender named (a stream label or metadata {@code level}, {@code lvl},
 * {@code severity}, {@code loglevel}, {@code severity_text}), else from the line's own {@code level}-like field when
 * the line is a JSON object or logfmt, as Loki's discover_log_levels does. Loki also guesses from words in free
 * text; we do not: a line saying "no error" is not an error.
 */
public final class LogLevels {
    public static final String UNKNOWN = "unknown";
    /** The names a level goes by, most specific first. */
    private static final String[] FIELDS = {"level", "lvl", "severity", "loglevel", "log_level", LogEntry.SEVERITY_TEXT};

    private LogLevels() {
    }

    /** A level word as one of trace, debug, info, warn, error, fatal; null when it is not one. */
    public static String normalize(String level) {
        if (level == null || level.isEmpty()) {
            return null;
        }
        return switch (level.trim().toLowerCase(Locale.ROOT)) {
            case "trace", "trc", "finest", "finer" -> "trace";
            case "debug", "dbg", "fine", "config" -> "debug";
            case "info", "inf", "information", "informational", "notice" -> "info";
            case "warn", "warning", "wrn" -> "warn";
            case "error", "err", "eror", "severe" -> "error";
            case "fatal", "critical", "crit", "panic", "emerg", "emergency", "alert" -> "fatal";
            default -> null;
        };
    }

    /** An OTLP severity_number (1-24, six ranges of four) as a level; null for 0 (unspecified) or out of range. */
    public static String fromSeverityNumber(int n) {
        return switch ((n - 1) / 4) {
            case 0 -> n >= 1 ? "trace" : null;
            case 1 -> "debug";
            case 2 -> "info";
            case 3 -> "warn";
            case 4 -> "error";
            case 5 -> "fatal";
            default -> null;
        };
    }

    /** The level of a line: from its stream or metadata, else from its JSON or logfmt fields; {@link #UNKNOWN} if none. */
    public static String detect(Labels stream, Labels metadata, String line) {
        for (String f : FIELDS) {
            String v = normalize(metadata.get(f));
            if (v == null) {
                v = normalize(stream.get(f));
            }
            if (v != null) {
                return v;
            }
        }
        String v = fromLine(line);
        return v == null ? UNKNOWN : v;
    }

    private static String fromLine(String line) {
        String[] found = new String[1];
        LogFields.FieldSink sink = (name, value) -> {
            if (found[0] == null && isLevelField(name)) {
                found[0] = normalize(value);
            }
        };
        int i = 0;
        while (i < line.length() && line.charAt(i) <= ' ') {
            i++;
        }
        if (i < line.length() && line.charAt(i) == '{') {
            LogFields.json(line, sink);
        } else if (line.indexOf('=') >= 0) {
            LogFields.logfmt(line, sink);
        }
        return found[0];
    }

    private static boolean isLevelField(String name) {
        for (String f : FIELDS) {
            if (f.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
