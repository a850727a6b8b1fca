package dev.sightline.server.rules;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.rules.Alert;
import dev.sightline.rules.AlertState;
import dev.sightline.rules.AlertingRule;
import dev.sightline.rules.RecordingRule;
import dev.sightline.rules.Rule;
import dev.sightline.rules.RuleExpr;
import dev.sightline.rules.RuleGroup;
import dev.sightline.rules.Template;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code /api/v1/rules} and {@code /api/v1/alerts}, in the JSON shapes Prometheus's API returns; with multitenancy
 * on, of the request's tenant only (as Mimir's ruler answers them).
 */
public final class RulesApi {
    private static final String JSON = "application/json";
    private final Tenants tenants;
    private final Function<String, List<RuleGroup>> groupsOf;

    /** {@code groupsOf} gives a tenant's running groups (tenant null: multitenancy off). */
    public RulesApi(Tenants tenants, Function<String, List<RuleGroup>> groupsOf) {
        this.tenants = tenants;
        this.groupsOf = groupsOf;
    }

    /** The request's tenant's groups; null after answering the tenant's refusal (401 without X-Scope-OrgID). */
    private List<RuleGroup> groups(RoutingContext ctx) {
        try {
            return groupsOf.apply(tenants.of(ctx.request()).id());
        } catch (TenantException e) {
            error(ctx, e.status(), e.status() == 401 ? "unauthorized" : "bad_data", e.getMessage());
            return null;
        }
    }

    private static void error(RoutingContext ctx, int status, String type, String message) {
        JsonObject err = new JsonObject().put("status", "error").put("errorType", type).put("error", message);
        HttpApi.respond(ctx, status, JSON, err.toBuffer());
    }

    void rules(RoutingContext ctx) {
        Filter filter;
        try {
            filter = Filter.of(ctx);
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "bad_data", e.getMessage());
            return;
        }
        List<RuleGroup> groups = groups(ctx);
        if (groups != null) {
            HttpApi.respond(ctx, 200, JSON, success(new JsonObject().put("groups", rulesJson(groups, filter))));
        }
    }

    /**
     * The filters of Prometheus's /api/v1/rules: {@code type} (alert|record), {@code rule_name[]},
     * {@code rule_group[]}, {@code file[]} (any listed value matches), {@code match[]} (selectors over the rule's
     * labels; any set matches) and {@code exclude_alerts}. Empty lists filter nothing.
     */
    public record Filter(String type, Set<String> ruleNames, Set<String> groups, Set<String> files,
                         List<List<LabelMatcher>> matchers, boolean excludeAlerts) {
        public static final Filter NONE = new Filter(null, Set.of(), Set.of(), Set.of(), List.of(), false);

        static Filter of(RoutingContext ctx) {
            String type = ctx.request().getParam("type");
            if (type != null && !type.isEmpty() && !type.equals("alert") && !type.equals("record")) {
                throw new IllegalArgumentException("not supported value \"" + type + "\"");
            }
            List<List<LabelMatcher>> matchers = new ArrayList<>();
            for (String m : ctx.queryParam("match[]")) {
                try {
                    matchers.add(PromQLParser.parseMetricSelector(m));
                } catch (ParseException e) {
                    throw new IllegalArgumentException("invalid parameter \"match[]\": " + e.getMessage());
                }
            }
            String exclude = ctx.request().getParam("exclude_alerts", "");
            if (!exclude.isEmpty() && !exclude.matches("(?i)true|false|[01]|t|f")) {
                throw new IllegalArgumentException("error converting exclude_alerts: strconv.ParseBool: parsing \""
                        + exclude + "\": invalid syntax");
            }
            return new Filter(type == null || type.isEmpty() ? null : type, Set.copyOf(ctx.queryParam("rule_name[]")),
                    Set.copyOf(ctx.queryParam("rule_group[]")), Set.copyOf(ctx.queryParam("file[]")), matchers,
                    exclude.matches("(?i)true|1|t"));
        }

        boolean keepsGroup(RuleGroup g) {
            return (groups.isEmpty() || groups.contains(g.name())) && (files.isEmpty() || files.contains(g.file()));
        }

        boolean keepsRule(Rule r) {
            if (type != null && r.config().isAlerting() != type.equals("alert")) {
                return false;
            }
            if (!ruleNames.isEmpty() && !ruleNames.contains(r.config().name())) {
                return false;
            }
            Map<String, Template> labels = r.config().labels();
            return matchers.isEmpty() || matchers.stream().anyMatch(set -> set.stream().allMatch(m -> {
                Template t = labels.get(m.name());
                return m.matches(t == null ? "" : t.source());
            }));
        }

        boolean filtersRules() {
            return type != null || !ruleNames.isEmpty() || !matchers.isEmpty();
        }
    }

    void alerts(RoutingContext ctx) {
        List<RuleGroup> groups = groups(ctx);
        if (groups != null) {
            HttpApi.respond(ctx, 200, JSON, success(new JsonObject().put("alerts", alertsJson(groups))));
        }
    }

    private static Buffer success(JsonObject data) {
        return new JsonObject().put("status", "success").put("data", data).toBuffer();
    }

    /** The {@code groups} array with what {@code filter} keeps; a group left without rules by a rule filter goes. */
    public static JsonArray rulesJson(List<RuleGroup> groups, Filter filter) {
        JsonArray out = new JsonArray();
        for (RuleGroup g : groups) {
            if (!filter.keepsGroup(g)) {
                continue;
            }
            JsonArray rules = new JsonArray();
            for (Rule r : g.rules()) {
                if (!filter.keepsRule(r)) {
                    continue;
                }
                if (r instanceof AlertingRule a) {
                    rules.add(alertingRule(a, filter.excludeAlerts()));
                } else if (r instanceof RecordingRule rec) {
                    rules.add(recordingRule(rec));
                }
            }
            if (rules.isEmpty() && filter.filtersRules()) {
                continue;
            }
            out.add(new JsonObject()
                    .put("name", g.name())
                    .put("file", g.file())
                    .put("rules", rules)
                    .put("interval", number(g.intervalMs() / 1000.0))
                    .put("limit", g.config().limit())
                    .put("evaluationTime", g.evaluationSeconds())
                    .put("lastEvaluation", time(g.lastEvaluationMs())));
        }
        return out;
    }

    private static JsonObject alertingRule(AlertingRule a, boolean excludeAlerts) {
        JsonObject o = new JsonObject()
                .put("state", a.state().apiName())
                .put("name", a.config().alert())
                .put("query", a.config().expr().display())
                .put("duration", number(a.config().forMs() / 1000.0))
                .put("keepFiringFor", number(a.config().keepFiringForMs() / 1000.0))
                .put("labels", templates(a.config().labels()))
                .put("annotations", templates(a.config().annotations()));
        if (!excludeAlerts) {
            JsonArray alerts = new JsonArray();
            for (Alert alert : a.alerts()) {
                if (alert.state() != AlertState.INACTIVE) {
                    alerts.add(alert(alert));
                }
            }
            o.put("alerts", alerts);
        }
        o.put("health", a.health());
        health(o, a);
        return o.put("type", "alerting");
    }

    private static JsonObject recordingRule(RecordingRule r) {
        JsonObject o = new JsonObject()
                .put("name", r.config().record())
                .put("query", r.config().expr().display());
        if (!r.config().labels().isEmpty()) {
            o.put("labels", templates(r.config().labels()));
        }
        o.put("health", r.health());
        health(o, r);
        return o.put("type", "recording");
    }

    private static void health(JsonObject o, Rule r) {
        // Sightline's own field: which engine runs a rule of another language (logql), so a UI graphs it there.
        if (r.config().expr() instanceof RuleExpr.External e) {
            o.put("queryLanguage", e.language());
        }
        if (!r.lastError().isEmpty()) {
            o.put("lastError", r.lastError());
        }
        o.put("evaluationTime", r.evaluationSeconds()).put("lastEvaluation", time(r.lastEvaluationMs()));
    }

    /** The {@code alerts} array of /api/v1/alerts: pending and firing alerts of every rule. */
    public static JsonArray alertsJson(List<RuleGroup> groups) {
        JsonArray out = new JsonArray();
        for (RuleGroup g : groups) {
            for (Rule r : g.rules()) {
                if (r instanceof AlertingRule a) {
                    for (Alert alert : a.alerts()) {
                        if (alert.state() != AlertState.INACTIVE) {
                            out.add(alert(alert));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static JsonObject alert(Alert a) {
        JsonObject o = new JsonObject()
                .put("labels", labels(a.labels()))
                .put("annotations", labels(a.annotations()))
                .put("state", a.state().apiName())
                .put("activeAt", time(a.activeAtMs()));
        if (a.keepFiringSinceMs() != 0) {
            o.put("keepFiringSince", time(a.keepFiringSinceMs()));
        }
        return o.put("value", GoFloats.formatE(a.value()));
    }

    private static JsonObject labels(Labels l) {
        JsonObject o = new JsonObject();
        l.forEach(o::put);
        return o;
    }

    private static JsonObject templates(Map<String, Template> m) {
        JsonObject o = new JsonObject();
        m.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> o.put(e.getKey(), e.getValue().source()));
        return o;
    }

    /** Go encodes float64 seconds without a trailing ".0" when integral. */
    private static Number number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Number) (long) v : (Number) v;
    }

    /** Go's time.RFC3339Nano in UTC (fraction without trailing zeros); Go's zero time when never set. */
    static String time(long ms) {
        if (ms == 0) {
            return "0001-01-01T00:00:00Z";
        }
        String s = Instant.ofEpochMilli(ms).toString();
        if (s.contains(".")) {
            s = s.replaceAll("0+Z$", "Z").replace(".Z", "Z");
        }
        return s;
    }
}
