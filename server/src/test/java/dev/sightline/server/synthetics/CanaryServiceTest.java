package dev.sightline.server.synthetics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import dev.sightline.synthetics.canary.Poll;
import dev.sightline.synthetics.canary.StaleCacheApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The canaries of a running server over the in-test app: the API's shape, the store's series, each round's trace and
 * failure lines, reloads (HTTP, SIGHUP).
 */
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

    /** Waits for a value of {@code get} that {@code ok} accepts. */
    private static JsonNode await(String what, Get get, java.util.function.Predicate<JsonNode> ok)
            throws InterruptedException {
        JsonNode[] last = new JsonNode[1];
        Poll.until(20, what, () -> {
            try {
                last[0] = get.get();
                return ok.test(last[0]);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return last[0];
    }

    interface Get {
        JsonNode get() throws Exception;
    }

    @Test
    void eachRoundIsATraceAndEachStaleOrFailingReaderALogLine() throws Exception {
        try (ShopCanary shop = new ShopCanary()) {
            server.start(dir, shop.config());
            JsonNode canary = await("a traced round", () -> canaries().get(0), c -> c.path("lastTraceId").isTextual());
            String traceId = canary.path("lastTraceId").asText();
            assertThat(traceId).matches("[0-9a-f]{32}");

            JsonNode trace = await("the round's trace", () -> server.getJson("/jaeger/api/traces/" + traceId),
                    t -> t.path("data").path(0).path("spans").size() == 4).path("data").path(0);
            Map<String, JsonNode> spans = new HashMap<>();
            trace.path("spans").forEach(s -> spans.put(s.path("operationName").asText(), s));
            assertThat(spans).containsOnlyKeys("canary shop", "write", "read fresh", "read stale");
            String root = spans.get("canary shop").path("spanID").asText();
            for (String child : new String[] {"write", "read fresh", "read stale"}) {
                assertThat(spans.get(child).path("references").get(0).path("spanID").asText()).as(child).isEqualTo(root);
            }
            assertThat(trace.path("processes").findValuesAsText("serviceName")).containsOnly("sightline-canaries");
            assertThat(tag(spans.get("read fresh"), "canary.outcome")).isEqualTo("visible");
            assertThat(tag(spans.get("read fresh"), "canary.lag_seconds")).isNotEmpty();
            assertThat(tag(spans.get("read fresh"), "error")).isEmpty();
            assertThat(tag(spans.get("read stale"), "canary.outcome")).isEqualTo("missing");
            assertThat(Double.parseDouble(tag(spans.get("read stale"), "canary.staleness_seconds"))).isBetween(3600.0, 3700.0);
            assertThat(tag(spans.get("read stale"), "canary.label.region")).isEqualTo("us");
            assertThat(tag(spans.get("read stale"), "error")).isEqualTo("true");
            assertThat(tag(spans.get("canary shop"), "otel.status_description")).isEqualTo("1 of 2 readers stale or failing");
            assertThat(tag(spans.get("write"), "error")).isEmpty();

            String query = URLEncoder.encode("{service_name=\"sightline-canaries\", canary=\"shop\"}", StandardCharsets.UTF_8);
            JsonNode lines = await("failure lines", () -> server.getJson("/loki/api/v1/query_range?query=" + query + "&limit=100"),
                    r -> r.path("data").path("result").size() > 0).path("data").path("result");
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0).path("stream").path("level").asText()).isEqualTo("error");
            StringBuilder all = new StringBuilder();
            lines.get(0).path("values").forEach(v -> all.append(v.get(1).asText()).append('\n'));
            // A line per round for the stale reader (the fresh one is never stale; a round a loaded machine slows
            // past the timeout writes error lines, so those are allowed), each naming its round's trace.
            assertThat(all.toString().lines()).allSatisfy(l -> assertThat(l).startsWith("canary=shop ")
                    .matches(".* trace_id=[0-9a-f]{32}$").doesNotContain("reader=fresh kind=http outcome=missing"));
            String staleLine = all.toString().lines()
                    .filter(l -> l.startsWith("canary=shop reader=stale kind=http outcome=missing staleness_seconds=36"))
                    .findFirst().orElseThrow(() -> new AssertionError("no stale line in " + all));
            String lineTrace = staleLine.substring(staleLine.indexOf("trace_id=") + 9);
            assertThat(server.getJson("/jaeger/api/traces/" + lineTrace).path("data").path(0).path("spans")
                    .findValuesAsText("operationName")).contains("read stale");
        }
    }

    /** A Jaeger span's tag value as text, "" when absent. */
    private static String tag(JsonNode span, String key) {
        for (JsonNode t : span.path("tags")) {
            if (t.path("key").asText().equals(key)) {
                return t.path("value").asText();
            }
        }
        return "";
    }
}
