package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.TenantView;
import dev.sightline.server.RunningServer;
import dev.sightline.server.services.Drills;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tenants with a service of the same name ("shop"), each with its own metrics, rules and drill results: each
 * tenant's /api/v1/maturity assesses only its own, /api/v1/drills/results lists and records only its own, and the
 * canary and journey (configured by the operator, of no tenant) count for neither.
 */
class TenantMaturityTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    private static final String FINISHED = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();

    @BeforeAll
    static void start() throws Exception {
        // a alerts on shop's HTTP golden signal and watches its orders for anomalies; b has rules on another service.
        Files.createDirectories(dir.resolve("tenant-rules/a"));
        Files.writeString(dir.resolve("tenant-rules/a/rules.yml"), """
                groups:
                  - name: shop
                    rules:
                      - alert: ShopErrors
                        expr: rate(http_server_request_duration_seconds_count{job="shop"}[5m]) > 100
                      - alert: ShopOrdersAnomalous
                        expr: abs(seasonal_zscore(orders_total{job="shop"}[1h], 3600)) > 3
                """);
        Files.createDirectories(dir.resolve("tenant-rules/b"));
        Files.writeString(dir.resolve("tenant-rules/b/rules.yml"), """
                groups:
                  - name: other
                    rules:
                      - alert: OtherDown
                        expr: up{job="other"} == 0
                """);
        server.start(dir, """
                tenants:
                  multitenancy_enabled: true
                  rules_dir: tenant-rules
                canaries:
                  - name: shop-db
                    interval: 1h
                    timeout: 1s
                    write: {http: {url: "http://127.0.0.1:1/canary"}}
                    readers:
                      - {name: replica, labels: {job: shop}, http: {url: "http://127.0.0.1:1/canary"}}
                journeys:
                  inline:
                    - name: shop-status
                      services: [shop]
                      interval: 1h
                      steps: [{name: status, request: {url: "http://127.0.0.1:1/status"}, assert: [{status: 200}]}]
                """);
        long now = System.currentTimeMillis();
        write("a", now, "http_server_request_duration_seconds_count", "shop");
        write("a", now, "orders_total", "shop");
        write("b", now, "orders_total", "shop");
        write("b", now, "b_only_total", "shop");
        write("b", now, "up", "other");
    }

    private static void write(String tenant, long now, String metric, String job) throws Exception {
        Appender app = TenantView.storage(server.storage(), tenant).appender();
        for (int i = 0; i < 4; i++) {
            app.append(0, Labels.of("__name__", metric, "job", job), now - (3 - i) * 15_000L, 10 + i);
        }
        app.commit();
    }

    private static HttpResponse<String> get(String tenant, String path) throws Exception {
        return server.send(server.request(path).header(Tenants.HEADER, tenant));
    }

    private static HttpResponse<String> post(String tenant, String body) throws Exception {
        return server.send(server.request("/api/v1/drills/results").header(Tenants.HEADER, tenant)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static JsonNode maturity(String tenant) throws Exception {
        HttpResponse<String> r = get(tenant, "/api/v1/maturity");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body()).path("data").path("services");
    }

    private static List<String> names(JsonNode services) {
        List<String> out = new ArrayList<>();
        services.forEach(s -> out.add(s.path("name").asText()));
        return out;
    }

    private static JsonNode criterion(JsonNode services, String service, String id) {
        for (JsonNode s : services) {
            if (s.path("name").asText().equals(service)) {
                for (JsonNode c : s.path("criteria")) {
                    if (c.path("id").asText().equals(id)) {
                        return c;
                    }
                }
            }
        }
        throw new AssertionError("no criterion " + id + " of " + service + " in " + services);
    }

    /** A drill result for {@code service}; the tests other than the assessment's use another service than shop. */
    private static String drill(String name, String service, boolean passed) {
        return "{\"results\": [{\"drill\": \"" + name + "\", \"service\": \"" + service + "\", \"passed\": " + passed
                + ", \"finished\": \"" + FINISHED + "\"}]}";
    }

    @Test
    void eachTenantAssessesItsOwnServicesRulesAndDrills() throws Exception {
        assertThat(post("a", drill("shop-latency", "shop", true)).statusCode()).isEqualTo(200);
        HttpResponse<String> b = post("b", drill("shop-outage", "shop", false));
        assertThat(b.statusCode()).as(b.body()).isEqualTo(200);

        JsonNode a = maturity("a");
        assertThat(names(a)).containsExactly("shop");
        assertThat(criterion(a, "shop", "metrics").path("found").toString())
                .isEqualTo("[\"http_server_request_duration_seconds_count\",\"orders_total\"]");
        assertThat(criterion(a, "shop", "golden_alerts").path("found").toString()).isEqualTo("[\"ShopErrors\"]");
        assertThat(criterion(a, "shop", "anomaly_rules").path("found").toString()).isEqualTo("[\"ShopOrdersAnomalous\"]");
        assertThat(criterion(a, "shop", "drills").path("found").toString())
                .isEqualTo("[\"shop-latency (" + FINISHED + ")\"]");

        JsonNode bs = maturity("b");
        assertThat(names(bs)).containsExactly("other", "shop");
        assertThat(criterion(bs, "shop", "metrics").path("found").toString()).isEqualTo("[\"b_only_total\",\"orders_total\"]");
        assertThat(criterion(bs, "shop", "golden_alerts").path("met").asBoolean()).isFalse();
        assertThat(criterion(bs, "shop", "anomaly_rules").path("met").asBoolean()).isFalse();
        assertThat(criterion(bs, "shop", "drills").path("evidence").asText())
                .isEqualTo("0 of 1 recorded drill(s) passed in the last 30 days");

        // A tenant never seen before has nothing to assess.
        assertThat(maturity("c")).isEmpty();
    }

    @Test
    void canariesAndJourneysOfNoTenantCountForNone() throws Exception {
        for (String t : List.of("a", "b")) {
            JsonNode synthetics = criterion(maturity(t), "shop", "synthetics");
            assertThat(synthetics.path("met").asBoolean()).as(t).isFalse();
            assertThat(synthetics.path("found")).as(t).isEmpty();
        }
    }

    @Test
    void eachTenantListsAndRecordsItsOwnDrillResults() throws Exception {
        assertThat(post("a", drill("only-a", "elsewhere", true)).statusCode()).isEqualTo(200);
        assertThat(post("b", drill("only-b", "elsewhere", true)).statusCode()).isEqualTo(200);
        for (String t : List.of("a", "b")) {
            HttpResponse<String> r = get(t, "/api/v1/drills/results");
            assertThat(r.statusCode()).isEqualTo(200);
            List<String> drills = new ArrayList<>();
            RunningServer.JSON.readTree(r.body()).path("data").path("results").forEach(d -> drills.add(d.path("drill").asText()));
            assertThat(drills).as(t).contains("only-" + t).doesNotContain("only-" + (t.equals("a") ? "b" : "a"));
            assertThat(Drills.read(dir.resolve("data"), t).results()).as(t).hasSize(drills.size());
        }
        assertThat(Files.exists(dir.resolve("data/drills/tenants/a/results.json"))).isTrue();
        // The record of multitenancy off is no tenant's: nothing lands there.
        assertThat(Files.exists(dir.resolve("data").resolve(Drills.FILE))).isFalse();
    }

    @Test
    void aRequestWithoutAnOrgIdIsRefused() throws Exception {
        for (String path : List.of("/api/v1/maturity", "/api/v1/drills/results")) {
            HttpResponse<String> r = server.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.body()).as(path).isEqualTo("{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":\"no org id\"}");
        }
        HttpResponse<String> post = server.post("/api/v1/drills/results", "application/json", drill("x", "elsewhere", true));
        assertThat(post.statusCode()).isEqualTo(401);
        HttpResponse<String> bad = post("a|b", drill("x", "elsewhere", true));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid X-Scope-OrgID header");
    }
}
