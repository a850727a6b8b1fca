package dev.sightline.server.dashboards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.core.text.PromDurations;
import dev.sightline.core.text.Regex;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.dashboards.Dashboard.Panel;
import dev.sightline.server.dashboards.Dashboard.Row;
import dev.sightline.server.dashboards.Dashboard.Target;
import dev.sightline.server.dashboards.Dashboard.Variable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.StreamSupport;

/**
 * Converts a Grafana dashboard JSON export (the dashboard itself, or the API's {@code {"dashboard": ...}} wrapper)
 * into the model. Both layouts: the old {@code rows} (Grafana 4: rows with panels of a {@code span}) and the
 * {@code panels} grid (Grafana 5+: {@code gridPos} on 24 columns, {@code row} panels, collapsed rows holding their
 * panels). Panel types: graph and timeseries become timeseries; singlestat becomes stat (gauge when its gauge is
 * shown); stat, gauge, table, heatmap keep theirs; bargauge and barchart become bar. Template variables: query
 * ({@code label_values}), custom, interval, constant and textbox; datasource and ad hoc variables are dropped.
 * Grafana's {@code $__interval}, {@code $__rate_interval} and {@code $__range} stay in the expressions: the
 * dashboard page replaces them when it queries (docs/dashboards.md). What is not converted is listed in
 * {@link Result#notes()} with the reason, never silently lost.
 */
public final class GrafanaImport {
    /** Grafana's grid: 24 columns; a row unit is 30 px plus an 8 px margin between units. */
    private static final int GRID_COLUMNS = 24;
    private static final Pattern LABEL_VALUES = Pattern.compile("\\s*label_values\\s*\\(.*\\)\\s*", Pattern.DOTALL);
    private static final Pattern SLASHED_REGEX = Pattern.compile("/(.*)/([a-z]*)", Pattern.DOTALL);
    private static final Pattern RELATIVE_FROM = Pattern.compile("now-(\\d+[smhdwy])");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the import made, and what it left out (panel or variable, and why). */
    public record Result(Dashboard dashboard, List<Note> notes) {
    }

    /** {@code what}: "panel \"CPU Busy\"" or "variable $ds"; {@code reason}: why it was dropped or changed. */
    public record Note(String what, String reason) {
        @Override
        public String toString() {
            return what + ": " + reason;
        }
    }

    private final List<Note> notes = new ArrayList<>();
    private final Set<String> variableNames = new HashSet<>();

    private GrafanaImport() {
    }

    /**
     * Reads an export; {@code defaultUid} (from the file name) is used when the export has no usable uid.
     *
     * @throws ConfigException when the file is no JSON or not a dashboard, at FILE:LINE:COL
     */
    public static Result convert(String file, byte[] content, String defaultUid) throws ConfigException {
        LocatedTree tree = LocatedTree.json(file, content);
        JsonNode d = tree.root;
        String at = "";
        if (d.isObject() && d.path("dashboard").isObject() && !d.has("panels") && !d.has("rows")) {
            d = d.get("dashboard");
            at = "dashboard";
        }
        if (!d.isObject() || !(d.path("panels").isArray() || d.path("rows").isArray())) {
            throw tree.error(at, "not a Grafana dashboard: expected an object with \"panels\" (or \"rows\")");
        }
        GrafanaImport i = new GrafanaImport();
        Dashboard converted = i.dashboard(d, defaultUid);
        // The result goes through the model's own checks, so an import never yields what a file could not hold.
        try {
            Dashboard checked = DashboardReader.json(file, JSON.writeValueAsBytes(converted.tree(true)));
            return new Result(checked, List.copyOf(i.notes));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        } catch (ConfigException e) {
            throw new ConfigException(file, 0, 0, "the converted dashboard is not valid: " + e.detail());
        }
    }

    private Dashboard dashboard(JsonNode d, String defaultUid) {
        String title = text(d.get("title"));
        String uid = text(d.get("uid"));
        if (uid == null || !DashboardReader.UID.matcher(uid).matches()) {
            uid = defaultUid != null ? defaultUid : slug(title == null ? "grafana" : title);
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode t : d.path("tags")) {
            if (t.isTextual()) {
                tags.add(t.asText());
            }
        }
        List<Variable> variables = new ArrayList<>();
        for (JsonNode v : d.path("templating").path("list")) {
            Variable converted = variable(v);
            if (converted != null) {
                variables.add(converted);
                variableNames.add(converted.name());
            }
        }
        List<Row> rows = d.path("panels").isArray() ? gridRows((ArrayNode) d.get("panels")) : oldRows(d.path("rows"));
        return new Dashboard(uid, title == null ? uid : title, tags, duration(text(d.get("refresh"))),
                range(d.path("time")), variables, rows);
    }

    /** {@code now-6h} to {@code now} is a range of 6h; an absolute range keeps the default. */
    private String range(JsonNode time) {
        String from = text(time.get("from"));
        Matcher m = from == null ? null : RELATIVE_FROM.matcher(from);
        if (m != null && m.matches() && "now".equals(text(time.get("to")))) {
            return m.group(1);
        }
        if (from != null) {
            notes.add(new Note("time", "range " + from + " to " + text(time.get("to")) + " is not relative to now; using "
                    + Dashboard.DEFAULT_RANGE));
        }
        return Dashboard.DEFAULT_RANGE;
    }

    private Variable variable(JsonNode v) {
        String name = text(v.get("name"));
        String type = v.path("type").asText("query");
        String what = "variable $" + name;
        if (name == null || !DashboardReader.VARIABLE_NAME.matcher(name).matches()) {
            notes.add(new Note("variable " + name, "not a usable variable name; dropped"));
            return null;
        }
        if (type.equals("datasource")) {
            notes.add(new Note(what, "a datasource variable; dropped (Sightline is the one data source)"));
            return null;
        }
        String query = v.get("query") != null && v.get("query").isObject() ? text(v.get("query").get("query")) : text(v.get("query"));
        List<String> values = null;
        String labelValues = null;
        switch (type) {
            case "query" -> {
                if (query != null && LABEL_VALUES.matcher(query).matches()) {
                    labelValues = query.trim();
                } else {
                    values = savedValues(v);
                    notes.add(new Note(what, "query " + quoted(query) + " is not label_values(...); kept its saved values "
                            + values));
                }
            }
            case "custom", "interval" -> {
                values = new ArrayList<>();
                for (String item : query == null ? new String[0] : query.split("(?<!\\\\),")) {
                    String s = item.replace("\\,", ",").trim();
                    // Grafana's "text : value" items.
                    int sep = s.indexOf(" : ");
                    s = sep < 0 ? s : s.substring(sep + 3).trim();
                    if (!s.isEmpty()) {
                        values.add(s);
                    }
                }
                if (type.equals("interval") && v.path("auto").asBoolean(false)) {
                    notes.add(new Note(what, "the \"auto\" interval option is not converted"));
                }
            }
            case "constant", "textbox" -> values = query == null ? List.of() : List.of(query);
            default -> {
                notes.add(new Note(what, "a " + type + " variable; not supported, dropped"));
                return null;
            }
        }
        String regex = text(v.get("regex"));
        if (regex != null) {
            Matcher m = SLASHED_REGEX.matcher(regex);
            regex = m.matches() ? m.group(1) : regex;
            try {
                Regex.compile(regex, 0);
            } catch (PatternSyntaxException e) {
                notes.add(new Note(what, "regex " + quoted(regex) + " is not valid here (" + e.getDescription() + "); dropped"));
                regex = null;
            }
        }
        String label = text(v.get("label"));
        return new Variable(name, label, labelValues, values, v.path("multi").asBoolean(false),
                v.path("includeAll").asBoolean(false), regex, text(v.get("allValue")));
    }

    /** A query variable's saved options (or current value), for a query that cannot run here. */
    private static List<String> savedValues(JsonNode v) {
        List<String> out = new ArrayList<>();
        for (JsonNode o : v.path("options")) {
            String s = text(o.get("value"));
            if (s != null && !s.equals("$__all")) {
                out.add(s);
            }
        }
        if (out.isEmpty()) {
            JsonNode current = v.path("current").path("value");
            for (JsonNode c : current.isArray() ? current : JSON.createArrayNode().add(current)) {
                String s = text(c);
                if (s != null && !s.equals("$__all")) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** Grafana 5+: panels on a grid; a row panel starts a row, a collapsed one carries its panels inside. */
    private List<Row> gridRows(ArrayNode panels) {
        List<Row> rows = new ArrayList<>();
        RowBuilder current = null;
        for (JsonNode p : sortedByPosition(panels)) {
            if (p.path("type").asText().equals("row")) {
                if (current != null) {
                    rows.add(current.build());
                }
                current = new RowBuilder(text(p.get("title")), p.path("collapsed").asBoolean(false), repeat(p, "row " + quoted(text(p.get("title")))));
                for (JsonNode inner : sortedByPosition(p.path("panels"))) {
                    current.add(panel(inner, gridSpan(inner), gridHeight(inner)));
                }
                continue;
            }
            if (current == null) {
                current = new RowBuilder("", false, null);
            }
            current.add(panel(p, gridSpan(p), gridHeight(p)));
        }
        if (current != null) {
            rows.add(current.build());
        }
        return rows;
    }

    private static List<JsonNode> sortedByPosition(JsonNode panels) {
        return StreamSupport.stream(panels.spliterator(), false)
                .filter(JsonNode::isObject)
                .sorted(Comparator.comparingInt((JsonNode p) -> p.path("gridPos").path("y").asInt(0))
                        .thenComparingInt(p -> p.path("gridPos").path("x").asInt(0)))
                .toList();
    }

    private static int gridSpan(JsonNode p) {
        int w = p.path("gridPos").path("w").asInt(GRID_COLUMNS / 2);
        return clamp(Math.round(w * 12f / GRID_COLUMNS), 1, 12);
    }

    private static int gridHeight(JsonNode p) {
        int h = p.path("gridPos").path("h").asInt(8);
        return clamp(h * 30 + (h - 1) * 8, 60, 4000);
    }

    /** Grafana 4: rows of panels with a span (twelfths, as ours) and the row's height. */
    private List<Row> oldRows(JsonNode rows) {
        List<Row> out = new ArrayList<>();
        for (JsonNode r : rows) {
            if (!isNull(r.get("repeatRowId")) || !isNull(r.get("repeatIteration"))) {
                continue; // a copy Grafana made of a repeated row: the repeat makes it again
            }
            int height = clamp(leadingInt(r.get("height"), 250), 60, 4000);
            RowBuilder b = new RowBuilder(text(r.get("title")), r.path("collapse").asBoolean(false), repeat(r, "row " + quoted(text(r.get("title")))));
            for (JsonNode p : r.path("panels")) {
                int span = clamp((int) Math.round(p.path("span").asDouble(Dashboard.DEFAULT_SPAN)), 1, 12);
                b.add(panel(p, span, height));
            }
            out.add(b.build());
        }
        return out;
    }

    private final class RowBuilder {
        final String title;
        final boolean collapsed;
        final String repeat;
        final List<Panel> panels = new ArrayList<>();

        RowBuilder(String title, boolean collapsed, String repeat) {
            this.title = title == null ? "" : title;
            this.collapsed = collapsed;
            this.repeat = repeat;
        }

        void add(Panel p) {
            if (p != null) {
                panels.add(p);
            }
        }

        Row build() {
            return new Row(title, collapsed, repeat, panels);
        }
    }

    /** The panel converted, or null (noted) when its type has no counterpart or it is a repeat's copy. */
    private Panel panel(JsonNode p, int span, int height) {
        String title = text(p.get("title"));
        String what = "panel " + quoted(title == null ? "#" + p.path("id").asText() : title);
        if (!isNull(p.get("repeatPanelId")) || !isNull(p.get("repeatIteration"))) {
            return null; // a copy Grafana made of a repeated panel
        }
        String grafanaType = p.path("type").asText("");
        ObjectNode options = JsonNodeFactory.instance.objectNode();
        JsonNode defaults = p.path("fieldConfig").path("defaults");
        String type;
        switch (grafanaType) {
            case "graph" -> {
                type = "timeseries";
                JsonNode y = p.path("yaxes").path(0);
                unit(options, text(y.get("format")));
                if (p.path("stack").asBoolean(false)) {
                    options.put("stacked", true);
                }
                if (y.path("logBase").asInt(1) > 1) {
                    options.put("log_scale", true);
                }
                number(options, "min", y.get("min"));
                number(options, "max", y.get("max"));
            }
            case "timeseries" -> {
                type = "timeseries";
                unit(options, text(defaults.get("unit")));
                String stacking = defaults.path("custom").path("stacking").path("mode").asText("none");
                if (!stacking.equals("none")) {
                    options.put("stacked", true);
                }
                if (defaults.path("custom").path("scaleDistribution").path("type").asText("").equals("log")) {
                    options.put("log_scale", true);
                }
                number(options, "min", defaults.get("min"));
                number(options, "max", defaults.get("max"));
            }
            case "singlestat" -> {
                boolean gauge = p.path("gauge").path("show").asBoolean(false);
                type = gauge ? "gauge" : "stat";
                unit(options, text(p.get("format")));
                if (gauge) {
                    number(options, "min", p.path("gauge").get("minValue"));
                    number(options, "max", p.path("gauge").get("maxValue"));
                } else {
                    reduce(options, p.path("valueName").asText("avg"), what);
                    options.put("sparkline", p.path("sparkline").path("show").asBoolean(false));
                }
                singlestatThresholds(options, p, what);
            }
            case "stat", "gauge" -> {
                type = grafanaType;
                unit(options, text(defaults.get("unit")));
                if (type.equals("stat")) {
                    reduce(options, p.path("options").path("reduceOptions").path("calcs").path(0).asText("lastNotNull"), what);
                    options.put("sparkline", !p.path("options").path("graphMode").asText("area").equals("none"));
                } else {
                    number(options, "min", defaults.get("min"));
                    number(options, "max", defaults.get("max"));
                }
                stepThresholds(options, defaults.path("thresholds").path("steps"));
            }
            case "bargauge", "barchart" -> {
                type = "bar";
                unit(options, text(defaults.get("unit")));
            }
            case "table", "table-old" -> {
                type = "table";
                unit(options, text(defaults.get("unit")));
            }
            case "heatmap" -> {
                type = "heatmap";
                // Grafana can bucket plain series itself; the heatmap here draws only buckets a query returns.
                if (p.path("options").path("calculate").asBoolean(false) || p.path("dataFormat").asText("").equals("timeseries")) {
                    notes.add(new Note(what, "Grafana calculates this heatmap's buckets from plain series; not converted, "
                            + "the panel draws only histogram buckets its query returns"));
                }
                unit(options, text(p.path("options").path("yAxis").has("unit") ? p.path("options").path("yAxis").get("unit")
                        : p.path("yAxis").get("format")));
            }
            default -> {
                notes.add(new Note(what, "panel type " + quoted(grafanaType) + " is not supported; left out"));
                return null;
            }
        }
        List<Target> targets = new ArrayList<>();
        int skipped = 0;
        for (JsonNode t : p.path("targets")) {
            String expr = text(t.get("expr"));
            if (t.path("hide").asBoolean(false)) {
                continue;
            }
            if (expr == null || expr.isBlank()) {
                skipped++;
                continue;
            }
            String legend = text(t.get("legendFormat"));
            targets.add(new Target(expr.strip(), legend == null || legend.isEmpty() || legend.equals("__auto") ? null : legend));
        }
        if (skipped > 0) {
            notes.add(new Note(what, skipped + " target(s) without a PromQL expr left out"));
        }
        if (targets.isEmpty()) {
            notes.add(new Note(what, "no PromQL query; the panel is kept and shows none"));
        }
        String shift = duration(text(p.get("timeShift")));
        if (text(p.get("timeShift")) != null && shift == null) {
            notes.add(new Note(what, "timeShift " + quoted(text(p.get("timeShift"))) + " is not a duration; dropped"));
        }
        if (text(p.get("timeFrom")) != null) {
            notes.add(new Note(what, "timeFrom (a range of its own) is not supported; the dashboard's range applies"));
        }
        String description = text(p.get("description"));
        return new Panel(title == null ? "" : title, type, span, height, shift, description == null ? "" : description,
                repeat(p, what), targets, options);
    }

    /** The variable a panel or row repeats by, if it is one of the dashboard's. */
    private String repeat(JsonNode node, String what) {
        String repeat = text(node.get("repeat"));
        if (repeat != null && !variableNames.contains(repeat)) {
            notes.add(new Note(what, "repeats by $" + repeat + ", which was not converted; drawn once"));
            return null;
        }
        return repeat;
    }

    private void reduce(ObjectNode options, String calc, String what) {
        String reduce = switch (calc) {
            case "current", "last", "lastNotNull" -> "last";
            case "avg", "mean" -> "mean";
            case "max" -> "max";
            case "min" -> "min";
            default -> {
                notes.add(new Note(what, "reduction " + quoted(calc) + " is not supported; showing the last value"));
                yield "last";
            }
        };
        options.put("reduce", reduce);
    }

    /** Singlestat's "85,95" with its three colours: the base colour, then one per threshold. */
    private void singlestatThresholds(ObjectNode options, JsonNode p, String what) {
        String thresholds = text(p.get("thresholds"));
        JsonNode colors = p.path("colors");
        if (thresholds == null || thresholds.isBlank()) {
            return;
        }
        ArrayNode steps = options.putArray("thresholds");
        steps.addObject().putNull("value").put("color", colors.path(0).asText("green"));
        String[] values = thresholds.split(",");
        for (int i = 0; i < values.length; i++) {
            try {
                steps.addObject().put("value", Double.parseDouble(values[i].trim()))
                        .put("color", colors.path(Math.min(i + 1, Math.max(colors.size() - 1, 0))).asText("red"));
            } catch (NumberFormatException e) {
                notes.add(new Note(what, "threshold " + quoted(values[i]) + " is not a number; dropped"));
            }
        }
    }

    /** Grafana 7+'s threshold steps: the first (value null) is the base colour. */
    private static void stepThresholds(ObjectNode options, JsonNode steps) {
        if (!steps.isArray() || steps.isEmpty()) {
            return;
        }
        ArrayNode out = options.putArray("thresholds");
        for (JsonNode s : steps) {
            ObjectNode step = out.addObject();
            if (s.path("value").isNumber()) {
                step.put("value", s.get("value").asDouble());
            } else {
                step.putNull("value");
            }
            step.put("color", color(s.path("color").asText("green")));
        }
    }

    /** Grafana's named shades ("semi-dark-red") as the CSS colour they shade. */
    static String color(String grafana) {
        String c = grafana.toLowerCase(Locale.ROOT);
        for (String prefix : List.of("super-light-", "semi-dark-", "light-", "dark-")) {
            if (c.startsWith(prefix)) {
                return c.substring(prefix.length());
            }
        }
        return c.equals("text") ? "gray" : grafana;
    }

    /** Grafana's unit ids pass through (the panels format bytes, s, ms, percent, percentunit); "short" is none. */
    private static void unit(ObjectNode options, String unit) {
        if (unit != null && !unit.isBlank() && !unit.equals("short") && !unit.equals("none")) {
            options.put("unit", unit);
        }
    }

    private static void number(ObjectNode options, String key, JsonNode v) {
        if (v == null || v.isNull()) {
            return;
        }
        if (v.isNumber()) {
            options.put(key, v.asDouble());
        } else if (v.isTextual()) {
            try {
                options.put(key, Double.parseDouble(v.asText().trim()));
            } catch (NumberFormatException e) {
                // Grafana keeps "" or "auto" for no limit.
            }
        }
    }

    /** A Prometheus duration as written, or null when absent or not one. */
    private static String duration(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            PromDurations.parseMillis(s.trim());
            return s.trim();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int leadingInt(JsonNode n, int dflt) {
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (n.isNumber()) {
            return n.asInt();
        }
        Matcher m = Pattern.compile("\\s*(\\d+)").matcher(n.asText());
        return m.lookingAt() ? Integer.parseInt(m.group(1)) : dflt;
    }

    private static int clamp(int v, int min, int max) {
        return Math.max(min, Math.min(max, v));
    }

    static String slug(String title) {
        String s = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-").replaceAll("^-+|-+$", "");
        s = s.isEmpty() ? "dashboard" : s;
        return s.length() > 64 ? s.substring(0, 64) : s;
    }

    /** A string value (numbers as their text); null for absent, null or empty-object values. */
    private static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isContainerNode() || n.isMissingNode()) {
            return null;
        }
        if (n.isBoolean()) {
            return null; // Grafana writes "refresh": false for none
        }
        return n.asText();
    }

    private static boolean isNull(JsonNode n) {
        return DashboardReader.isNull(n);
    }

    private static String quoted(String s) {
        return s == null ? "(none)" : "\"" + s + "\"";
    }
}
