package dev.sightline.server.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import dev.sightline.tsdb.Tsdb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerting in a running server: a rule fires and the "action" webhook (a halt endpoint) receives Alertmanager's
 * payload within one evaluation interval + group_wait + 1 s; the API v2 lists, silences and accepts alerts; a bad
 * reload keeps the old routing; silences survive a restart.
 */
class AlertingHttpTest {
    @RegisterExtension
    final WebhookReceiver hooks = new WebhookReceiver();
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @TempDir
    Path dir;

    private HttpResponse<String> post(String path, String body) throws Exception {
        return server.post(path, "application/json", body);
    }

    private String config(String haltPath) {
        return """
                global:
                  evaluation_interval: 1s
                  external_labels: {site: lab}
                rule_files: [rules.yml]
                alertmanager:
                  route:
                    receiver: ops
                    group_by: [alertname]
                    group_wait: 0s
                    group_interval: 1s
                    routes:
                      - matchers: ['action="halt"']
                        receiver: halt-trading
                        continue: true
                      - receiver: ops
                  receivers:
                    - name: ops
                      webhook_configs: [{url: '%s'}]
                    - name: halt-trading
                      webhook_configs: [{url: '%s'}]
                """.formatted(hooks.url("/ops"), hooks.url(haltPath));
    }

    private static final String RUNAWAY = """
            groups:
              - name: trading
                rules:
                  - alert: OrderRateRunaway
                    expr: vector(42)
                    labels: {action: halt, desk: fx}
                    annotations: {summary: 'order rate {{ $value }}'}
            """;

    private Path start(String haltPath) throws Exception {
        return start(haltPath, RUNAWAY);
    }

    private Path start(String haltPath, String rules) throws Exception {
        Files.writeString(dir.resolve("rules.yml"), rules);
        server.start(dir, config(haltPath));
        return server.configFile();
    }

    private static String alertname(WebhookReceiver.Call c) {
        return c.payload().get("groupLabels").path("alertname").asText();
    }

    @Test
    void firingRuleReachesTheHaltWebhookWithinOneIntervalPlusGroupWaitPlusOneSecond() throws Exception {
        start("/halt", RUNAWAY + """
                      - alert: RunawayConfirmed
                        expr: vector(1)
                        for: 3s
                """);
        long ready = System.nanoTime();
        WebhookReceiver.Call halt = hooks.await(c -> c.path().equals("/halt"), 10_000);
        assertThat(halt).as("halt webhook called").isNotNull();
        // evaluation_interval 1s + group_wait 0s + 1s.
        long ms = (halt.atNanos() - ready) / 1_000_000;
        System.out.println("halt webhook called " + ms + " ms after storage was ready");
        assertThat(ms).isLessThanOrEqualTo(2_000);
        JsonNode p = halt.payload();
        assertThat(p.get("version").asText()).isEqualTo("4");
        assertThat(p.get("receiver").asText()).isEqualTo("halt-trading");
        assertThat(p.get("status").asText()).isEqualTo("firing");
        assertThat(p.get("groupKey").asText()).isEqualTo("{}/{action=\"halt\"}:{alertname=\"OrderRateRunaway\"}");
        assertThat(p.get("groupLabels").toString()).isEqualTo("{\"alertname\":\"OrderRateRunaway\"}");
        assertThat(p.get("externalURL").asText()).isEqualTo("http://127.0.0.1:" + server.httpPort());
        assertThat(p.get("truncatedAlerts").asInt()).isZero();
        JsonNode alert = p.get("alerts").get(0);
        assertThat(alert.get("labels").toString())
                .isEqualTo("{\"action\":\"halt\",\"alertname\":\"OrderRateRunaway\",\"desk\":\"fx\",\"site\":\"lab\"}");
        assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("order rate 42");
        assertThat(alert.get("status").asText()).isEqualTo("firing");
        assertThat(alert.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(Instant.parse(alert.get("startsAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(alert.get("fingerprint").asText()).matches("[0-9a-f]{16}");
        // continue: true, so the next sibling route (to ops) gets it too.
        assertThat(hooks.await(c -> c.path().equals("/ops"), 5_000)).isNotNull();

        // Deduplicated: the rule re-sends the same alert, no new notification within repeat_interval (4h). The
        // confirming alert fires 3 s (3 evaluations, 3 group_intervals) after the first: once it is notified, a
        // repeated notification of the first would have been sent before it.
        assertThat(hooks.await(c -> c.path().equals("/ops") && alertname(c).equals("RunawayConfirmed"), 10_000)).isNotNull();
        assertThat(hooks.calls).extracting(c -> c.path() + " " + alertname(c))
                .containsExactlyInAnyOrder("/halt OrderRateRunaway", "/ops OrderRateRunaway", "/ops RunawayConfirmed");

        // The alert links to the UI's Alerts page focused on it, under the external URL.
        assertThat(alert.get("generatorURL").asText())
                .isEqualTo("http://127.0.0.1:" + server.httpPort() + "/alerts?alert=OrderRateRunaway");

        // The notification history lists the three deliveries, newest first, each to its receiver, delivered.
        JsonNode sent = server.getJson("/api/v1/notifications");
        assertThat(sent.get("status").asText()).isEqualTo("success");
        assertThat(sent.get("data")).extracting(n -> n.get("receiver").asText() + " " + n.get("groupLabels").get("alertname").asText())
                .containsExactlyInAnyOrder("halt-trading OrderRateRunaway", "ops OrderRateRunaway", "ops RunawayConfirmed");
        JsonNode newest = sent.get("data").get(0);
        assertThat(newest.get("groupLabels").get("alertname").asText()).isEqualTo("RunawayConfirmed");
        assertThat(newest.get("ok").asBoolean()).isTrue();
        assertThat(newest.has("error")).isFalse();
        assertThat(newest.get("integration").asText()).isEqualTo("webhook");
        assertThat(newest.get("status").asText()).isEqualTo("firing");
        assertThat(newest.get("alerts").get(0).get("labels").get("alertname").asText()).isEqualTo("RunawayConfirmed");
        assertThat(newest.get("alerts").get(0).get("fingerprint").asText()).matches("[0-9a-f]{16}");
        assertThat(Instant.parse(newest.get("time").asText())).isAfterOrEqualTo(Instant.parse(sent.get("data").get(2).get("time").asText()));
        assertThat(server.getJson("/api/v1/notifications?limit=1").get("data").size()).isEqualTo(1);
        for (String bad : new String[] {"0", "-1", "1001", "ten"}) {
            HttpResponse<String> r = server.get("/api/v1/notifications?limit=" + bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(RunningServer.JSON.readTree(r.body()).get("error").asText())
                    .isEqualTo("limit: \"" + bad + "\" is not a whole number from 1 to 1000");
        }

        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("sightline_alerting_notifications_total{integration=\"webhook\",receiver=\"halt-trading\"} 1.0");
        assertThat(metrics).contains("sightline_alerting_alerts{state=\"active\"} 2.0");
    }

    @Test
    void aThresholdOnAWrittenSeriesFiresThenResolves() throws Exception {
        start("/halt", """
                groups:
                  - name: desk
                    rules:
                      - alert: PositionDrift
                        expr: position_drift > 50
                """);
        Tsdb db = server.storage();
        long written = System.nanoTime();
        write(db, 120);
        WebhookReceiver.Call firing = hooks.await(c -> c.path().equals("/ops")
                && c.payload().get("status").asText().equals("firing"), 10_000);
        assertThat(firing).isNotNull();
        System.out.println("sample in -> firing webhook out: " + (firing.atNanos() - written) / 1_000_000 + " ms");
        assertThat(firing.payload().get("alerts").get(0).get("labels").get("alertname").asText()).isEqualTo("PositionDrift");
        write(db, 10);
        WebhookReceiver.Call resolved = hooks.await(c -> c.path().equals("/ops")
                && c.payload().get("status").asText().equals("resolved"), 10_000);
        assertThat(resolved).as("resolved notification (send_resolved defaults to true)").isNotNull();
        JsonNode a = resolved.payload().get("alerts").get(0);
        assertThat(a.get("status").asText()).isEqualTo("resolved");
        assertThat(Instant.parse(a.get("endsAt").asText())).isAfter(Instant.parse(a.get("startsAt").asText()));
        assertThat(hooks.calls).noneMatch(c -> c.path().equals("/halt"));
    }

    private static void write(Tsdb db, double value) throws Exception {
        Appender app = db.appender();
        app.append(0, Labels.of("__name__", "position_drift", "desk", "fx"), System.currentTimeMillis(), value);
        app.commit();
    }

    @Test
    void apiListsSilencesAndAcceptsAlerts() throws Exception {
        start("/halt");
        assertThat(hooks.await(c -> c.path().equals("/halt"), 10_000)).isNotNull();

        JsonNode alerts = server.getJson("/api/v2/alerts?filter=alertname%3D%22OrderRateRunaway%22");
        assertThat(alerts.size()).isEqualTo(1);
        JsonNode a = alerts.get(0);
        assertThat(a.get("status").get("state").asText()).isEqualTo("active");
        assertThat(a.get("receivers").toString()).isEqualTo("[{\"name\":\"halt-trading\"},{\"name\":\"ops\"}]");
        assertThat(a.get("labels").get("desk").asText()).isEqualTo("fx");
        assertThat(server.getJson("/api/v2/alerts?filter=desk%3D%22rates%22").size()).isZero();
        assertThat(server.getJson("/api/v2/alerts?receiver=ops").size()).isEqualTo(1);
        JsonNode groups = server.getJson("/api/v2/alerts/groups");
        assertThat(groups.size()).isEqualTo(2);
        assertThat(groups).extracting(g -> g.get("receiver").get("name").asText()).containsExactlyInAnyOrder("halt-trading", "ops");
        assertThat(groups.get(0).get("labels").toString()).isEqualTo("{\"alertname\":\"OrderRateRunaway\"}");
        assertThat(server.getJson("/api/v2/alerts/groups?receiver=ops").size()).isEqualTo(1);
        assertThat(server.getJson("/api/v2/receivers").toString()).isEqualTo("[{\"name\":\"ops\"},{\"name\":\"halt-trading\"}]");
        assertThat(server.get("/api/v2/alerts?filter=desk%7E%22x").statusCode()).isEqualTo(400);

        // A silence mutes it: listed as suppressed, and hidden with silenced=false.
        String silence = """
                {"matchers":[{"name":"desk","value":"fx|rates","isRegex":true,"isEqual":true}],
                 "startsAt":"%s","endsAt":"%s","createdBy":"ops","comment":"maintenance"}
                """.formatted(Instant.now(), Instant.now().plusSeconds(3600));
        HttpResponse<String> created = post("/api/v2/silences", silence);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = RunningServer.JSON.readTree(created.body()).get("silenceID").asText();
        JsonNode muted = server.getJson("/api/v2/alerts").get(0);
        assertThat(muted.get("status").get("state").asText()).isEqualTo("suppressed");
        assertThat(muted.get("status").get("silencedBy").get(0).asText()).isEqualTo(id);
        assertThat(server.getJson("/api/v2/alerts?silenced=false").size()).isZero();
        // As Alertmanager, a filter applies to the silence's equality matchers only.
        assertThat(server.getJson("/api/v2/silences?filter=desk%3D%22fx%22").size()).isZero();
        JsonNode listed = server.getJson("/api/v2/silences");
        assertThat(listed.size()).isEqualTo(1);
        assertThat(listed.get(0).get("status").get("state").asText()).isEqualTo("active");
        assertThat(listed.get(0).get("comment").asText()).isEqualTo("maintenance");
        assertThat(server.getJson("/api/v2/silence/" + id).get("id").asText()).isEqualTo(id);
        assertThat(server.get("/api/v2/silence/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> bad = post("/api/v2/silences", "{\"matchers\":[],\"endsAt\":\"" + Instant.now().plusSeconds(60) + "\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("at least one matcher");

        // Expire it: active again.
        assertThat(server.send(server.request("/api/v2/silence/" + id).DELETE()).statusCode()).isEqualTo(200);
        assertThat(server.getJson("/api/v2/silence/" + id).get("status").get("state").asText()).isEqualTo("expired");
        assertThat(server.getJson("/api/v2/alerts").get(0).get("status").get("state").asText()).isEqualTo("active");

        // Alerts posted as Prometheus posts them are routed and notified.
        HttpResponse<String> posted = post("/api/v2/alerts", """
                [{"labels":{"alertname":"FromPrometheus","instance":"p:9090"},"annotations":{"summary":"x"},
                  "startsAt":"%s","generatorURL":"http://prom:9090/graph"}]
                """.formatted(Instant.now()));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        WebhookReceiver.Call fromProm = hooks.await(c -> c.path().equals("/ops")
                && c.payload().get("groupLabels").path("alertname").asText().equals("FromPrometheus"), 5_000);
        assertThat(fromProm).isNotNull();
        assertThat(fromProm.payload().get("alerts").get(0).get("generatorURL").asText()).isEqualTo("http://prom:9090/graph");
        HttpResponse<String> refused = post("/api/v2/alerts", "[{\"labels\":{}}]");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("alerts[0]: labels: at least one label pair required");
        assertThat(server.getJson("/api/v2/status").get("cluster").get("status").asText()).isEqualTo("disabled");

        // Silences survive a restart.
        String kept = RunningServer.JSON.readTree(post("/api/v2/silences", silence).body()).get("silenceID").asText();
        server.restart();
        assertThat(server.getJson("/api/v2/silence/" + kept).get("status").get("state").asText()).isEqualTo("active");
        assertThat(server.getJson("/api/v2/silence/" + id).get("status").get("state").asText()).isEqualTo("expired");
    }

    @Test
    void reloadAppliesANewRouteAndABadOneKeepsTheOld() throws Exception {
        Path cfg = start("/halt");
        assertThat(hooks.await(c -> c.path().equals("/halt"), 10_000)).isNotNull();

        Files.writeString(cfg, config("/halt").replace("receiver: halt-trading", "receiver: nobody"));
        HttpResponse<String> bad = server.reload();
        assertThat(bad.statusCode()).isEqualTo(500);
        assertThat(bad.body()).contains(cfg + ":13:9: ").contains("alertmanager.route.routes[0].receiver: undefined receiver \"nobody\"");
        assertThat(server.server().alerting().dispatcher().config().route().routes().get(0).receiver()).isEqualTo("halt-trading");

        Files.writeString(cfg, config("/halt-v2"));
        assertThat(server.reload().statusCode()).isEqualTo(200);
        // Groups are rebuilt; the new URL is a new integration config but the same receiver and group: the
        // notification log says nothing changed, so it is not re-sent. A new alert in the group is.
        post("/api/v2/alerts", "[{\"labels\":{\"alertname\":\"OrderRateRunaway\",\"action\":\"halt\",\"desk\":\"rates\"}}]");
        assertThat(hooks.await(c -> c.path().equals("/halt-v2"), 5_000)).isNotNull();
    }
}
