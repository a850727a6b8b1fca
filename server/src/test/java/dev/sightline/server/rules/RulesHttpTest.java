package dev.sightline.server.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rules in a running server: the APIs over HTTP, reload through POST /-/reload, a bad file refused at start. */
class RulesHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SightlineServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
    }

    private JsonNode groups() throws Exception {
        HttpResponse<String> r = send(req("/api/v1/rules"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("data").path("groups");
    }

    @Test
    void servesRulesAndReloadsThem() throws Exception {
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, "rule_files: ['rules/*.yml']\n");
        Files.createDirectories(dir.resolve("rules"));
        Path rules = dir.resolve("rules/a.yml");
        Files.writeString(rules, "groups:\n  - name: a\n    rules:\n      - alert: Up\n        expr: vector(1)\n");
        server = SightlineServer.start(new SightlineServer.Settings(dir.resolve("data"), "127.0.0.1", 0,
                new ConfigLoader().load(config), config));
        server.storage().get();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (groups().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        JsonNode g = groups().get(0);
        assertThat(g.path("name").asText()).isEqualTo("a");
        assertThat(g.path("rules").get(0).path("type").asText()).isEqualTo("alerting");
        assertThat(g.path("rules").get(0).path("health").asText()).isEqualTo("unknown");
        HttpResponse<String> alerts = send(req("/api/v1/alerts"));
        assertThat(JSON.readTree(alerts.body()).path("data").path("alerts").isArray()).isTrue();
        assertThat(send(req("/api/v1/rules?type=bogus")).statusCode()).isEqualTo(400);
        assertThat(send(req("/metrics")).body()).contains("sightline_rule_group_rules{rule_group=\"" + rules + ";a\"} 1");

        Files.writeString(rules, "groups:\n  - name: b\n    rules:\n      - alert: Up\n        expr: vector(\n");
        HttpResponse<String> bad = send(req("/-/reload").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(bad.statusCode()).isEqualTo(500);
        assertThat(bad.body()).contains(rules + ":5: could not parse expression");
        assertThat(groups().get(0).path("name").asText()).isEqualTo("a");

        Files.writeString(rules, "groups:\n  - name: b\n    rules:\n      - record: r\n        expr: vector(1)\n");
        assertThat(send(req("/-/reload").POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(200);
        assertThat(groups().get(0).path("name").asText()).isEqualTo("b");
    }

    @Test
    void filtersRulesAsPrometheusDoes() throws Exception {
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, "rule_files: [a.yml, b.yml]\n");
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
        server = SightlineServer.start(new SightlineServer.Settings(dir.resolve("data"), "127.0.0.1", 0,
                new ConfigLoader().load(config), config));
        server.storage().get();
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
        JsonNode rule = JSON.readTree(send(req("/api/v1/rules?exclude_alerts=true&rule_name[]=Runaway")).body())
                .path("data").path("groups").get(0).path("rules").get(0);
        assertThat(rule.has("alerts")).isFalse();
        assertThat(rule.path("labels").path("team").asText()).isEqualTo("shop");
        HttpResponse<String> badMatch = send(req("/api/v1/rules?match[]=%7Bteam%3D"));
        assertThat(badMatch.statusCode()).isEqualTo(400);
        assertThat(badMatch.body()).contains("invalid parameter \\\"match[]\\\"");
        assertThat(send(req("/api/v1/rules?exclude_alerts=maybe")).statusCode()).isEqualTo(400);
    }

    private java.util.List<String> names(String query) throws Exception {
        HttpResponse<String> r = send(req("/api/v1/rules" + query));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode g : JSON.readTree(r.body()).path("data").path("groups")) {
            for (JsonNode rule : g.path("rules")) {
                out.add(rule.path("name").asText());
            }
        }
        return out;
    }

    @Test
    void badRuleFileStopsTheStart() throws Exception {
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, "rule_files: [r.yml]\n");
        Files.writeString(dir.resolve("r.yml"), "groups:\n  - name: a\n    rules:\n      - alert: A\n");
        assertThatThrownBy(() -> SightlineServer.start(new SightlineServer.Settings(dir.resolve("data"), "127.0.0.1", 0,
                new ConfigLoader().load(config), config)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("r.yml") + ":4: field 'expr' must be set in rule");
    }
}
