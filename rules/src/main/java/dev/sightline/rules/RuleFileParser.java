package dev.sightline.rules;
import dev.sightline.core.text.PromDurations;

import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.rules.YamlNode.Entry;
import dev.sightline.rules.YamlNode.MapNode;
import dev.sightline.rules.YamlNode.Scalar;
import dev.sightline.rules.YamlNode.Seq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads rule files in Prometheus's format (model/rulefmt): {@code groups:} of {@code name, interval, limit,
 * query_offset, rules}; each rule {@code record} or {@code alert}, {@code expr}, {@code for}, {@code keep_firing_for},
 * {@code labels}, {@code annotations}; group {@code labels} are added to each rule of the group. Every problem is
 * collected with its line; a file with any error yields no groups. Names are checked against the classic (pre-UTF-8) metric and label name syntax.
 * <p>
 * One addition, Sightline's own: a group's {@code query_language} ({@code promql}, the default, or {@code logql})
 * says what its expressions are written in. Neither Prometheus's nor Loki's format has such a field (each ruler
 * takes one language), so it is the only key added and everything else stays as strict as Prometheus's. Expressions
 * of a language other than PromQL are checked by that language's {@link RuleLanguage}; without one they cannot be
 * checked and the file fails.
 */
public final class RuleFileParser {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> FILE_KEYS = Set.of("groups");
    private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "limit", "query_offset", "rules", "labels",
            "query_language");
    /** The {@code query_language} of groups without one. */
    public static final String PROMQL = "promql";
    /** The {@code query_language} of log rules: LogQL metric queries, as Loki's ruler takes them. */
    public static final String LOGQL = "logql";
    private static final List<String> LANGUAGES = List.of(PROMQL, LOGQL);
    private static final Set<String> RULE_KEYS = Set.of("record", "alert", "expr", "for", "keep_firing_for", "labels",
            "annotations");

    /** The groups of one file, or the errors that made it invalid (then groups is empty). */
    public record Result(String file, List<RuleGroupConfig> groups, List<RuleError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }

        public int ruleCount() {
            return groups.stream().mapToInt(g -> g.rules().size()).sum();
        }
    }

    private RuleFileParser() {
    }

    public static Result parseFile(Path path) {
        return parseFile(path, Map.of());
    }

    /** Parses with {@code languages} checking the expressions of groups in other query languages, by name. */
    public static Result parseFile(Path path, Map<String, RuleLanguage> languages) {
        String file = path.toString();
        try {
            return parse(file, Files.readAllBytes(path), languages);
        } catch (IOException e) {
            return new Result(file, List.of(), List.of(new RuleError(file, 0, "cannot read rule file: " + e)));
        }
    }

    public static Result parse(String file, byte[] content) {
        return parse(file, content, Map.of());
    }

    public static Result parse(String file, byte[] content, Map<String, RuleLanguage> languages) {
        List<RuleError> errors = new ArrayList<>();
        List<RuleGroupConfig> groups = new ArrayList<>();
        YamlNode root;
        try {
            root = YamlNode.parse(content);
        } catch (YamlNode.YamlException e) {
            return new Result(file, List.of(), List.of(new RuleError(file, e.line(), e.getMessage())));
        }
        if (root == null) {
            return new Result(file, List.of(), List.of());
        }
        if (!(root instanceof MapNode top)) {
            return new Result(file, List.of(), List.of(new RuleError(file, root.line(),
                    "yaml: cannot unmarshal " + kind(root) + " into rulefmt.RuleGroups")));
        }
        unknownKeys(file, top, FILE_KEYS, "rulefmt.RuleGroups", errors);
        Entry groupsEntry = top.entries().get("groups");
        if (groupsEntry != null && !(groupsEntry.value() instanceof Scalar s && s.isNull())) {
            if (!(groupsEntry.value() instanceof Seq seq)) {
                errors.add(new RuleError(file, groupsEntry.keyLine(), "groups must be a list"));
            } else {
                Set<String> names = new HashSet<>();
                for (YamlNode g : seq.items()) {
                    RuleGroupConfig group = group(file, g, names, languages, errors);
                    if (group != null) {
                        groups.add(group);
                    }
                }
            }
        }
        return errors.isEmpty() ? new Result(file, List.copyOf(groups), List.of())
                : new Result(file, List.of(), List.copyOf(errors));
    }

    private static RuleGroupConfig group(String file, YamlNode node, Set<String> names,
                                         Map<String, RuleLanguage> languages, List<RuleError> errors) {
        if (!(node instanceof MapNode m)) {
            errors.add(new RuleError(file, node.line(), "yaml: cannot unmarshal " + kind(node) + " into rulefmt.RuleGroup"));
            return null;
        }
        int before = errors.size();
        unknownKeys(file, m, GROUP_KEYS, "rulefmt.RuleGroup", errors);
        String name = scalar(file, m, "name", errors);
        if (name == null || name.isEmpty()) {
            errors.add(new RuleError(file, m.line(), "Groupname must not be empty"));
        } else if (!names.add(name)) {
            errors.add(new RuleError(file, m.line(), "groupname: \"" + name + "\" is repeated in the same file"));
        }
        // Group labels (Prometheus 3) apply to every rule of the group; a rule's own label of the same name wins.
        Map<String, Template> groupLabels = templates(file, m, "labels", "__group_" + name, errors, true);
        String language = scalar(file, m, "query_language", errors);
        if (language == null || language.isEmpty()) {
            language = PROMQL;
        } else if (!LANGUAGES.contains(language)) {
            errors.add(new RuleError(file, m.entries().get("query_language").keyLine(), "unknown query_language \""
                    + language + "\": must be one of " + String.join(", ", LANGUAGES)));
            // Its rules are still read for their other errors; their expressions cannot be checked.
            language = null;
        }
        long interval = duration(file, m, "interval", errors);
        long queryOffset = duration(file, m, "query_offset", errors);
        int limit = 0;
        String limitText = scalar(file, m, "limit", errors);
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
                if (limit < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                errors.add(new RuleError(file, m.entries().get("limit").keyLine(), "invalid limit " + limitText
                        + ": must be a non-negative integer"));
            }
        }
        List<RuleConfig> rules = new ArrayList<>();
        Entry rulesEntry = m.entries().get("rules");
        if (rulesEntry != null && !(rulesEntry.value() instanceof Scalar s && s.isNull())) {
            if (rulesEntry.value() instanceof Seq seq) {
                for (YamlNode r : seq.items()) {
                    RuleConfig rule = rule(file, name, language, languages, r, errors);
                    if (rule != null) {
                        rules.add(groupLabels.isEmpty() ? rule : withGroupLabels(rule, groupLabels));
                    }
                }
            } else {
                errors.add(new RuleError(file, rulesEntry.keyLine(), "rules must be a list"));
            }
        }
        return errors.size() > before ? null
                : new RuleGroupConfig(file, name, interval, limit, queryOffset, List.copyOf(rules), m.line());
    }

    private static RuleConfig withGroupLabels(RuleConfig r, Map<String, Template> groupLabels) {
        Map<String, Template> labels = new LinkedHashMap<>(groupLabels);
        labels.putAll(r.labels());
        return new RuleConfig(r.record(), r.alert(), r.exprText(), r.expr(), r.forMs(), r.keepFiringForMs(), labels,
                r.annotations(), r.line());
    }

    private static RuleConfig rule(String file, String group, String language, Map<String, RuleLanguage> languages,
                                   YamlNode node, List<RuleError> errors) {
        if (!(node instanceof MapNode m)) {
            errors.add(new RuleError(file, node.line(), "yaml: cannot unmarshal " + kind(node) + " into rulefmt.Rule"));
            return null;
        }
        int before = errors.size();
        int line = m.line();
        unknownKeys(file, m, RULE_KEYS, "rulefmt.Rule", errors);
        String record = scalar(file, m, "record", errors);
        String alert = scalar(file, m, "alert", errors);
        String exprText = scalar(file, m, "expr", errors);
        String where = " (group \"" + group + "\")";
        if (record == null && alert == null || "".equals(record) && alert == null || record == null && "".equals(alert)) {
            errors.add(new RuleError(file, line, "one of 'record' or 'alert' must be set" + where));
        } else if (record != null && alert != null) {
            errors.add(new RuleError(file, line, "only one of 'record' and 'alert' must be set" + where));
        }
        RuleExpr expr = null;
        if (exprText == null || exprText.isEmpty()) {
            errors.add(new RuleError(file, line, "field 'expr' must be set in rule" + where));
        } else if (language != null) {
            expr = expression(file, m.entries().get("expr").keyLine(), exprText, language, languages, errors);
        }
        if (record != null && !record.isEmpty()) {
            if (!METRIC_NAME.matcher(record).matches()) {
                errors.add(new RuleError(file, m.entries().get("record").keyLine(), "invalid recording rule name: " + record));
            }
            for (String field : new String[]{"for", "keep_firing_for", "annotations"}) {
                if (m.entries().containsKey(field)) {
                    errors.add(new RuleError(file, m.entries().get(field).keyLine(),
                            "invalid field '" + field + "' in recording rule"));
                }
            }
        }
        if (alert != null && !alert.isEmpty() && !LABEL_NAME.matcher(alert).matches()) {
            errors.add(new RuleError(file, m.entries().get("alert").keyLine(), "invalid alert name: " + alert));
        }
        long forMs = duration(file, m, "for", errors);
        long keepFiringForMs = duration(file, m, "keep_firing_for", errors);
        String templateName = alert != null ? "__alert_" + alert : "__record_" + record;
        Map<String, Template> labels = templates(file, m, "labels", templateName, errors, true);
        Map<String, Template> annotations = templates(file, m, "annotations", templateName, errors, false);
        if (errors.size() > before) {
            return null;
        }
        return new RuleConfig(record, alert, exprText, expr, forMs, keepFiringForMs, labels, annotations, line);
    }

    /** The expression parsed (PromQL) or checked by its language; null after adding the error. */
    private static RuleExpr expression(String file, int line, String text, String language,
                                       Map<String, RuleLanguage> languages, List<RuleError> errors) {
        try {
            if (language.equals(PROMQL)) {
                return new RuleExpr.PromQl(PromQLParser.parseExpr(text));
            }
            RuleLanguage checker = languages.get(language);
            if (checker == null) {
                errors.add(new RuleError(file, line, "cannot check expression: no " + language
                        + " parser in this build, so query_language " + language + " rules cannot be loaded"));
                return null;
            }
            checker.check(text);
            return new RuleExpr.External(language, text);
        } catch (ParseException | RuleLanguage.InvalidExpression e) {
            errors.add(new RuleError(file, line, "could not parse expression: " + e.getMessage()));
            return null;
        }
    }

    private static Map<String, Template> templates(String file, MapNode m, String key, String templateName,
                                                   List<RuleError> errors, boolean areLabels) {
        Map<String, Template> out = new LinkedHashMap<>();
        Entry entry = m.entries().get(key);
        if (entry == null || entry.value() instanceof Scalar s && s.isNull()) {
            return out;
        }
        if (!(entry.value() instanceof MapNode map)) {
            errors.add(new RuleError(file, entry.keyLine(), key + " must be a map of names to strings"));
            return out;
        }
        for (Map.Entry<String, Entry> e : map.entries().entrySet()) {
            String name = e.getKey();
            int line = e.getValue().keyLine();
            if (!LABEL_NAME.matcher(name).matches()) {
                errors.add(new RuleError(file, line, (areLabels ? "invalid label name: " : "invalid annotation name: ") + name));
                continue;
            }
            if (areLabels && name.equals("__name__")) {
                errors.add(new RuleError(file, line, "invalid label name: __name__"));
                continue;
            }
            if (!(e.getValue().value() instanceof Scalar s)) {
                errors.add(new RuleError(file, line, key + "." + name + " must be a string"));
                continue;
            }
            try {
                out.put(name, Template.parse(templateName, s.isNull() ? "" : s.text()));
            } catch (Template.TemplateException ex) {
                errors.add(new RuleError(file, line, ex.getMessage()));
            }
        }
        return out;
    }

    private static void unknownKeys(String file, MapNode m, Set<String> allowed, String type, List<RuleError> errors) {
        for (Map.Entry<String, Entry> e : m.entries().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                errors.add(new RuleError(file, e.getValue().keyLine(), "field " + e.getKey() + " not found in type " + type));
            }
        }
    }

    private static String scalar(String file, MapNode m, String key, List<RuleError> errors) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return null;
        }
        if (e.value() instanceof Scalar s) {
            return s.isNull() ? "" : s.text();
        }
        errors.add(new RuleError(file, e.keyLine(), "yaml: cannot unmarshal " + kind(e.value()) + " into " + key + " of type string"));
        return null;
    }

    private static long duration(String file, MapNode m, String key, List<RuleError> errors) {
        String text = scalar(file, m, key, errors);
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            return PromDurations.parseMillis(text);
        } catch (IllegalArgumentException e) {
            errors.add(new RuleError(file, m.entries().get(key).keyLine(), e.getMessage()));
            return 0;
        }
    }

    private static String kind(YamlNode n) {
        return switch (n) {
            case MapNode ignored -> "!!map";
            case Seq ignored -> "!!seq";
            case Scalar ignored -> "!!str";
        };
    }
}
