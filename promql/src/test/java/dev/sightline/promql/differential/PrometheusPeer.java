package dev.sightline.promql.differential;

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
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (the Debian package's /usr/bin/prometheus) serving blocks that promtool built from OpenMetrics
 * text, bound to 127.0.0.1 on a free port, queried over its HTTP API.
 */
final class PrometheusPeer implements AutoCloseable {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private final Process process;
    private final Path log;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusPeer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Null when a binary is missing, so callers can skip with the reason. */
    static String unavailableReason() {
        for (Path p : List.of(PROMETHEUS, PROMTOOL)) {
            if (!Files.isExecutable(p)) {
                return p + " not found (apt package prometheus)";
            }
        }
        return null;
    }

    /** Runs {@code promtool tsdb create-blocks-from openmetrics} (blocks of the default 2 h). */
    static void createBlocks(Path openMetrics, Path dataDir, Path workDir) throws IOException, InterruptedException {
        Path out = workDir.resolve("promtool.log");
        Process p = new ProcessBuilder(PROMTOOL.toString(), "tsdb", "create-blocks-from", "openmetrics",
                openMetrics.toString(), dataDir.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("promtool failed: " + Files.readString(out));
        }
    }

    /**
     * Starts Prometheus on the data dir with no scrape targets. Retention 100y keeps blocks from the past queryable;
     * evaluation_interval 1m is also the default subquery step (our engine's default too).
     */
    static PrometheusPeer start(Path dataDir, Path workDir) throws IOException, InterruptedException {
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 15s\n  evaluation_interval: 1m\n");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = workDir.resolve("prometheus.log");
        Process p = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dataDir, "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=100y", "--query.lookback-delta=5m")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusPeer peer = new PrometheusPeer(p, log, port);
        peer.awaitReady();
        return peer;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("prometheus not ready after 60 s:\n" + Files.readString(log));
    }

    Outcome instant(String query, long timeMs) throws IOException, InterruptedException {
        return call("/api/v1/query", List.of("query", query, "time", seconds(timeMs)));
    }

    Outcome range(String query, long startMs, long endMs, long stepMs) throws IOException, InterruptedException {
        return call("/api/v1/query_range", List.of("query", query, "start", seconds(startMs), "end", seconds(endMs),
                "step", seconds(stepMs)));
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format("%d.%03d", ms / 1000, ms % 1000);
    }

    @SuppressWarnings("unchecked")
    private Outcome call(String path, List<String> params) throws IOException, InterruptedException {
        List<String> parts = new ArrayList<>();
        for (int k = 0; k < params.size(); k += 2) {
            parts.add(params.get(k) + "=" + URLEncoder.encode(params.get(k + 1), StandardCharsets.UTF_8));
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(String.join("&", parts))).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        Map<String, Object> body = (Map<String, Object>) MinimalJsonReader.parse(r.body());
        if (!"success".equals(body.get("status"))) {
            return Outcome.error(body.get("errorType") + ": " + body.get("error"));
        }
        return Outcome.fromPrometheus((Map<String, Object>) body.get("data"));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
