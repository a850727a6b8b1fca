package dev.sightline.server.synthetics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import dev.sightline.synthetics.canary.Poll;
import dev.sightline.synthetics.canary.StaleCacheApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The canaries of a running server over the in-test app: the API's shape, the store's series, reloads (HTTP, SIGHUP). */
class CanaryServiceTest {
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @TempDir
    Path dir;

    private JsonNode canaries() throws Exception {
        return server.getJson("/api/v1/canaries").path("data").path("canaries");
    }

    @Test
    void runsFromStartShowsStateAndReloads() throws Exception {
        try (StaleCacheApp app = StaleCacheApp.inMemory()) {
            String config = """
                    canaries:
                      - name: product-cache
                        interval: 1s
                        timeout: 1s
                        write: {http: {url: "%s"}}
                        readers:
                          - {name: eu, labels: {region: eu}, http: {url: "%s", jsonpath: "$.value"}}
                    """.formatted(app.url("/db"), app.url("/cache"));
            server.start(dir, config);
            Poll.until(10, "a measured round", () -> {
                try {
                    return canaries().get(0).path("readers").get(0).path("lagSeconds").isNumber();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode c = canaries().get(0);
            assertThat(c.path("name").asText()).isEqualTo("product-cache");
            assertThat(c.path("write").path("kind").asText()).isEqualTo("http");
            assertThat(c.path("intervalSeconds").asDouble()).isEqualTo(1.0);
            assertThat(c.path("lastRound").asDouble()).isGreaterThan(0);
            JsonNode r = c.path("readers").get(0);
            assertThat(r.path("name").asText()).isEqualTo("eu");
            assertThat(r.path("kind").asText()).isEqualTo("http");
            assertThat(r.path("labels").path("region").asText()).isEqualTo("eu");
            assertThat(r.path("stalenessSeconds").asDouble()).isLessThan(1);
            assertThat(r.path("lastSuccess").asDouble()).isGreaterThan(0);
            assertThat(r.has("lastError")).isTrue();
            Poll.until(10, "the series in the store", () -> {
                try {
                    return server.query("sightline_canary_lag_seconds{canary=\"product-cache\",reader=\"eu\",region=\"eu\"}").size() == 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            // Refused: an unknown kind, at its key; the running canary is untouched.
            Path file = server.configFile();
            Files.writeString(file, config.replace("http: {url: \"" + app.url("/cache"), "memcached: {url: \"" + app.url("/cache")));
            HttpResponse<String> bad = server.reload();
            assertThat(bad.statusCode()).isEqualTo(500);
            assertThat(bad.body()).contains(file + ":7:42: canaries[0].readers[0].memcached: unknown key \"memcached\" in a reader");
            assertThat(canaries().get(0).path("readers").get(0).path("kind").asText()).isEqualTo("http");

            // Applied: a second reader.
            Files.writeString(file, config + "      - {name: us, http: {url: \"" + app.url("/cache") + "\", regex: \"sightline-canary/[^\\\"]+\"}}\n");
            HttpResponse<String> good = server.reload();
            assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
            assertThat(canaries().get(0).path("readers")).hasSize(2);

            // SIGHUP too: only a signal can bring the third reader (re-sent every 2 s, as ScrapeServiceTest does:
            // on a saturated machine one delivery was seen to produce no reload in time).
            Files.writeString(file, Files.readString(file) + "      - {name: ap, http: {url: \"" + app.url("/cache") + "\"}}\n");
            long deadline = System.currentTimeMillis() + 30_000;
            while (canaries().get(0).path("readers").size() != 3 && System.currentTimeMillis() < deadline) {
                new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                long next = System.currentTimeMillis() + 2_000;
                while (canaries().get(0).path("readers").size() != 3 && System.currentTimeMillis() < next) {
                    Thread.sleep(100);
                }
            }
            assertThat(canaries().get(0).path("readers")).as("readers after SIGHUP").hasSize(3);
        }
    }
}
