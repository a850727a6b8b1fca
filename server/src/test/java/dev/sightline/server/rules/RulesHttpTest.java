package dev.sightline.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rules in a running server: the APIs over HTTP, reload through POST /-/reload, a bad file refused at start. */
class RulesHttpTest {
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @TempDir
    Path dir;

    private JsonNode groups() throws Exception {
        return server.getJson("/api/v1/rules").path("data").path("groups");
    }

    @Test
    void servesRulesAndReloadsThem() throws Exception {
        Files.createDirectories(dir.resolve("rules"));
        Path rules = dir.resolve("rules/a.yml");
        Files.writeString(rules, "groups:\n  - name: a\n    rules:\n      - alert: Up\n        expr: vector(1)\n");
        server.start(dir, "rule_files: ['rules/*.yml']\n");
        JsonNode g = groups().get(0);
        assertThat(g.path("name").asText()).isEqualTo("a");
        assertThat(g.path("rules").get(0).path("type").asText()).isEqualTo("alerting");
        assertThat(g.path("rules").get(0).path("health").asText()).isEqualTo("unknown");
        HttpResponse<String> alerts = server.get("/api/v1/alerts");
        assertThat(RunningServer.JSON.readTree(alerts.body()).path("data").path("alerts").isArray()).isTrue();
        assertThat(server.get("/api/v1/rules?type=bogus").statusCode()).isEqualTo(400);
        assertThat(server.get("/metrics").body()).contains("sightline_rule_group_rules{rule_group=\"" + rules + ";a\"} 1");

        Files.writeString(rules, "groups:\n  - name: b\n    rules:\n      - alert: Up\n        expr: vector(\n");
        HttpResponse<String> bad = server.reload();
        assertThat(bad.statusCode()).isEqualTo(500);
        assertThat(bad.body()).contains(rules + ":5: could not parse expression");
        assertThat(groups().get(0).path("name").asText()).isEqualTo("a");

        Files.writeString(rules, "groups:\n  - name: b\n    rules:\n      - record: r\n        expr: vector(1)\n");
        assertThat(server.reload().statusCode()).isEqualTo(200);
        assertThat(groups().get(0).path("name").asText()).isEqualTo("b");
    }

    @Test
    void filtersRulesAsPrometheusDoes() throws Exception {
        Files.writeString(dir.resolve("a.yml"), """
                groups:
                  - name: shop
                    labels: {team: shop}
                    rules:
                      - record: job:orders:rate1m
                        expr: vector(1)
                      - alert: Runaway
                        expr: vector(1)
                        labels: {severity: page}
                """);
        Files.writeString(dir.resolve("b.yml"), """
                groups:
                  - name: infra
                    rules:
                      - alert: Down
                        expr: vector(0) > 1
                """);
        server.start(dir, "rule_files: [a.yml, b.yml]\n");
        assertThat(names("")).containsExactly("job:orders:rate1m", "Runaway", "Down");
        assertThat(names("?type=alert")).containsExactly("Runaway", "Down");
        assertThat(names("?rule_name[]=Down&rule_name[]=job:orders:rate1m")).containsExactly("job:orders:rate1m", "Down");
        assertThat(names("?rule_group[]=infra")).containsExactly("Down");
        assertThat(names("?file[]=" + dir.resolve("a.yml"))).containsExactly("job:orders:rate1m", "Runaway");
        assertThat(names("?match[]=%7Bteam%3D%22shop%22%7D")).containsExactly("job:orders:rate1m", "Runaway");
        assertThat(names("?match[]=%7Bseverity%3D%22page%22%7D&type=alert")).containsExactly("Runaway");
        JsonNode rule = RunningServer.JSON.readTree(server.get("/api/v1/rules?exclude_alerts=true&rule_name[]=Runaway").body())
                .path("data").path("groups").get(0).path("rules").get(0);
        assertThat(rule.has("alerts")).isFalse();
        assertThat(rule.path("labels").path("team").asText()).isEqualTo("shop");
        HttpResponse<String> badMatch = server.get("/api/v1/rules?match[]=%7Bteam%3D");
        assertThat(badMatch.statusCode()).isEqualTo(400);
        assertThat(badMatch.body()).contains("invalid parameter \\\"match[]\\\"");
        assertThat(server.get("/api/v1/rules?exclude_alerts=maybe").statusCode()).isEqualTo(400);
    }

    private java.util.List<String> names(String query) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode g : server.getJson("/api/v1/rules" + query).path("data").path("groups")) {
            for (JsonNode rule : g.path("rules")) {
                out.add(rule.path("name").asText());
            }
        }
        return out;
    }

    @Test
    void badRuleFileStopsTheStart() throws Exception {
        Files.writeString(dir.resolve("r.yml"), "groups:\n  - name: a\n    rules:\n      - alert: A\n");
        assertThatThrownBy(() -> server.start(dir, "rule_files: [r.yml]\n"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("r.yml") + ":4: field 'expr' must be set in rule");
    }

    /**
     * Prometheus turns ready once its rule manager has loaded the rule files, so a client that waits for /-/ready
     * finds every group at once (listed before its first evaluation), with no poll. The groups are many here, so
     * that loading them takes a while (about a second here): before, readiness came that much earlier.
     */
    @Test
    void everyGroupIsListedAsSoonAsReadyAnswers200() throws Exception {
        int groups = 2_000;
        StringBuilder file = new StringBuilder("groups:\n");
        for (int i = 0; i < groups; i++) {
            file.append("  - name: g").append(i).append("\n    interval: 1h\n    rules:\n      - record: r").append(i)
                    .append("\n        expr: sum by (job) (rate(x_total[5m]))\n");
        }
        Files.writeString(dir.resolve("rules.yml"), file);
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, "rule_files: [rules.yml]\n");
        try (SightlineServer s = SightlineServer.start(new SightlineServer.Settings(dir.resolve("data"), "127.0.0.1", 0,
                new ConfigLoader().load(config), config));
             HttpClient client = HttpClient.newHttpClient()) {
            // The first moment the server calls itself ready (read in a tight loop: an HTTP poll's first request
            // can take longer than loading the groups), every group is there.
            long until = System.nanoTime() + 60_000_000_000L;
            while (!s.isReady()) {
                assertThat(System.nanoTime()).as("ready within 60 s").isLessThan(until);
                LockSupport.parkNanos(100_000);
            }
            assertThat(s.rules().groups()).as("groups loaded when ready").hasSize(groups);
            String base = "http://127.0.0.1:" + s.httpPort();
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/rules")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode listed = RunningServer.JSON.readTree(r.body()).path("data").path("groups");
            assertThat(listed.size()).as("groups listed right after ready").isEqualTo(groups);
            assertThat(listed.get(groups - 1).path("name").asText()).isEqualTo("g" + (groups - 1));
            assertThat(listed.get(groups - 1).path("rules").get(0).path("health").asText()).isEqualTo("unknown");
        }
    }
}
