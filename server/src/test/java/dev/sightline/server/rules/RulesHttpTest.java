package dev.sightline.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

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
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (groups().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
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
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (groups().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
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
}
