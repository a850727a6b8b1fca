package dev.sightline.ingest.otlp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Metric and label names as the OpenTelemetry "Prometheus and OpenMetrics compatibility" specification derives them
 * from OTLP: invalid characters become {@code _}, the unit becomes a suffix ({@code s} -> {@code _seconds},
 * {@code By/s} -> {@code _bytes_per_second}), monotonic sums end in {@code _total} and unit-1 gauges in {@code _ratio}.
 */
public final class OtlpNames {
    private static final Map<String, String> UNITS = Map.ofEntries(
            Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"), Map.entry("s", "seconds"),
            Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"), Map.entry("ns", "nanoseconds"),
            Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"), Map.entry("MiBy", "mebibytes"),
            Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"), Map.entry("KBy", "kilobytes"),
            Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"), Map.entry("TBy", "terabytes"),
            Map.entry("m", "meters"), Map.entry("V", "volts"), Map.entry("A", "amperes"), Map.entry("J", "joules"),
            Map.entry("W", "watts"), Map.entry("g", "grams"), Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"),
            Map.entry("1", ""), Map.entry("%", "percent"));
    private static final Map<String, String> PER_UNITS = Map.of(
            "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y", "year");

    private OtlpNames() {
    }

    /**
     * The Prometheus metric name of an OTLP metric. {@code counter} adds {@code _total} (monotonic sums),
     * {@code gauge} turns unit {@code 1} into {@code _ratio}.
     */
    public static String metricName(String name, String unit, boolean counter, boolean gauge) {
        List<String> tokens = tokens(name, true);
        // "_total" belongs at the very end, and only on counters.
        tokens.removeIf(t -> t.equals("total"));
        String u = stripAnnotations(unit);
        if (!u.isEmpty()) {
            String main = u;
            String per = "";
            int slash = u.indexOf('/');
            if (slash >= 0) {
                main = u.substring(0, slash).trim();
                per = u.substring(slash + 1).trim();
            }
            String mainName = UNITS.getOrDefault(main, main);
            for (String t : tokens(mainName, false)) {
                if (!tokens.contains(t)) {
                    tokens.add(t);
                }
            }
            if (!per.isEmpty()) {
                String perName = PER_UNITS.getOrDefault(per, per);
                List<String> perTokens = tokens(perName, false);
                if (!perTokens.isEmpty() && !containsRun(tokens, "per", perTokens)) {
                    tokens.add("per");
                    tokens.addAll(perTokens);
                }
            }
        }
        if (counter) {
            tokens.add("total");
        }
        if (gauge && u.equals("1") && !tokens.contains("ratio")) {
            tokens.add("ratio");
        }
        String joined = String.join("_", tokens);
        if (joined.isEmpty()) {
            return joined;
        }
        return Character.isDigit(joined.charAt(0)) ? "_" + joined : joined;
    }

    /**
     * A Prometheus label name for an attribute key: characters (code points) outside {@code [a-zA-Z0-9_]} become
     * {@code _}; a leading digit gets the {@code key_} prefix and a single leading underscore the {@code key} prefix
     * ({@code __} stays, as Prometheus's translator does).
     */
    public static String labelName(String key) {
        if (key.isEmpty() || isLabelNameAsIs(key)) {
            return key;
        }
        StringBuilder sb = new StringBuilder(key.length() + 4);
        key.codePoints().forEach(c -> sb.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_') ? (char) c : '_'));
        if (Character.isDigit(sb.charAt(0))) {
            sb.insert(0, "key_");
        } else if (sb.charAt(0) == '_' && (sb.length() == 1 || sb.charAt(1) != '_')) {
            sb.insert(0, "key");
        }
        return sb.toString();
    }

    /** Whether labelName would return the key unchanged (the usual case): the common path allocates nothing. */
    private static boolean isLabelNameAsIs(String key) {
        char first = key.charAt(0);
        if (first >= '0' && first <= '9' || first == '_' && (key.length() == 1 || key.charAt(1) != '_')) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static String stripAnnotations(String unit) {
        if (unit == null || unit.isEmpty()) {
            return "";
        }
        // "{requests}" and "By{compressed}": annotations in braces carry no unit. Each '{' up to the next '}' goes; a
        // '{' with no '}' after it stays with the rest. One pass: the regex form is quadratic on a run of '{'.
        StringBuilder out = new StringBuilder(unit.length());
        int i = 0;
        while (i < unit.length()) {
            int open = unit.indexOf('{', i);
            int close = open < 0 ? -1 : unit.indexOf('}', open);
            if (close < 0) {
                out.append(unit, i, unit.length());
                break;
            }
            out.append(unit, i, open);
            i = close + 1;
        }
        return out.toString().trim();
    }

    /** Splits on every character that is not a letter, digit (or, for metric names, a colon). */
    private static List<String> tokens(String s, boolean allowColon) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 128 && (Character.isLetterOrDigit(c) || (allowColon && c == ':'))) {
                cur.append(c);
            } else if (!cur.isEmpty()) {
                out.add(cur.toString());
                cur.setLength(0);
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }

    private static boolean containsRun(List<String> tokens, String first, List<String> rest) {
        outer:
        for (int i = 0; i + rest.size() < tokens.size(); i++) {
            if (!tokens.get(i).equals(first)) {
                continue;
            }
            for (int j = 0; j < rest.size(); j++) {
                if (!tokens.get(i + 1 + j).equals(rest.get(j))) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
