package dev.sightline.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.core.text.PromDurations;
import dev.sightline.server.config.ConfigException;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code options} each panel type takes (UI-CONTRACT.md), checked so that a misspelt key or a value of the
 * wrong kind is an error at its line rather than an option silently ignored. A type not listed here is a panel
 * module the server does not know: its options pass unchecked.
 */
final class PanelOptions {
    enum Kind { BOOL, NUMBER, POSITIVE_INT, STRING, DURATION, REDUCE, ANOMALY_FUNCTION, THRESHOLDS }

    private static final Map<String, Map<String, Kind>> BY_TYPE = Map.of(
            "timeseries", Map.of("stacked", Kind.BOOL, "log_scale", Kind.BOOL, "unit", Kind.STRING,
                    "min", Kind.NUMBER, "max", Kind.NUMBER),
            "stat", Map.of("unit", Kind.STRING, "reduce", Kind.REDUCE, "sparkline", Kind.BOOL, "thresholds", Kind.THRESHOLDS),
            "gauge", Map.of("unit", Kind.STRING, "min", Kind.NUMBER, "max", Kind.NUMBER, "thresholds", Kind.THRESHOLDS),
            "bar", Map.of("unit", Kind.STRING),
            "table", Map.of("unit", Kind.STRING),
            "heatmap", Map.of("unit", Kind.STRING),
            "scatter", Map.of(),
            "anomaly", Map.of("function", Kind.ANOMALY_FUNCTION, "window", Kind.DURATION, "season", Kind.DURATION,
                    "threshold", Kind.NUMBER),
            "logs", Map.of("limit", Kind.POSITIVE_INT),
            "traces", Map.of("service", Kind.STRING, "operation", Kind.STRING, "min_duration", Kind.DURATION,
                    "limit", Kind.POSITIVE_INT));
    private static final Set<String> REDUCE = Set.of("last", "mean", "max", "min");
    private static final Set<String> ANOMALY_FUNCTIONS = Set.of("seasonal", "robust_zscore", "zscore");

    private PanelOptions() {
    }

    /** Whether the server knows the type's options (the built-in panel modules). */
    static boolean known(String type) {
        return BY_TYPE.containsKey(type);
    }

    static void check(LocatedTree tree, String path, String type, ObjectNode options) throws ConfigException {
        Map<String, Kind> kinds = BY_TYPE.get(type);
        if (kinds == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : options.properties()) {
            String at = path + "." + e.getKey();
            Kind kind = kinds.get(e.getKey());
            if (kind == null) {
                throw tree.error(at, "unknown option \"" + e.getKey() + "\" for a " + type + " panel"
                        + (kinds.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", new TreeSet<>(kinds.keySet())) + ")"));
            }
            JsonNode v = e.getValue();
            if (!v.isNull()) {
                checkValue(tree, at, kind, v);
            }
        }
    }

    private static void checkValue(LocatedTree tree, String at, Kind kind, JsonNode v) throws ConfigException {
        switch (kind) {
            case BOOL -> require(tree, at, v.isBoolean(), "expected true or false");
            case NUMBER -> require(tree, at, v.isNumber(), "expected a number");
            case POSITIVE_INT -> require(tree, at, v.isIntegralNumber() && v.asLong() > 0, "expected a whole number above 0");
            case STRING -> require(tree, at, v.isTextual(), "expected a string");
            case DURATION -> {
                require(tree, at, v.isTextual(), "expected a duration such as 5m or 1d");
                duration(tree, at, v.asText());
            }
            case REDUCE -> require(tree, at, v.isTextual() && REDUCE.contains(v.asText()),
                    "expected one of last, mean, max, min");
            case ANOMALY_FUNCTION -> require(tree, at, v.isTextual() && ANOMALY_FUNCTIONS.contains(v.asText()),
                    "expected one of seasonal, robust_zscore, zscore");
            case THRESHOLDS -> {
                require(tree, at, v.isArray(), "expected a list of {value, color}");
                for (int i = 0; i < v.size(); i++) {
                    JsonNode step = v.get(i);
                    String sp = at + "[" + i + "]";
                    require(tree, sp, step.isObject(), "expected {value, color}");
                    for (Map.Entry<String, JsonNode> f : step.properties()) {
                        switch (f.getKey()) {
                            case "value" -> require(tree, sp + ".value", f.getValue().isNull() || f.getValue().isNumber(),
                                    "expected a number (or null for the base colour)");
                            case "color" -> require(tree, sp + ".color", f.getValue().isTextual() && !f.getValue().asText().isBlank(),
                                    "expected a colour: green, yellow, red or a CSS colour");
                            default -> throw tree.error(sp + "." + f.getKey(), "unknown key (known: color, value)");
                        }
                    }
                    require(tree, sp, step.hasNonNull("color"), "color is missing");
                }
            }
        }
    }

    static void require(LocatedTree tree, String at, boolean ok, String reason) throws ConfigException {
        if (!ok) {
            throw tree.error(at, reason);
        }
    }

    /** A Prometheus duration ({@code 30s}, {@code 1d}); the error names the path. */
    static long duration(LocatedTree tree, String at, String text) throws ConfigException {
        try {
            return PromDurations.parseMillis(text);
        } catch (IllegalArgumentException e) {
            throw tree.error(at, e.getMessage());
        }
    }
}
