package dev.sightline.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.core.text.Regex;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.dashboards.Dashboard.Panel;
import dev.sightline.server.dashboards.Dashboard.Row;
import dev.sightline.server.dashboards.Dashboard.Target;
import dev.sightline.server.dashboards.Dashboard.Variable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static dev.sightline.server.dashboards.PanelOptions.require;

/**
 * Reads a dashboard in the model's shape (a YAML file, or the model's JSON) and checks every key: unknown keys,
 * values of the wrong kind, spans outside 1-12, a repeat naming no variable are errors at their FILE:LINE:COL.
 * Optional keys may be absent or null.
 */
public final class DashboardReader {
    /** A uid is a URL path segment and a file name: letters, digits, '_' and '-'. */
    static final Pattern UID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** A panel type names its module ui/panels/&lt;type&gt;.js, so it must be a plain file name. */
    static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int MIN_HEIGHT = 60;
    private static final int MAX_HEIGHT = 4000;

    private DashboardReader() {
    }

    /** A YAML dashboard file; {@code defaultUid} (from the file name) is used when the file names none. */
    public static Dashboard yaml(String file, byte[] content, String defaultUid) throws ConfigException {
        return read(LocatedTree.yaml(file, content), defaultUid);
    }

    /** The model's JSON (what the API answers, or what the panel editor sends). */
    public static Dashboard json(String name, byte[] content) throws ConfigException {
        return read(LocatedTree.json(name, content), null);
    }

    static Dashboard read(LocatedTree tree, String defaultUid) throws ConfigException {
        ObjectNode root = object(tree, "", tree.root, Set.of("uid", "title", "tags", "refresh", "time", "variables", "rows"));
        String uid = string(tree, "uid", root.get("uid"));
        if (uid == null) {
            require(tree, "uid", defaultUid != null, "uid is missing");
            uid = defaultUid;
        }
        require(tree, "uid", UID.matcher(uid).matches(), "\"" + uid + "\" is not a uid: use 1 to 64 letters, digits, '_' or '-'");
        String title = string(tree, "title", root.get("title"));
        String refresh = string(tree, "refresh", root.get("refresh"));
        if (refresh != null) {
            PanelOptions.duration(tree, "refresh", refresh);
        }
        String range = Dashboard.DEFAULT_RANGE;
        JsonNode time = root.get("time");
        if (!isNull(time)) {
            ObjectNode t = object(tree, "time", time, Set.of("range"));
            String r = string(tree, "time.range", t.get("range"));
            if (r != null) {
                PanelOptions.duration(tree, "time.range", r);
                range = r;
            }
        }
        List<Variable> variables = new ArrayList<>();
        Set<String> names = new HashSet<>();
        JsonNode vs = list(tree, "variables", root.get("variables"));
        for (int i = 0; i < vs.size(); i++) {
            Variable v = variable(tree, "variables[" + i + "]", vs.get(i));
            require(tree, "variables[" + i + "].name", names.add(v.name()), "variable \"" + v.name() + "\" is defined twice");
            variables.add(v);
        }
        List<Row> rows = new ArrayList<>();
        JsonNode rs = list(tree, "rows", root.get("rows"));
        for (int i = 0; i < rs.size(); i++) {
            rows.add(row(tree, "rows[" + i + "]", rs.get(i), names));
        }
        return new Dashboard(uid, title == null ? uid : title, strings(tree, "tags", root.get("tags")), refresh, range,
                variables, rows);
    }

    private static Variable variable(LocatedTree tree, String path, JsonNode node) throws ConfigException {
        ObjectNode v = object(tree, path, node, Set.of("name", "label", "query", "values", "multi", "include_all", "regex", "all_value"));
        String name = string(tree, path + ".name", v.get("name"));
        require(tree, path, name != null, "name is missing");
        require(tree, path + ".name", VARIABLE_NAME.matcher(name).matches(), "\"" + name + "\" is not a variable name");
        String query = string(tree, path + ".query", v.get("query"));
        List<String> values = isNull(v.get("values")) ? null : strings(tree, path + ".values", v.get("values"));
        require(tree, path, query != null || values != null, "a variable needs a query (label_values(...)) or values");
        require(tree, path + ".values", query == null || values == null, "give a query or values, not both");
        String regex = string(tree, path + ".regex", v.get("regex"));
        if (regex != null) {
            try {
                Regex.compile(regex, 0);
            } catch (PatternSyntaxException e) {
                throw tree.error(path + ".regex", "invalid regular expression: " + e.getDescription());
            }
        }
        return new Variable(name, string(tree, path + ".label", v.get("label")), query, values,
                bool(tree, path + ".multi", v.get("multi")), bool(tree, path + ".include_all", v.get("include_all")),
                regex, string(tree, path + ".all_value", v.get("all_value")));
    }

    private static Row row(LocatedTree tree, String path, JsonNode node, Set<String> variables) throws ConfigException {
        ObjectNode r = object(tree, path, node, Set.of("title", "collapsed", "repeat", "panels"));
        String repeat = repeat(tree, path + ".repeat", r.get("repeat"), variables);
        List<Panel> panels = new ArrayList<>();
        JsonNode ps = list(tree, path + ".panels", r.get("panels"));
        for (int i = 0; i < ps.size(); i++) {
            panels.add(panel(tree, path + ".panels[" + i + "]", ps.get(i), variables));
        }
        String title = string(tree, path + ".title", r.get("title"));
        return new Row(title == null ? "" : title, bool(tree, path + ".collapsed", r.get("collapsed")), repeat, panels);
    }

    private static Panel panel(LocatedTree tree, String path, JsonNode node, Set<String> variables) throws ConfigException {
        ObjectNode p = object(tree, path, node,
                Set.of("title", "type", "span", "height", "time_shift", "description", "repeat", "targets", "options"));
        String type = string(tree, path + ".type", p.get("type"));
        require(tree, path, type != null, "type is missing");
        require(tree, path + ".type", TYPE.matcher(type).matches(),
                "\"" + type + "\" is not a panel type (lower-case letters, digits, '_' or '-')");
        int span = integer(tree, path + ".span", p.get("span"), Dashboard.DEFAULT_SPAN, 1, 12);
        int height = integer(tree, path + ".height", p.get("height"), Dashboard.DEFAULT_HEIGHT, MIN_HEIGHT, MAX_HEIGHT);
        String shift = string(tree, path + ".time_shift", p.get("time_shift"));
        if (shift != null) {
            PanelOptions.duration(tree, path + ".time_shift", shift);
        }
        List<Target> targets = new ArrayList<>();
        JsonNode ts = list(tree, path + ".targets", p.get("targets"));
        for (int i = 0; i < ts.size(); i++) {
            String tp = path + ".targets[" + i + "]";
            ObjectNode t = object(tree, tp, ts.get(i), Set.of("expr", "legend"));
            String expr = string(tree, tp + ".expr", t.get("expr"));
            require(tree, tp, expr != null && !expr.isBlank(), "expr is missing");
            targets.add(new Target(expr, string(tree, tp + ".legend", t.get("legend"))));
        }
        ObjectNode options = isNull(p.get("options")) ? null : object(tree, path + ".options", p.get("options"), null);
        if (options != null) {
            PanelOptions.check(tree, path + ".options", type, options);
        }
        String title = string(tree, path + ".title", p.get("title"));
        String description = string(tree, path + ".description", p.get("description"));
        return new Panel(title == null ? "" : title, type, span, height, shift, description == null ? "" : description,
                repeat(tree, path + ".repeat", p.get("repeat"), variables), targets, options);
    }

    private static String repeat(LocatedTree tree, String path, JsonNode node, Set<String> variables) throws ConfigException {
        String repeat = string(tree, path, node);
        require(tree, path, repeat == null || variables.contains(repeat),
                "repeat names \"" + repeat + "\", which is no variable of this dashboard");
        return repeat;
    }

    /** A mapping with only the {@code keys} given (any keys when null). */
    private static ObjectNode object(LocatedTree tree, String path, JsonNode node, Set<String> keys) throws ConfigException {
        require(tree, path, node != null && node.isObject(), "expected a mapping of keys");
        if (keys != null) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!keys.contains(e.getKey())) {
                    throw tree.error(path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
                            "unknown key (known: " + String.join(", ", new TreeSet<>(keys)) + ")");
                }
            }
        }
        return (ObjectNode) node;
    }

    /** A list; absent or null is an empty one. */
    private static JsonNode list(LocatedTree tree, String path, JsonNode node) throws ConfigException {
        if (isNull(node)) {
            return JsonNodeFactory.instance.arrayNode();
        }
        require(tree, path, node.isArray(), "expected a list");
        return node;
    }

    private static String string(LocatedTree tree, String path, JsonNode node) throws ConfigException {
        if (isNull(node)) {
            return null;
        }
        require(tree, path, node.isTextual() || node.isNumber(), "expected a string");
        return node.asText();
    }

    private static List<String> strings(LocatedTree tree, String path, JsonNode node) throws ConfigException {
        JsonNode l = list(tree, path, node);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            String s = string(tree, path + "[" + i + "]", l.get(i));
            require(tree, path + "[" + i + "]", s != null, "expected a string");
            out.add(s);
        }
        return out;
    }

    private static boolean bool(LocatedTree tree, String path, JsonNode node) throws ConfigException {
        if (isNull(node)) {
            return false;
        }
        require(tree, path, node.isBoolean(), "expected true or false");
        return node.booleanValue();
    }

    private static int integer(LocatedTree tree, String path, JsonNode node, int dflt, int min, int max) throws ConfigException {
        if (isNull(node)) {
            return dflt;
        }
        require(tree, path, node.isIntegralNumber() && node.asLong() >= min && node.asLong() <= max,
                "expected a whole number from " + min + " to " + max);
        return node.asInt();
    }

    static boolean isNull(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }
}
