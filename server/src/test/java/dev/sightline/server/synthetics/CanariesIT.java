package dev.sightline.server.synthetics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import dev.sightline.synthetics.canary.Poll;
import dev.sightline.synthetics.canary.PostgresPeers;
import dev.sightline.synthetics.canary.RedisPeers;
import dev.sightline.synthetics.canary.StaleCacheApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Freshness canaries in a running Sightline against real peers the test starts: a PostgreSQL 15 primary with a
 * streaming replica, a Redis primary with a replica, and the app whose cache invalidation breaks. Replay paused,
 * link cut and cache broken at once: the example's staleness rule, loaded into the server, fires for each reader
 * that went stale (and for no other), /api/v1/canaries shows them, and a reload with a bad canary section is
 * refused at FILE:LINE:COL while the canaries keep running.
 */
class CanariesIT {
    @TempDir
    Path dir;

    private static String config(PostgresPeers pg, RedisPeers redis, StaleCacheApp app) {
        return """
                global:
                  evaluation_interval: 1s
                rule_files: [rules.yml]
                canaries:
                  - name: orders-db
                    interval: 1s
                    timeout: 1s
                    write: {sql: {url: "%s", user: postgres, table: sightline_canary}}
                    readers:
                      - {name: primary, sql: {url: "%s", user: postgres}}
                      - {name: replica, labels: {region: eu}, sql: {url: "%s", user: postgres}}
                  - name: sessions
                    interval: 1s
                    timeout: 1s
                    write: {redis: {url: "%s"}}
                    readers:
                      - {name: replica, labels: {region: us}, redis: {url: "%s"}}
                  - name: product-cache
                    interval: 1s
                    timeout: 1s
                    write: {http: {method: POST, url: "%s"}}
                    readers:
                      - {name: cache, labels: {region: eu}, http: {url: "%s", jsonpath: "$.value"}}
                """.formatted(pg.primaryUrl(), pg.primaryUrl(), pg.replicaUrl(), redis.primaryUrl(), redis.replicaUrl(),
                app.url("/db"), app.url("/cache"));
    }

    @Test
    void staleReadersFireTheStalenessAlertAndABadReloadKeepsTheCanaries() throws Exception {
        try (PostgresPeers pg = PostgresPeers.start(); RedisPeers redis = RedisPeers.start(Files.createDirectories(dir.resolve("redis")));
             StaleCacheApp app = StaleCacheApp.inMemory(); RunningServer server = new RunningServer()) {
            // The example rules of the repository, with a threshold a test can wait for.
            String rules = Files.readString(Path.of("../examples/rules/canaries.yml"))
                    .replace("sightline_canary_staleness_seconds > 300", "sightline_canary_staleness_seconds > 3")
                    .replace("for: 2m", "for: 0s");
            assertThat(rules).contains("> 3").contains("for: 0s");
            Files.writeString(dir.resolve("rules.yml"), rules);
            server.start(dir, config(pg, redis, app));

            Poll.until(30, "every reader fresh", () -> {
                JsonNode c = canaries(server);
                return c.size() == 3 && fresh(c, "orders-db", "replica") && fresh(c, "sessions", "replica")
                        && fresh(c, "product-cache", "cache");
            });
            long injected = System.currentTimeMillis();
            pg.pauseReplay();
            redis.cutLink();
            app.breakInvalidation();

            Poll.until(20, "the staleness alert firing for the three stale readers", () -> firing(server).size() == 3);
            assertThat(firing(server)).containsExactlyInAnyOrder("orders-db/replica/eu", "sessions/replica/us", "product-cache/cache/eu");
            // What the metric store holds follows the delay injected.
            JsonNode result = server.query("sightline_canary_staleness_seconds{reader!=\"primary\"}");
            assertThat(result.size()).isEqualTo(3);
            double since = (System.currentTimeMillis() - injected) / 1000.0;
            for (JsonNode series : result) {
                assertThat(series.path("value").get(1).asDouble()).isGreaterThan(3).isLessThanOrEqualTo(since + 1.0);
            }
            assertThat(server.query("sightline_canary_staleness_seconds{reader=\"primary\"}").get(0).path("value").get(1).asDouble())
                    .isLessThan(1);
            assertThat(server.query("sightline_canary_missing_total{canary=\"product-cache\"}").get(0).path("value").get(1).asDouble())
                    .isGreaterThanOrEqualTo(1);
            JsonNode replica = reader(canaries(server), "orders-db", "replica");
            assertThat(replica.path("stalenessSeconds").asDouble()).isGreaterThan(3);
            assertThat(replica.path("kind").asText()).isEqualTo("sql");
            assertThat(replica.path("labels").path("region").asText()).isEqualTo("eu");
            assertThat(replica.path("lastError").isNull()).isTrue();

            // A bad canary section is refused where it is wrong; the canaries keep running unchanged.
            Path file = server.configFile();
            String good = Files.readString(file);
            Files.writeString(file, good.replace("interval: 1s\n    timeout: 1s\n    write: {redis", "interval: often\n    timeout: 1s\n    write: {redis"));
            HttpResponse<String> bad = server.reload();
            assertThat(bad.statusCode()).isEqualTo(500);
            assertThat(bad.body()).contains(file + ":13:15: canaries[1].interval: invalid duration \"often\"");
            double before = canaries(server).get(1).path("lastRound").asDouble();
            Poll.until(5, "a round after the refused reload", () -> canary(server, "sessions").path("lastRound").asDouble() > before);
            assertThat(canaries(server).size()).isEqualTo(3);

            // A good one applies: the sessions canary is gone.
            Files.writeString(file, good.substring(0, good.indexOf("  - name: sessions")) + good.substring(good.indexOf("  - name: product-cache")));
            assertThat(server.reload().statusCode()).isEqualTo(200);
            JsonNode after = canaries(server);
            assertThat(after.size()).isEqualTo(2);
            assertThat(after.get(1).path("name").asText()).isEqualTo("product-cache");
            pg.resumeReplay();
        }
    }

    private static JsonNode canaries(RunningServer server) {
        try {
            return server.getJson("/api/v1/canaries").path("data").path("canaries");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode canary(RunningServer server, String name) {
        for (JsonNode c : canaries(server)) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no canary " + name);
    }

    private static JsonNode reader(JsonNode canaries, String canary, String reader) {
        for (JsonNode c : canaries) {
            if (c.path("name").asText().equals(canary)) {
                for (JsonNode r : c.path("readers")) {
                    if (r.path("name").asText().equals(reader)) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no reader " + canary + "/" + reader);
    }

    private static boolean fresh(JsonNode canaries, String canary, String reader) {
        JsonNode s = reader(canaries, canary, reader).path("stalenessSeconds");
        return s.isNumber() && s.asDouble() < 1;
    }

    /** canary/reader/region of every firing CanaryStale alert. */
    private static Set<String> firing(RunningServer server) {
        Set<String> out = new HashSet<>();
        try {
            for (JsonNode a : server.getJson("/api/v1/alerts").path("data").path("alerts")) {
                JsonNode l = a.path("labels");
                if (a.path("state").asText().equals("firing") && l.path("alertname").asText().equals("CanaryStale")) {
                    out.add(l.path("canary").asText() + "/" + l.path("reader").asText() + "/" + l.path("region").asText());
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
