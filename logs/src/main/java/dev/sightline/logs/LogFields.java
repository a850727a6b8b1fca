package dev.sightline.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a line's fields are read, one definition for the store (which detects and indexes them at ingest) and the
 * LogQL parsers ({@code | json}, {@code | logfmt}), so a condition the store answers from its index means exactly
 * what the query's parser would find. Names and values follow Loki: nested JSON objects flatten with {@code _}
 * ({@code {"a":{"b":1}}} gives {@code a_b="1"}), arrays are skipped, numbers keep their literal text, {@code null}
 * gives {@code ""}; a name's characters outside {@code [a-zA-Z0-9_]} become {@code _} and a leading digit gets a
 * {@code _} in front. The first occurrence of a name wins.
 */
public final class LogFields {
    /** Receives one field; names are already sanitized. */
    @FunctionalInterface
    public interface FieldSink {
        void field(String name, String value);
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private LogFields() {
    }

    /**
     * Reads a line that is one JSON object into flattened fields; false (the sink may have seen some fields) when it
     * is not one, which is Loki's {@code JSONParserErr}.
     */
    public static boolean json(String line, FieldSink sink) {
        if (!startsWithBrace(line)) {
            return false; // most lines that are not JSON say so at once; Jackson would build an exception for each
        }
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            readObject(p, "", sink);
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean startsWithBrace(String line) {
        for (int i = 0, n = line.length(); i < n; i++) {
            char c = line.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return c == '{';
            }
        }
        return false;
    }

    private static void readObject(JsonParser p, String prefix, FieldSink sink) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = prefix + sanitize(p.currentName());
            JsonToken t = p.nextToken();
            switch (t) {
                case START_OBJECT -> readObject(p, name + "_", sink);
                case START_ARRAY -> p.skipChildren();
                case VALUE_NULL -> sink.field(name, "");
                case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE ->
                        sink.field(name, p.getText());
                default -> throw new IOException("unexpected JSON token " + t);
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("object not closed");
        }
    }

    /**
     * Reads a logfmt line ({@code a=1 b="two words" c}) into fields: a bare key has the value {@code ""}, quoted values
     * take Go escapes ({@code \" \\ \n \t}). False when a quoted value is not closed (Loki's
     * {@code LogfmtParserErr}); fields before it may have been given.
     */
    public static boolean logfmt(String line, FieldSink sink) {
        int n = line.length();
        int i = 0;
        while (i < n) {
            while (i < n && line.charAt(i) <= ' ') {
                i++;
            }
            if (i >= n) {
                break;
            }
            int keyStart = i;
            while (i < n && line.charAt(i) > ' ' && line.charAt(i) != '=' && line.charAt(i) != '"') {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                return false;
            }
            String key = line.substring(keyStart, i);
            if (i >= n || line.charAt(i) != '=') {
                if (!key.isEmpty()) {
                    sink.field(sanitize(key), "");
                }
                continue;
            }
            i++;
            String value;
            if (i < n && line.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && i < n) {
                        char e = line.charAt(i++);
                        sb.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
                    } else {
                        sb.append(c);
                    }
                }
                if (!closed) {
                    return false;
                }
                value = sb.toString();
            } else {
                int valueStart = i;
                while (i < n && line.charAt(i) > ' ') {
                    i++;
                }
                value = line.substring(valueStart, i);
            }
            if (!key.isEmpty()) {
                sink.field(sanitize(key), value);
            }
        }
        return true;
    }

    /** The fields of a JSON line in order, first occurrence of a name kept; null when it is not a JSON object. */
    public static Map<String, String> json(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        return json(line, m::putIfAbsent) ? m : null;
    }

    /** The fields of a logfmt line in order, first occurrence of a name kept; null when it does not parse. */
    public static Map<String, String> logfmt(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        return logfmt(line, m::putIfAbsent) ? m : null;
    }

    /** A field name as a label name: characters outside {@code [a-zA-Z0-9_]} become {@code _}, a leading digit gets one. */
    public static String sanitize(String name) {
        int n = name.length();
        boolean clean = n > 0 && !isDigit(name.charAt(0));
        for (int i = 0; i < n && clean; i++) {
            clean = isLabelChar(name.charAt(i));
        }
        if (clean) {
            return name;
        }
        StringBuilder sb = new StringBuilder(n + 1);
        if (n == 0 || isDigit(name.charAt(0))) {
            sb.append('_');
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            sb.append(isLabelChar(c) ? c : '_');
        }
        return sb.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLabelChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_';
    }

    /** A value as a number, as Go's ParseFloat reads it ({@code 1e3}, {@code -0.5}, {@code Inf}); NaN when it is not one. */
    public static double number(String v) {
        int n = v.length();
        if (n == 0 || n > 64) {
            return Double.NaN;
        }
        char c = v.charAt(0);
        int from = c == '+' || c == '-' ? 1 : 0;
        int rest = n - from;
        if (rest == 3 && v.regionMatches(true, from, "inf", 0, 3) || rest == 8 && v.regionMatches(true, from, "infinity", 0, 8)) {
            return c == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        // Only plain decimals: Java would also read 1d, 1f, hex floats and blanks around, Go does not; "NaN" itself
        // is NaN either way, which every comparison fails.
        return decimal(v, from, n) ? Double.parseDouble(v) : Double.NaN;
    }

    /**
     * Whether {@code v[from, to)} is digits with at most one '.' and at least one digit, then optionally an exponent:
     * what Go's ParseFloat and Double.parseDouble read alike, checked first so that no value costs an exception (log
     * fields are full of timestamps and addresses that start like numbers).
     */
    private static boolean decimal(String v, int from, int to) {
        int i = from;
        int digits = 0;
        while (i < to && isDigit(v.charAt(i))) {
            i++;
            digits++;
        }
        if (i < to && v.charAt(i) == '.') {
            i++;
            while (i < to && isDigit(v.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < to && (v.charAt(i) == 'e' || v.charAt(i) == 'E')) {
            i++;
            if (i < to && (v.charAt(i) == '+' || v.charAt(i) == '-')) {
                i++;
            }
            int exponent = i;
            while (i < to && isDigit(v.charAt(i))) {
                i++;
            }
            if (i == exponent) {
                return false;
            }
        }
        return i == to;
    }

    /**
     * A value as a Go duration ({@code 1h2m}, {@code 1.5s}, {@code 300ms}, {@code -2us}, {@code 0}) in seconds; NaN
     * when it is not one. Units: ns, us, µs, ms, s, m, h.
     */
    public static double durationSeconds(String v) {
        int n = v.length();
        if (n == 0) {
            return Double.NaN;
        }
        int i = 0;
        boolean negative = false;
        if (v.charAt(0) == '-' || v.charAt(0) == '+') {
            negative = v.charAt(0) == '-';
            i++;
        }
        if (v.substring(i).equals("0")) {
            return 0;
        }
        if (i >= n) {
            return Double.NaN;
        }
        double total = 0;
        while (i < n) {
            int start = i;
            while (i < n && (isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
                i++;
            }
            if (i == start) {
                return Double.NaN;
            }
            if (!decimal(v, start, i)) {
                return Double.NaN; // "1.2.3s"
            }
            double amount = Double.parseDouble(v.substring(start, i));
            int unitStart = i;
            while (i < n && !isDigit(v.charAt(i)) && v.charAt(i) != '.') {
                i++;
            }
            double scale = switch (v.substring(unitStart, i)) {
                case "ns" -> 1e-9;
                case "us", "µs", "μs" -> 1e-6;
                case "ms" -> 1e-3;
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                default -> Double.NaN;
            };
            if (Double.isNaN(scale)) {
                return Double.NaN;
            }
            total += amount * scale;
        }
        return negative ? -total : total;
    }

    /**
     * A value as a byte size, as go-humanize's ParseBytes reads it ({@code 512}, {@code 1.5KB} = 1500,
     * {@code 2 KiB} = 2048, {@code 10mb}; units case-insensitive, an optional space before them); NaN when it is not one.
     */
    public static double bytes(String v) {
        int n = v.length();
        int i = 0;
        while (i < n && (isDigit(v.charAt(i)) || v.charAt(i) == '.' || v.charAt(i) == ',')) {
            i++;
        }
        if (i == 0) {
            return Double.NaN;
        }
        String digits = v.substring(0, i).replace(",", "");
        if (!decimal(digits, 0, digits.length())) {
            return Double.NaN; // "10.0.0.1"
        }
        double amount = Double.parseDouble(digits);
        String unit = v.substring(i).strip().toLowerCase(java.util.Locale.ROOT);
        double scale = switch (unit) {
            case "", "b" -> 1;
            case "k", "kb" -> 1e3;
            case "m", "mb" -> 1e6;
            case "g", "gb" -> 1e9;
            case "t", "tb" -> 1e12;
            case "p", "pb" -> 1e15;
            case "e", "eb" -> 1e18;
            case "ki", "kib" -> 0x1p10;
            case "mi", "mib" -> 0x1p20;
            case "gi", "gib" -> 0x1p30;
            case "ti", "tib" -> 0x1p40;
            case "pi", "pib" -> 0x1p50;
            case "ei", "eib" -> 0x1p60;
            default -> Double.NaN;
        };
        return amount * scale;
    }
}
