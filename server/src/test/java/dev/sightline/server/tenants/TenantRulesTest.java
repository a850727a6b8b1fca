package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.TenantLogView;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.TenantView;
import dev.sightline.server.RunningServer;
import dev.sightline.server.alerting.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tenants, each with its own rule files under tenants.rules_dir: each tenant's rules read only its series (even
 * through {@code {__name__=~".+"}}, a regex on the reserved label and a template query), its recording rules write
 * into it, and its alerts, silences and notifications are its own Alertmanager's (b's routed by its own
 * alertmanager.yml, a's by the alertmanager: section); nothing of one shows through the other's API, and the
 * silences survive a restart per tenant.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantRulesTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    static final WebhookReceiver hooks = new WebhookReceiver();

    /** Both tenants run the same rules; what each sees differs only by its data. */
    private static final String RULES = """
            groups:
              - name: g
                interval: 1s
                rules:
                  - record: seen_jobs
                    expr: count by (job) ({__name__=~".+_metric", job=~".+"})
                  - record: seen_any_tenant
                    expr: count({__tenant__=~".*", __name__=~"shared_metric|b_only_metric"})
                  - alert: Seen
                    expr: max by (job) ({__name__=~".+_metric", __tenant__!="nobody"})
                    annotations:
                      series: '{{ query "count({__name__=~\\".+_metric\\"})" | first | value }}'
              - name: logs
                interval: 1s
                query_language: logql
                rules:
                  - record: log_lines
                    expr: sum(count_over_time({job=~".+"}[10m]))
            """;

    @BeforeAll
    static void start() throws Exception {
        for (String t : List.of("a", "b")) {
            Files.createDirectories(dir.resolve("tenant-rules/" + t));
            Files.writeString(dir.resolve("tenant-rules/" + t + "/rules.yml"), RULES);
        }
        Files.writeString(dir.resolve("tenant-rules/b/alertmanager.yml"), """
                route: {receiver: b-hook, group_by: [alertname], group_wait: 0s, group_interval: 1s}
                receivers:
                  - name: b-hook
                    webhook_configs: [{url: '%s'}]
                """.formatted(hooks.url("/b")));
        server.start(dir, """
                global:
                  evaluation_interval: 1s
                tenants:
                  multitenancy_enabled: true
                  rules_dir: tenant-rules
                alertmanager:
                  route: {receiver: fallback, group_by: [alertname], group_wait: 0s, group_interval: 1s}
                  receivers:
                    - name: fallback
                      webhook_configs: [{url: '%s'}]
                """.formatted(hooks.url("/fallback")));
        // Each tenant's data in one commit: the rules run from the moment the server is ready, and the tests take
        // their first non-empty result, which must not come from half of a tenant's data.
        long now = System.currentTimeMillis();
        write("a", now, "a-job", "shared_metric");
        write("b", now, "b-job", "shared_metric", "b_only_metric");
        for (String t : List.of("a", "b")) {
            LogAppender logs = TenantLogView.store(server.server().logs(), t).appender();
            for (int i = t.equals("a") ? 1 : 0; i < 2; i++) {
                logs.append(Labels.of("job", t + "-job"), (now - 60_000) * 1_000_000L, "line of " + t, Labels.EMPTY);
            }
            logs.commit();
        }
    }

    @AfterAll
    static void stopHooks() {
        hooks.close();
    }

    private static void write(String tenant, long now, String job, String... metrics) throws Exception {
        Appender app = TenantView.storage(server.storage(), tenant).appender();
        for (String metric : metrics) {
            Labels labels = Labels.of("__name__", metric, "job", job);
            for (long t = now - 60_000; t <= now + 600_000; t += 15_000) {
                app.append(0, labels, 0, t, 1);
            }
        }
        app.commit();
    }

    private static HttpResponse<String> get(String tenant, String path) throws Exception {
        HttpRequest.Builder r = server.request(path);
        if (tenant != null) {
            r.header(Tenants.HEADER, tenant);
        }
        return server.send(r);
    }

    private static JsonNode json(String tenant, String path) throws Exception {
        HttpResponse<String> r = get(tenant, path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body());
    }

    private static HttpResponse<String> post(String tenant, String path, String body) throws Exception {
        return server.send(server.request(path).header(Tenants.HEADER, tenant).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static JsonNode query(String tenant, String promql) throws Exception {
        return json(tenant, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .path("data").path("result");
    }

    private static <T> T await(Callable<T> value, java.util.function.Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        T v = value.call();
        while (!done.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            v = value.call();
        }
        return v;
    }

    private static List<String> values(JsonNode result, String label) {
        List<String> out = new ArrayList<>();
        result.forEach(s -> out.add(s.path("metric").path(label).asText() + "=" + s.path("value").get(1).asText()));
        return out;
    }

    @Test
    @Order(1)
    void recordingRulesReadAndWriteOnlyTheirTenant() throws Exception {
        JsonNode a = await(() -> query("a", "seen_jobs"), r -> r.size() > 0);
        assertThat(values(a, "job")).containsExactly("a-job=1");
        JsonNode b = await(() -> query("b", "seen_jobs"), r -> r.size() > 0);
        // b's two series of b-job; none of a's.
        assertThat(values(b, "job")).containsExactly("b-job=2");
        // A regex on the reserved label is judged against the empty string: it reaches no other tenant.
        assertThat(values(await(() -> query("a", "seen_any_tenant"), r -> r.size() > 0), "job")).containsExactly("=1");
        assertThat(values(await(() -> query("b", "seen_any_tenant"), r -> r.size() > 0), "job")).containsExactly("=2");
        assertThat(query("a", "{__name__=~\"seen_.*\", job=\"b-job\"}").size()).isZero();
        // A LogQL rule counts the tenant's own lines.
        assertThat(values(await(() -> query("a", "log_lines"), r -> r.size() > 0), "job")).containsExactly("=1");
        assertThat(values(await(() -> query("b", "log_lines"), r -> r.size() > 0), "job")).containsExactly("=2");
    }

    @Test
    @Order(2)
    void rulesAndAlertsApisShowOnlyTheTenants() throws Exception {
        JsonNode a = await(() -> json("a", "/api/v1/alerts").path("data").path("alerts"),
                x -> x.size() > 0 && x.get(0).path("state").asText().equals("firing"));
        assertThat(a.size()).isEqualTo(1);
        assertThat(a.get(0).path("labels").path("job").asText()).isEqualTo("a-job");
        // The template's query runs over the tenant's own series.
        assertThat(a.get(0).path("annotations").path("series").asText()).isEqualTo("1");
        JsonNode b = await(() -> json("b", "/api/v1/alerts").path("data").path("alerts"), x -> x.size() > 0);
        assertThat(b.size()).isEqualTo(1);
        assertThat(b.get(0).path("labels").path("job").asText()).isEqualTo("b-job");
        assertThat(b.get(0).path("annotations").path("series").asText()).isEqualTo("2");

        JsonNode groups = json("a", "/api/v1/rules").path("data").path("groups");
        assertThat(groups.size()).isEqualTo(2);
        groups.forEach(g -> assertThat(g.path("file").asText()).endsWith("tenant-rules/a/rules.yml"));
        assertThat(json("b", "/api/v1/rules").path("data").path("groups").get(0).path("file").asText())
                .endsWith("tenant-rules/b/rules.yml");
        // A tenant without rule files has none, and sees none of the others'.
        assertThat(json("c", "/api/v1/rules").path("data").path("groups").size()).isZero();
        assertThat(json("c", "/api/v1/alerts").path("data").path("alerts").size()).isZero();
        HttpResponse<String> none = get(null, "/api/v1/rules");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("no org id");
    }

    @Test
    @Order(3)
    void alertsGoToTheTenantsAlertmanagerAndItsRouting() throws Exception {
        JsonNode a = await(() -> json("a", "/api/v2/alerts"), x -> x.size() > 0);
        assertThat(a.size()).isEqualTo(1);
        assertThat(a.get(0).path("labels").path("job").asText()).isEqualTo("a-job");
        assertThat(a.get(0).path("receivers").toString()).isEqualTo("[{\"name\":\"fallback\"}]");
        JsonNode b = await(() -> json("b", "/api/v2/alerts"), x -> x.size() > 0);
        assertThat(b.get(0).path("receivers").toString()).isEqualTo("[{\"name\":\"b-hook\"}]");
        // Alerts posted by one tenant are held by its Alertmanager only.
        assertThat(post("b", "/api/v2/alerts", "[{\"labels\": {\"alertname\": \"PostedByB\"}}]").statusCode()).isEqualTo(200);
        assertThat(await(() -> json("b", "/api/v2/alerts"), x -> x.size() == 2).size()).isEqualTo(2);
        assertThat(json("a", "/api/v2/alerts").toString()).doesNotContain("PostedByB").doesNotContain("b-job");
        assertThat(json("a", "/api/v2/alerts/groups").toString()).doesNotContain("PostedByB");
        assertThat(json("b", "/api/v2/receivers").toString()).isEqualTo("[{\"name\":\"b-hook\"}]");
        assertThat(json("a", "/api/v2/receivers").toString()).isEqualTo("[{\"name\":\"fallback\"}]");
        assertThat(get(null, "/api/v2/alerts").statusCode()).isEqualTo(401);

        // Each tenant's notifications went through its routing, and its history lists only them.
        assertThat(hooks.await(c -> c.path().equals("/fallback")
                && c.payload().toString().contains("a-job"), 20_000)).isNotNull();
        assertThat(hooks.await(c -> c.path().equals("/b") && c.payload().toString().contains("b-job"), 20_000)).isNotNull();
        JsonNode na = await(() -> json("a", "/api/v1/notifications").path("data"), x -> x.size() > 0);
        JsonNode nb = await(() -> json("b", "/api/v1/notifications").path("data"), x -> x.size() > 0);
        na.forEach(n -> assertThat(n.path("receiver").asText()).isEqualTo("fallback"));
        nb.forEach(n -> assertThat(n.path("receiver").asText()).isEqualTo("b-hook"));
        assertThat(na.toString()).doesNotContain("b-job");
        assertThat(nb.toString()).doesNotContain("a-job");
        assertThat(json("c", "/api/v1/notifications").path("data").size()).isZero();
    }

    @Test
    @Order(4)
    void aSilenceMutesOnlyItsTenantsAlertsAndSurvivesARestart() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> created = post("a", "/api/v2/silences", """
                {"matchers": [{"name": "alertname", "value": "Seen", "isRegex": false}],
                 "startsAt": "%s", "endsAt": "%s", "createdBy": "a", "comment": "a's maintenance"}
                """.formatted(java.time.Instant.ofEpochMilli(now - 1000), java.time.Instant.ofEpochMilli(now + 3_600_000)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = RunningServer.JSON.readTree(created.body()).path("silenceID").asText();

        JsonNode a = await(() -> json("a", "/api/v2/alerts"),
                x -> x.get(0).path("status").path("state").asText().equals("suppressed"));
        assertThat(a.get(0).path("status").path("silencedBy").toString()).isEqualTo("[\"" + id + "\"]");
        // b's alert of the same name stays active.
        for (JsonNode s : json("b", "/api/v2/alerts")) {
            assertThat(s.path("status").path("state").asText()).isEqualTo("active");
            assertThat(s.path("status").path("silencedBy").size()).isZero();
        }
        assertThat(json("b", "/api/v2/alerts?silenced=false").size()).isEqualTo(2);
        assertThat(json("b", "/api/v2/silences").size()).isZero();
        assertThat(get("b", "/api/v2/silence/" + id).statusCode()).isEqualTo(404);
        HttpResponse<String> expireByB = server.send(server.request("/api/v2/silence/" + id)
                .header(Tenants.HEADER, "b").DELETE());
        assertThat(expireByB.statusCode()).isEqualTo(404);
        assertThat(json("a", "/api/v2/silence/" + id).path("status").path("state").asText()).isEqualTo("active");
        assertThat(dir.resolve("data/alerting/tenants/a/silences.json")).exists();

        server.restart();
        assertThat(json("a", "/api/v2/silences").size()).isEqualTo(1);
        assertThat(json("a", "/api/v2/silence/" + id).path("comment").asText()).isEqualTo("a's maintenance");
        assertThat(json("b", "/api/v2/silences").size()).isZero();
    }
}
