package dev.sightline.server.dashboards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.util.List;

/**
 * One dashboard as code: the model the API answers and the YAML files hold (the same shape, keys in snake_case).
 * Instances are checked by {@link DashboardReader}; {@link #tree(boolean)} writes them back.
 */
public record Dashboard(String uid, String title, List<String> tags, String refresh, String range,
                        List<Variable> variables, List<Row> rows) {
    public static final String DEFAULT_RANGE = "1h";
    public static final int DEFAULT_SPAN = 6;
    public static final int DEFAULT_HEIGHT = 240;
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    public Dashboard {
        tags = List.copyOf(tags);
        variables = List.copyOf(variables);
        rows = List.copyOf(rows);
    }

    /**
     * A template variable: its values come from {@code query} ({@code label_values(...)}) or are the fixed
     * {@code values}; {@code regex} (optional) keeps the part of each value its first group captures, as Grafana's
     * variable regex does; {@code allValue} (optional) is what "All" stands for instead of every value joined.
     */
    public record Variable(String name, String label, String query, List<String> values, boolean multi,
                           boolean includeAll, String regex, String allValue) {
        public Variable {
            values = values == null ? null : List.copyOf(values);
        }
    }

    /** A row of panels; {@code repeat} names a variable the row is drawn once per selected value of. */
    public record Row(String title, boolean collapsed, String repeat, List<Panel> panels) {
        public Row {
            panels = List.copyOf(panels);
        }
    }

    /**
     * A panel: {@code span} in twelfths of the width, {@code height} in pixels, {@code timeShift} a duration the
     * panel's range is moved back by, {@code repeat} a variable the panel is drawn once per selected value of;
     * {@code options} per type (checked by {@link PanelOptions}).
     */
    public record Panel(String title, String type, int span, int height, String timeShift, String description,
                        String repeat, List<Target> targets, ObjectNode options) {
        public Panel {
            targets = List.copyOf(targets);
            options = options == null ? JsonNodeFactory.instance.objectNode() : options.deepCopy();
        }
    }

    /** One query of a panel and its legend template ({@code {{label}}} replaced by the series' label). */
    public record Target(String expr, String legend) {
    }

    /**
     * The model as a tree. {@code full}: every key, nulls included (the API's JSON, a stable shape for the UI);
     * otherwise what a person writes: defaults and empty values left out (the YAML to save).
     */
    public ObjectNode tree(boolean full) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("uid", uid);
        o.put("title", title);
        if (full || !tags.isEmpty()) {
            ArrayNode t = o.putArray("tags");
            tags.forEach(t::add);
        }
        put(o, "refresh", refresh, full);
        o.putObject("time").put("range", range);
        if (full || !variables.isEmpty()) {
            ArrayNode vs = o.putArray("variables");
            for (Variable v : variables) {
                ObjectNode n = vs.addObject();
                n.put("name", v.name());
                put(n, "label", v.label(), full);
                put(n, "query", v.query(), full);
                if (v.values() != null) {
                    ArrayNode values = n.putArray("values");
                    v.values().forEach(values::add);
                } else if (full) {
                    n.putNull("values");
                }
                flag(n, "multi", v.multi(), full);
                flag(n, "include_all", v.includeAll(), full);
                put(n, "regex", v.regex(), full);
                put(n, "all_value", v.allValue(), full);
            }
        }
        ArrayNode rs = o.putArray("rows");
        for (Row r : rows) {
            ObjectNode n = rs.addObject();
            if (full || !r.title().isEmpty()) {
                n.put("title", r.title());
            }
            flag(n, "collapsed", r.collapsed(), full);
            put(n, "repeat", r.repeat(), full);
            ArrayNode ps = n.putArray("panels");
            for (Panel p : r.panels()) {
                ps.add(panel(p, full));
            }
        }
        return o;
    }

    static ObjectNode panel(Panel p, boolean full) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("title", p.title());
        n.put("type", p.type());
        if (full || p.span() != DEFAULT_SPAN) {
            n.put("span", p.span());
        }
        if (full || p.height() != DEFAULT_HEIGHT) {
            n.put("height", p.height());
        }
        put(n, "time_shift", p.timeShift(), full);
        if (full || !p.description().isEmpty()) {
            n.put("description", p.description());
        }
        put(n, "repeat", p.repeat(), full);
        ArrayNode ts = n.putArray("targets");
        for (Target t : p.targets()) {
            ObjectNode tn = ts.addObject().put("expr", t.expr());
            put(tn, "legend", t.legend(), full);
        }
        if (full || !p.options().isEmpty()) {
            n.set("options", p.options().deepCopy());
        }
        return n;
    }

    private static void put(ObjectNode n, String key, String value, boolean full) {
        if (value != null) {
            n.put(key, value);
        } else if (full) {
            n.putNull(key);
        }
    }

    private static void flag(ObjectNode n, String key, boolean value, boolean full) {
        if (full || value) {
            n.put(key, value);
        }
    }

    /** The YAML file that holds this dashboard: what {@link DashboardReader#yaml} reads back to an equal one. */
    public String yaml() {
        try {
            return YAML.writeValueAsString(tree(false));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        }
    }

    /** Every panel, row by row. */
    public List<Panel> panels() {
        return rows.stream().flatMap(r -> r.panels().stream()).toList();
    }
}
