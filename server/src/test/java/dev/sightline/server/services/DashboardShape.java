package dev.sightline.server.services;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard model of /work/notes/UI-CONTRACT.md checked field by field, for the example files and the generated
 * dashboards until the dashboards branch's parser is in this tree: every problem named by its path
 * ({@code rows[1].panels[0].span: ...}). PromQL targets must parse once variables are replaced by a value.
 */
final class DashboardShape {
    private static final Set<String> TOP = Set.of("uid", "title", "tags", "refresh", "time", "variables", "rows");
    private static final Set<String> VARIABLE = Set.of("name", "label", "query", "values", "multi", "include_all");
    private static final Set<String> ROW = Set.of("title", "collapsed", "repeat", "panels");
    private static final Set<String> PANEL = Set.of("title", "type", "span", "height", "time_shift", "description", "targets", "options");
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "timeseries", Set.of("stacked", "log_scale", "unit", "min", "max"),
            "stat", Set.of("unit", "reduce", "sparkline", "thresholds"),
            "gauge", Set.of("unit", "min", "max", "thresholds"),
            "bar", Set.of("unit"),
            "table", Set.of(),
            "heatmap", Set.of("unit", "scale"),
            "scatter", Set.of("unit", "x_unit"),
            "anomaly", Set.of("function", "window", "season", "threshold", "unit"),
            "logs", Set.of("limit"),
            "traces", Set.of("service", "operation", "min_duration", "limit"));
    private static final Pattern DURATION = Pattern.compile("\\d+(ms|s|m|h|d|w|y)");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern VAR_REF = Pattern.compile("\\$\\{(\\w+)}|\\[\\[(\\w+)]]|\\$(\\w+)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((?:(.*),\\s*)?(" + NAME.pattern() + ")\\)");

    private final List<String> errors = new ArrayList<>();
    private final Set<String> variables = new HashSet<>();

    private DashboardShape() {
    }

    static List<String> check(JsonNode d) {
        DashboardShape s = new DashboardShape();
        s.dashboard(d);
        return s.errors;
    }

    private void dashboard(JsonNode d) {
        if (!d.isObject()) {
            errors.add("the document is not a mapping");
            return;
        }
        keys(d, TOP, "");
        text(d, "uid", "uid", Pattern.compile("[a-z0-9][a-z0-9-]*"));
        text(d, "title", "title", null);
        if (d.has("refresh") && !d.get("refresh").isNull()) {
            text(d, "refresh", "refresh", DURATION);
        }
        text(d.path("time"), "range", "time.range", DURATION);
        JsonNode vars = d.path("variables");
        for (int i = 0; i < vars.size(); i++) {
            variable(vars.get(i), "variables[" + i + "]");
        }
        JsonNode rows = d.path("rows");
        if (!rows.isArray() || rows.isEmpty()) {
            errors.add("rows: a non-empty list is required");
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            row(rows.get(i), "rows[" + i + "]");
        }
    }

    private void variable(JsonNode v, String at) {
        keys(v, VARIABLE, at);
        if (text(v, "name", at + ".name", NAME)) {
            variables.add(v.get("name").asText());
        }
        JsonNode values = v.path("values");
        if (v.path("query").isTextual() && !v.path("query").asText().isEmpty()) {
            Matcher m = LABEL_VALUES.matcher(v.get("query").asText());
            if (!m.matches()) {
                errors.add(at + ".query: \"" + v.get("query").asText() + "\" is not label_values([selector, ]label)");
            } else if (m.group(1) != null) {
                promql(m.group(1), at + ".query");
            }
        } else if (!values.isArray() || values.isEmpty()) {
            errors.add(at + ": needs a query or a list of values");
        }
        bool(v, "multi", at);
        bool(v, "include_all", at);
    }

    private void row(JsonNode r, String at) {
        keys(r, ROW, at);
        text(r, "title", at + ".title", null);
        bool(r, "collapsed", at);
        JsonNode repeat = r.path("repeat");
        if (!repeat.isMissingNode() && !repeat.isNull() && !variables.contains(repeat.asText())) {
            errors.add(at + ".repeat: \"" + repeat.asText() + "\" is no variable of the dashboard");
        }
        refs(r.path("title").asText(), at + ".title");
        JsonNode panels = r.path("panels");
        if (!panels.isArray() || panels.isEmpty()) {
            errors.add(at + ".panels: a non-empty list is required");
            return;
        }
        for (int i = 0; i < panels.size(); i++) {
            panel(panels.get(i), at + ".panels[" + i + "]");
        }
    }

    private void panel(JsonNode p, String at) {
        keys(p, PANEL, at);
        text(p, "title", at + ".title", null);
        String type = p.path("type").asText();
        Set<String> allowed = OPTIONS.get(type);
        if (allowed == null) {
            errors.add(at + ".type: \"" + type + "\" is none of " + new java.util.TreeSet<>(OPTIONS.keySet()));
            return;
        }
        JsonNode span = p.path("span");
        if (!span.isMissingNode() && (!span.isInt() || span.asInt() < 1 || span.asInt() > 12)) {
            errors.add(at + ".span: " + span + " is not a whole number of twelfths from 1 to 12");
        }
        JsonNode height = p.path("height");
        if (!height.isMissingNode() && (!height.isInt() || height.asInt() <= 0)) {
            errors.add(at + ".height: " + height + " is not a positive number of pixels");
        }
        if (p.has("time_shift") && !p.get("time_shift").isNull()) {
            text(p, "time_shift", at + ".time_shift", DURATION);
        }
        JsonNode options = p.path("options");
        if (!options.isMissingNode()) {
            keys(options, allowed, at + ".options");
        }
        JsonNode targets = p.path("targets");
        boolean optional = type.equals("traces") && options.has("service");
        if (!targets.isArray() || (targets.isEmpty() && !optional)) {
            errors.add(at + ".targets: a non-empty list is required");
            return;
        }
        if (type.equals("scatter") && targets.size() > 2) {
            errors.add(at + ".targets: a scatter has one target (x is time) or two (x and y)");
        }
        for (int i = 0; i < targets.size(); i++) {
            String t = at + ".targets[" + i + "]";
            if (text(targets.get(i), "expr", t + ".expr", null) && !type.equals("logs") && !type.equals("traces")) {
                promql(targets.get(i).get("expr").asText(), t + ".expr");
            }
        }
    }

    /** The expression parses with every variable replaced by a value (a regex alternation fits both = and =~). */
    private void promql(String expr, String at) {
        String replaced = refs(expr, at);
        try {
            PromQLParser.parseExpr(replaced);
        } catch (ParseException e) {
            errors.add(at + ": " + e.getMessage());
        }
    }

    /** {@code text} with each variable reference replaced, after checking each names a variable. */
    private String refs(String text, String at) {
        Matcher m = VAR_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (!variables.contains(name)) {
                errors.add(at + ": $" + name + " is no variable of the dashboard");
            }
            m.appendReplacement(out, "a|b");
        }
        return m.appendTail(out).toString();
    }

    private void keys(JsonNode node, Set<String> allowed, String at) {
        if (!node.isObject()) {
            errors.add((at.isEmpty() ? "" : at + ": ") + "a mapping is required");
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                errors.add((at.isEmpty() ? "" : at + ".") + k + ": unknown field (known: " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private boolean text(JsonNode node, String field, String at, Pattern shape) {
        JsonNode v = node.path(field);
        if (!v.isTextual() || v.asText().isBlank()) {
            errors.add(at + ": a non-empty string is required");
            return false;
        }
        if (shape != null && !shape.matcher(v.asText()).matches()) {
            errors.add(at + ": \"" + v.asText() + "\" does not match " + shape.pattern());
            return false;
        }
        return true;
    }

    private void bool(JsonNode node, String field, String at) {
        if (node.has(field) && !node.get(field).isBoolean()) {
            errors.add(at + "." + field + ": " + node.get(field) + " is not true or false");
        }
    }
}
