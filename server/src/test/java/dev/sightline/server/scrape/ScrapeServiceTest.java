package dev.sightline.server.scrape;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Scraping in a running server: targets API, staleness through the real storage, reload via HTTP. */
class ScrapeServiceTest {
    private HttpServer exporter;
    private volatile String body = "a{x=\"1\"} 1\nb 2\n";
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.stop(0);
        }
    }

    private String startExporter() throws Exception {
        exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        exporter.createContext("/metrics", ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        exporter.start();
        return "127.0.0.1:" + exporter.getAddress().getPort();
    }

    private static <T> T await(ThrowingSupplier<T> s, Predicate<T> ok, String what) throws Exception {
        long end = System.currentTimeMillis() + 15_000;
        T v = s.get();
        while (!ok.test(v)) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what + "; last: " + v);
            }
            Thread.sleep(100);
            v = s.get();
        }
        return v;
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void targetsApiStalenessAndReload() throws Exception {
        String addr = startExporter();
        String good = """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: stub
                    static_configs:
                      - targets: ['%s', 'drop.me:1']
                        labels: {env: test}
                    relabel_configs:
                      - source_labels: [__address__]
                        regex: 'drop\\.me:.*'
                        action: drop
                """.formatted(addr);
        server.start(dir, good);
        Path config = server.configFile();

        JsonNode targets = await(() -> server.getJson("/api/v1/targets"),
                t -> t.path("data").path("activeTargets").path(0).path("health").asText().equals("up"), "a successful scrape");
        assertThat(targets.path("status").asText()).isEqualTo("success");
        JsonNode t = targets.path("data").path("activeTargets").get(0);
        assertThat(fieldNames(t)).containsExactly("discoveredLabels", "labels", "scrapePool", "scrapeUrl", "globalUrl",
                "lastError", "lastScrape", "lastScrapeDuration", "health", "scrapeInterval", "scrapeTimeout");
        assertThat(fieldNames(t.path("discoveredLabels"))).containsExactlyInAnyOrder("__address__", "__metrics_path__",
                "__scheme__", "__scrape_interval__", "__scrape_timeout__", "env", "job");
        assertThat(RunningServer.JSON.convertValue(t.path("labels"), new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, String>>() { }))
                .isEqualTo(java.util.Map.of("env", "test", "instance", addr, "job", "stub"));
        assertThat(t.path("scrapePool").asText()).isEqualTo("stub");
        assertThat(t.path("scrapeUrl").asText()).isEqualTo("http://" + addr + "/metrics");
        assertThat(t.path("globalUrl").asText()).endsWith(":" + exporter.getAddress().getPort() + "/metrics");
        assertThat(t.path("lastError").asText()).isEmpty();
        assertThat(Instant.parse(t.path("lastScrape").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(t.path("lastScrapeDuration").isNumber()).isTrue();
        assertThat(t.path("scrapeInterval").asText()).isEqualTo("1s");
        assertThat(t.path("scrapeTimeout").asText()).isEqualTo("1s");
        JsonNode dropped = targets.path("data").path("droppedTargets");
        assertThat(dropped).hasSize(1);
        assertThat(fieldNames(dropped.get(0))).containsExactly("discoveredLabels");
        assertThat(dropped.get(0).path("discoveredLabels").path("__address__").asText()).isEqualTo("drop.me:1");

        assertThat(server.getJson("/api/v1/targets?state=active").path("data").path("droppedTargets")).isEmpty();
        assertThat(server.getJson("/api/v1/targets?state=active").path("data").path("activeTargets")).hasSize(1);
        assertThat(server.getJson("/api/v1/targets?state=dropped").path("data").path("activeTargets")).isEmpty();
        assertThat(server.getJson("/api/v1/targets?state=dropped").path("data").path("droppedTargets")).hasSize(1);

        // Scraped samples are queryable with the target labels.
        JsonNode a = await(() -> server.query("a"), r -> r.size() == 1, "series a");
        assertThat(a.get(0).path("metric").path("instance").asText()).isEqualTo(addr);
        assertThat(server.query("up{job=\"stub\"}").get(0).path("value").get(1).asText()).isEqualTo("1");

        // The series vanishes from the exposition: its stale marker ends it at once (no 5-minute lookback).
        body = "b 3\n";
        await(() -> server.query("a"), r -> r.isEmpty(), "a to go stale");
        assertThat(server.query("b")).hasSize(1);

        // A bad file is refused with its location; the old configuration keeps running.
        Files.writeString(config, "scrape_configs:\n  - job_name: stub\n    scrape_intervall: 1s\n");
        HttpResponse<String> bad = server.reload();
        assertThat(bad.statusCode()).isEqualTo(500);
        assertThat(bad.body()).startsWith("failed to reload config: " + config + ":3:5: unknown key \"scrape_intervall\"");
        assertThat(server.getJson("/api/v1/targets").path("data").path("activeTargets").get(0).path("scrapePool").asText()).isEqualTo("stub");

        // A good one replaces the job: the old job's series are marked stale, the new one scrapes.
        Files.writeString(config, good.replace("job_name: stub", "job_name: other"));
        assertThat(server.reload().statusCode()).isEqualTo(200);
        JsonNode after = server.getJson("/api/v1/targets").path("data").path("activeTargets");
        assertThat(after).hasSize(1);
        assertThat(after.get(0).path("scrapePool").asText()).isEqualTo("other");
        assertThat(server.query("up{job=\"stub\"}")).isEmpty();
        await(() -> server.query("up{job=\"other\"}"), r -> r.size() == 1, "the new job's first scrape");

        // SIGHUP reloads too, as in Prometheus (the server installed the handler because it was given a file).
        // The signal is re-sent every 2 s (a reload is idempotent): on a saturated CI machine one delivery was
        // seen to produce no reload within 15 s. Only a SIGHUP can make the pool "third" here.
        Files.writeString(config, good.replace("job_name: stub", "job_name: third"));
        long deadline = System.currentTimeMillis() + 30_000;
        String pool = "";
        while (!pool.equals("third") && System.currentTimeMillis() < deadline) {
            new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            long next = System.currentTimeMillis() + 2_000;
            do {
                Thread.sleep(100);
                pool = server.getJson("/api/v1/targets").path("data").path("activeTargets").path(0).path("scrapePool").asText();
            } while (!pool.equals("third") && System.currentTimeMillis() < next);
        }
        assertThat(pool).as("scrape pool after SIGHUP").isEqualTo("third");
    }
}
