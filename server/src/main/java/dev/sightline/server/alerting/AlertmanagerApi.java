package dev.sightline.server.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.alerting.Alert;
import dev.sightline.alerting.Dispatcher;
import dev.sightline.alerting.AlertmanagerJson;
import dev.sightline.alerting.Matchers;
import dev.sightline.alerting.Notification;
import dev.sightline.alerting.NotificationHistory;
import dev.sightline.alerting.Silence;
import dev.sightline.alerting.Silences;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.config.ConfigYaml;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Alertmanager's API v2 subset, in its JSON shapes: {@code /api/v2/alerts} (GET with filter, active, silenced,
 * inhibited, receiver; POST of postable alerts, so Prometheus can use Sightline as its Alertmanager),
 * {@code /api/v2/alerts/groups} (same parameters), {@code /api/v2/receivers},
 * {@code /api/v2/silences} (GET with filter; POST creates or updates and answers {silenceID}),
 * {@code /api/v2/silence/{id}} (GET, DELETE) and {@code /api/v2/status}. Errors are JSON strings, as Alertmanager's.
 * Besides, Sightline's {@code /api/v1/notifications}: the recent notifications and their outcome. With multitenancy
 * on, every request reads and changes the Alertmanager of its {@code X-Scope-OrgID} tenant only.
 */
final class AlertmanagerApi {
    private static final String JSON = "application/json";

    private final AlertingService service;
    private final Tenants tenants;
    private final LongSupplier clockMs;
    private final long maxBodyBytes;

    AlertmanagerApi(AlertingService service, Tenants tenants, LongSupplier clockMs, long maxBodyBytes) {
        this.service = service;
        this.tenants = tenants;
        this.clockMs = clockMs;
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(HttpApi api) {
        api.get("/api/v2/alerts", this::getAlerts);
        api.get("/api/v2/alerts/groups", this::getAlertGroups);
        api.get("/api/v2/receivers", this::getReceivers);
        // Bodies are bounded like every other request body (limits.max_request_body_bytes).
        api.post("/api/v2/alerts", maxBodyBytes, this::postAlerts);
        api.get("/api/v2/silences", this::getSilences);
        api.post("/api/v2/silences", maxBodyBytes, this::postSilence);
        api.get("/api/v2/silence/:silenceID", this::getSilence);
        api.delete("/api/v2/silence/:silenceID", this::deleteSilence);
        api.get("/api/v2/status", this::status);
        api.get("/api/v1/notifications", this::notifications);
    }

    /** The request's tenant's Alertmanager; null after answering why there is none (401 without X-Scope-OrgID). */
    private AlertingService.Instance instance(RoutingContext ctx) {
        try {
            return service.instance(tenants.of(ctx.request()).id());
        } catch (TenantException e) {
            error(ctx, e.status(), e.getMessage());
        } catch (UncheckedIOException e) {
            error(ctx, 500, e.getMessage());
        }
        return null;
    }

    private static void json(RoutingContext ctx, int status, JsonNode body) {
        HttpApi.respond(ctx, status, JSON, Buffer.buffer(body.toString()));
    }

    private static void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, AlertmanagerJson.MAPPER.getNodeFactory().textNode(message));
    }

    /** The {@code filter} parameters as matchers (each {@code name="value"}, braces allowed); null after a 400. */
    private static List<LabelMatcher> filter(RoutingContext ctx) {
        List<LabelMatcher> out = new ArrayList<>();
        for (String f : ctx.queryParam("filter")) {
            String s = f.strip();
            if (s.startsWith("{") && s.endsWith("}")) {
                s = s.substring(1, s.length() - 1);
            }
            if (s.isEmpty()) {
                continue;
            }
            try {
                out.add(Matchers.parse(s));
            } catch (IllegalArgumentException e) {
                error(ctx, 400, "bad matcher format: " + f + ": " + e.getMessage());
                return null;
            }
        }
        return out;
    }

    private static boolean flag(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        return v == null || !v.equalsIgnoreCase("false");
    }

    /** The query parameters GET alerts and alerts/groups share. */
    private record AlertQuery(List<LabelMatcher> filter, Pattern receiver, boolean active, boolean silenced, boolean inhibited) {
        /** Parses them; null after answering 400. */
        static AlertQuery of(RoutingContext ctx) {
            List<LabelMatcher> filter = AlertmanagerApi.filter(ctx);
            if (filter == null) {
                return null;
            }
            Pattern receiver;
            try {
                String r = ctx.request().getParam("receiver");
                receiver = r == null || r.isEmpty() ? null : Pattern.compile("^(?:" + r + ")$");
            } catch (PatternSyntaxException e) {
                error(ctx, 400, "failed to parse receiver param: " + e.getDescription());
                return null;
            }
            return new AlertQuery(filter, receiver, flag(ctx, "active"), flag(ctx, "silenced"), flag(ctx, "inhibited"));
        }

        boolean receiverMatches(String name) {
            return receiver == null || receiver.matcher(name).matches();
        }

        boolean accepts(Dispatcher.AlertStatus s) {
            return filter.stream().allMatch(m -> Matchers.matches(m, s.alert().labels()))
                    && (active || s.muted())
                    && (silenced || s.silencedBy().isEmpty())
                    && (inhibited || s.inhibitedBy().isEmpty());
        }
    }

    private void getAlerts(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        AlertQuery q = am == null ? null : AlertQuery.of(ctx);
        if (q == null) {
            return;
        }
        ArrayNode out = AlertmanagerJson.MAPPER.createArrayNode();
        for (Dispatcher.AlertStatus s : am.dispatcher().alerts()) {
            if (q.accepts(s) && (q.receiver() == null || s.receivers().stream().anyMatch(q::receiverMatches))) {
                out.add(gettableAlert(s));
            }
        }
        json(ctx, 200, out);
    }

    /** Alertmanager's alerts/groups: each aggregation group with its receiver and the alerts the query accepts. */
    private void getAlertGroups(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        AlertQuery q = am == null ? null : AlertQuery.of(ctx);
        if (q == null) {
            return;
        }
        ArrayNode out = AlertmanagerJson.MAPPER.createArrayNode();
        for (Dispatcher.GroupStatus g : am.dispatcher().groups()) {
            if (!q.receiverMatches(g.receiver())) {
                continue;
            }
            ArrayNode alerts = AlertmanagerJson.MAPPER.createArrayNode();
            g.alerts().stream().filter(q::accepts).forEach(s -> alerts.add(gettableAlert(s)));
            if (!alerts.isEmpty()) {
                ObjectNode o = out.addObject();
                o.set("labels", AlertmanagerJson.labels(g.labels()));
                o.putObject("receiver").put("name", g.receiver());
                o.set("alerts", alerts);
            }
        }
        json(ctx, 200, out);
    }

    private static ObjectNode gettableAlert(Dispatcher.AlertStatus s) {
        Alert a = s.alert();
        ObjectNode o = AlertmanagerJson.MAPPER.createObjectNode();
        o.set("annotations", AlertmanagerJson.labels(a.annotations()));
        o.put("endsAt", AlertmanagerJson.apiTime(a.endsAtMs()));
        o.put("fingerprint", a.fingerprintHex());
        ArrayNode receivers = o.putArray("receivers");
        s.receivers().forEach(r -> receivers.addObject().put("name", r));
        o.put("startsAt", AlertmanagerJson.apiTime(a.startsAtMs()));
        ObjectNode st = o.putObject("status");
        st.put("state", s.muted() ? "suppressed" : "active");
        ArrayNode sb = st.putArray("silencedBy");
        s.silencedBy().forEach(sb::add);
        ArrayNode ib = st.putArray("inhibitedBy");
        s.inhibitedBy().forEach(ib::add);
        o.put("updatedAt", AlertmanagerJson.apiTime(a.updatedAtMs()));
        o.put("generatorURL", a.generatorUrl());
        o.set("labels", AlertmanagerJson.labels(a.labels()));
        return o;
    }

    private void getReceivers(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        if (am == null) {
            return;
        }
        ArrayNode out = AlertmanagerJson.MAPPER.createArrayNode();
        var config = am.dispatcher().config();
        if (config != null) {
            config.receivers().forEach(r -> out.addObject().put("name", r.name()));
        }
        json(ctx, 200, out);
    }

    private void postAlerts(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        if (am == null) {
            return;
        }
        List<Alert> alerts = new ArrayList<>();
        try {
            JsonNode body = AlertmanagerJson.MAPPER.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            if (body == null || !body.isArray()) {
                throw new IllegalArgumentException("expected a JSON list of alerts");
            }
            for (int i = 0; i < body.size(); i++) {
                try {
                    alerts.add(postableAlert(body.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("alerts[" + i + "]: " + e.getMessage(), e);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        service.receive(am, alerts);
        HttpApi.respond(ctx, 200, JSON, Buffer.buffer());
    }

    private static Alert postableAlert(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("expected an alert object");
        }
        Labels labels = AlertmanagerJson.parseLabels(n, "labels");
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("labels: at least one label pair required");
        }
        labels.forEach((name, value) -> {
            if (!LabelLimits.isLegacyName(name, false)) {
                throw new IllegalArgumentException("labels: invalid label name \"" + name + "\"");
            }
        });
        long start = AlertmanagerJson.parseTime(n, "startsAt");
        long end = AlertmanagerJson.parseTime(n, "endsAt");
        if (start != 0 && end != 0 && end < start) {
            throw new IllegalArgumentException("endsAt: start time must be before end time");
        }
        String url = n.path("generatorURL").asText("");
        return new Alert(labels, AlertmanagerJson.parseLabels(n, "annotations"), start, end, url, 0);
    }

    private ObjectNode gettableSilence(Silence s, long now) {
        ObjectNode o = AlertmanagerJson.silence(s);
        o.putObject("status").put("state", s.state(now).apiName());
        return o;
    }

    private void getSilences(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        List<LabelMatcher> filter = am == null ? null : filter(ctx);
        if (filter == null) {
            return;
        }
        long now = clockMs.getAsLong();
        List<Silence> all = new ArrayList<>(am.silences().list());
        // Alertmanager's order: active (soonest end first), pending (soonest start first), expired (latest end first).
        all.sort(Comparator.<Silence>comparingInt(s -> switch (s.state(now)) {
            case ACTIVE -> 0;
            case PENDING -> 1;
            case EXPIRED -> 2;
        }).thenComparingLong(s -> switch (s.state(now)) {
            case ACTIVE -> s.endsAtMs();
            case PENDING -> s.startsAtMs();
            case EXPIRED -> -s.endsAtMs();
        }));
        ArrayNode out = AlertmanagerJson.MAPPER.createArrayNode();
        for (Silence s : all) {
            if (matchesFilter(s, filter)) {
                out.add(gettableSilence(s, now));
            }
        }
        json(ctx, 200, out);
    }

    /** As Alertmanager: the filter is applied to the label set the silence's equality matchers describe. */
    private static boolean matchesFilter(Silence s, List<LabelMatcher> filter) {
        Labels.Builder b = Labels.builder();
        for (LabelMatcher m : s.matchers()) {
            if (m.type() == LabelMatcher.Type.EQ) {
                b.set(m.name(), m.value());
            }
        }
        Labels l = b.build();
        return filter.stream().allMatch(m -> Matchers.matches(m, l));
    }

    private void postSilence(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        if (am == null) {
            return;
        }
        Silence s;
        try {
            JsonNode body = AlertmanagerJson.MAPPER.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            s = AlertmanagerJson.parseSilence(body);
        } catch (IOException | IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        blocking(ctx, () -> am.silences().upsert(s),
                id -> json(ctx, 200, AlertmanagerJson.MAPPER.createObjectNode().put("silenceID", id)));
    }

    private void getSilence(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        if (am == null) {
            return;
        }
        try {
            json(ctx, 200, gettableSilence(am.silences().get(ctx.pathParam("silenceID")), clockMs.getAsLong()));
        } catch (Silences.NotFoundException e) {
            error(ctx, 404, e.getMessage());
        }
    }

    private void deleteSilence(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        if (am == null) {
            return;
        }
        String id = ctx.pathParam("silenceID");
        blocking(ctx, () -> {
            am.silences().expire(id);
            return id;
        }, x -> HttpApi.respond(ctx, 200, JSON, Buffer.buffer()));
    }

    /** Runs a silences change (it writes the silences file) off the event loop and answers its outcome. */
    private static <T> void blocking(RoutingContext ctx, Callable<T> work, java.util.function.Consumer<T> ok) {
        ctx.vertx().executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                ok.accept(ar.result());
            } else if (ar.cause() instanceof Silences.NotFoundException) {
                error(ctx, 404, ar.cause().getMessage());
            } else if (ar.cause() instanceof IllegalArgumentException) {
                error(ctx, 400, "silence invalid: " + ar.cause().getMessage());
            } else {
                error(ctx, 500, String.valueOf(ar.cause().getMessage()));
            }
        });
    }

    /**
     * Sightline's own: the recent delivery attempts of the built-in Alertmanager, newest first, in Prometheus's API
     * envelope. {@code limit} (default 100) caps the list at most at the history's capacity.
     */
    private void notifications(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        if (am == null) {
            return;
        }
        int limit = HttpApi.boundedParam(ctx, "limit", 100, am.dispatcher().history().capacity());
        if (limit < 0) {
            return;
        }
        ObjectNode o = AlertmanagerJson.MAPPER.createObjectNode().put("status", "success");
        ArrayNode data = o.putArray("data");
        for (NotificationHistory.Attempt a : am.dispatcher().history().recent(limit)) {
            Notification n = a.notification();
            ObjectNode j = data.addObject();
            j.put("time", AlertmanagerJson.apiTime(a.finishedAtMs()));
            j.put("receiver", n.receiver());
            j.put("integration", a.integration());
            j.put("groupKey", n.groupKey());
            j.set("groupLabels", AlertmanagerJson.labels(n.groupLabels()));
            j.put("status", n.firing() ? "firing" : "resolved");
            ArrayNode alerts = j.putArray("alerts");
            for (Alert al : n.alerts()) {
                alerts.addObject().put("fingerprint", al.fingerprintHex())
                        .put("status", al.resolvedAt(n.nowMs()) ? "resolved" : "firing")
                        .set("labels", AlertmanagerJson.labels(al.labels()));
            }
            j.put("ok", a.ok());
            if (!a.ok()) {
                j.put("reason", a.reason()).put("error", a.error());
            }
        }
        json(ctx, 200, o);
    }

    private void status(RoutingContext ctx) {
        AlertingService.Instance am = instance(ctx);
        if (am == null) {
            return;
        }
        BuildInfo b = BuildInfo.current();
        ObjectNode o = AlertmanagerJson.MAPPER.createObjectNode();
        o.putObject("cluster").put("name", "").put("status", "disabled").putArray("peers");
        o.putObject("versionInfo").put("version", b.version()).put("revision", b.revision()).put("branch", b.branch())
                .put("buildUser", b.buildUser()).put("buildDate", b.buildDate()).put("goVersion", b.javaVersion());
        // The alertmanager section as Alertmanager shows its configuration file (amtool config routes reads it).
        o.putObject("config").put("original", ConfigYaml.write(am.dispatcher().config()));
        o.put("uptime", AlertmanagerJson.apiTime(service.startedMs()));
        json(ctx, 200, o);
    }
}
