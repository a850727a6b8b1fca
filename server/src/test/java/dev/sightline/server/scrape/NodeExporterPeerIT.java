package dev.sightline.server.scrape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The real peers: Debian's node exporter scraped at the same interval by our scrape manager (inside a Sightline
 * server) and by the real Prometheus; both are then asked the same API questions and must agree on the series and
 * on stable values.
 */
class NodeExporterPeerIT {
    private static final Path NODE_EXPORTER = Path.of("/usr/bin/prometheus-node-exporter");
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private SightlineServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Process run(String name, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private void awaitHttp(String url) throws Exception {
        long end = System.currentTimeMillis() + 20_000;
        while (true) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("no 200 from " + url + " within 20 s; logs in " + dir);
            }
            Thread.sleep(100);
        }
    }

    private JsonNode api(int port, String pathAndQuery) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body()).path("data");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Set<String> series(int port, long start, long end) throws Exception {
        Set<String> out = new TreeSet<>();
        for (JsonNode s : api(port, "/api/v1/series?match[]=" + enc("{job=\"node\"}") + "&start=" + start + "&end=" + end)) {
            Map<String, String> m = new TreeMap<>();
            s.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
            out.add(m.toString());
        }
        return out;
    }

    /** How many times the node target was scraped in the last minute, as the server itself recorded it. */
    private int scrapes(int port, long t) throws Exception {
        JsonNode r = api(port, "/api/v1/query?query=" + enc("count_over_time(up{job=\"node\"}[1m])") + "&time=" + t).path("result");
        return r.isEmpty() ? 0 : r.get(0).path("value").get(1).asInt();
    }

    private double scalar(int port, String q, long t) throws Exception {
        JsonNode r = api(port, "/api/v1/query?query=" + enc(q) + "&time=" + t).path("result");
        assertThat(r).as(q).hasSize(1);
        return r.get(0).path("value").get(1).asDouble();
    }

    @Test
    void sameSeriesAndValuesAsPrometheus() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(NODE_EXPORTER), "peer not available: " + NODE_EXPORTER + " is not installed (apt-get install prometheus-node-exporter)");
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "peer not available: " + PROMETHEUS + " is not installed (apt-get install prometheus)");
        int nodePort = freePort();
        run("node-exporter", List.of(NODE_EXPORTER.toString(), "--web.listen-address=127.0.0.1:" + nodePort));
        awaitHttp("http://127.0.0.1:" + nodePort + "/metrics");

        Path config = dir.resolve("scrape.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: node
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(nodePort));
        int promPort = freePort();
        run("prometheus", List.of(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("prom"),
                "--web.listen-address=127.0.0.1:" + promPort));
        server = SightlineServer.start(new SightlineServer.Settings(dir.resolve("sightline"), "127.0.0.1", 0,
                new ConfigLoader().load(config), config));
        server.storage().get();
        awaitHttp("http://127.0.0.1:" + promPort + "/-/ready");
        int ourPort = server.httpPort();

        long start = System.currentTimeMillis() / 1000;
        // Wait until both have scraped at least twice (1 s interval); on a loaded machine the first scrape can lag.
        long deadline = System.currentTimeMillis() + 30_000;
        long end;
        do {
            Thread.sleep(500);
            end = System.currentTimeMillis() / 1000;
        } while ((scrapes(promPort, end) < 2 || scrapes(ourPort, end) < 2) && System.currentTimeMillis() < deadline);
        double promUp = scalar(promPort, "up{job=\"node\"}", end);
        double ourUp = scalar(ourPort, "up{job=\"node\"}", end);
        assertThat(ourUp).isEqualTo(1);
        assertThat(promUp).isEqualTo(1);

        Set<String> theirs = series(promPort, start - 60, end);
        Set<String> ours = series(ourPort, start - 60, end);
        Set<String> missing = new TreeSet<>(theirs);
        missing.removeAll(ours);
        Set<String> extra = new TreeSet<>(ours);
        extra.removeAll(theirs);
        assertThat(theirs).hasSizeGreaterThan(100);
        assertThat(missing).as("series Prometheus has and we do not").isEmpty();
        assertThat(extra).as("series we have and Prometheus does not").isEmpty();

        // Every label set agrees (over all scrapes of the window, so a series present in only some scrapes still
        // counts). Values are compared only for series that do not move between two scrapes moments apart; not for
        // scrape_duration_seconds, node_scrape_collector_duration_seconds, process_* and go_* of the exporter, or
        // counters (checked within skew below).
        for (String q : List.of("node_memory_MemTotal_bytes", "node_boot_time_seconds", "count(node_cpu_seconds_total)",
                "sum(node_filesystem_size_bytes)", "count({job=\"node\"})", "scrape_samples_scraped")) {
            assertThat(scalar(ourPort, q, end)).as(q).isEqualTo(scalar(promPort, q, end));
        }
        // A counter and a slowly moving gauge agree within what a second of scrape skew allows.
        double cpu = scalar(promPort, "sum(node_cpu_seconds_total)", end);
        assertThat(scalar(ourPort, "sum(node_cpu_seconds_total)", end)).isCloseTo(cpu, within(2.0 * Runtime.getRuntime().availableProcessors() + 1));
        double mem = scalar(promPort, "node_memory_MemAvailable_bytes", end);
        assertThat(scalar(ourPort, "node_memory_MemAvailable_bytes", end)).isCloseTo(mem, within(mem * 0.05));
    }
}
