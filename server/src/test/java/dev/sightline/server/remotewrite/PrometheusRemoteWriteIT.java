package dev.sightline.server.remotewrite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.tsdb.Tsdb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real Prometheus (Debian's package) scrapes itself every second and remote-writes to our /api/v1/write; the
 * series it stores and the samples of a few of them must be what we stored.
 */
class PrometheusRemoteWriteIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void whatPrometheusStoresIsWhatWeReceive() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "peer not available: " + PROMETHEUS + " (Debian package prometheus)");
        try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(
                tmp.resolve("sightline"), "127.0.0.1", 0, SightlineConfig.defaults()))) {
            Tsdb tsdb = server.storage().get(60, TimeUnit.SECONDS);
            int promPort = freePort();
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: prometheus
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/write
                        queue_config:
                          batch_send_deadline: 500ms
                          min_backoff: 100ms
                    """.formatted(promPort, server.httpPort()));
            Path log = tmp.resolve("prometheus.log");
            Process prometheus = new ProcessBuilder(PROMETHEUS.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + tmp.resolve("prometheus-data"),
                    "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                compareWithPrometheus(tsdb, promPort, log);
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private void compareWithPrometheus(Tsdb tsdb, int promPort, Path log) throws Exception {
        String prom = "http://127.0.0.1:" + promPort;
        // Series sets converge once a few scrapes were shipped; new series keep appearing for a while (e.g. the
        // request histograms of the endpoints we call), so poll until both sides agree.
        Set<Labels> theirs = Set.of();
        Set<Labels> ours = Set.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            try {
                theirs = prometheusSeries(prom);
            } catch (IOException e) {
                continue; // not listening yet
            }
            ours = ourSeries(tsdb);
            if (theirs.size() > 100 && theirs.equals(ours)) {
                break;
            }
        }
        assertThat(theirs).as("Prometheus's series (log: %s)", readLog(log)).hasSizeGreaterThan(100);
        assertThat(ours).containsExactlyInAnyOrderElementsOf(theirs);
        System.out.println("series compared with Prometheus: " + theirs.size());

        // Samples: the raw samples Prometheus holds for a few series up to a time both sides have, against ours.
        // A few more scrapes first, so the window holds several samples; the end lies before what is still in flight.
        Thread.sleep(3000);
        long end = System.currentTimeMillis() - 1500;
        for (String selector : List.of("up", "prometheus_tsdb_head_series", "scrape_samples_scraped",
                "prometheus_http_requests_total{handler=\"/api/v1/series\"}")) {
            Map<Labels, List<String>> expected = prometheusSamples(prom, selector, end);
            assertThat(expected).as(selector).isNotEmpty();
            assertThat(expected.values().iterator().next()).as(selector).hasSizeGreaterThanOrEqualTo(2);
            for (Map.Entry<Labels, List<String>> e : expected.entrySet()) {
                List<String> got = ourSamples(tsdb, e.getKey(), end - 60_000, end);
                for (int attempt = 0; attempt < 20 && !got.equals(e.getValue()); attempt++) {
                    Thread.sleep(500);
                    got = ourSamples(tsdb, e.getKey(), end - 60_000, end);
                }
                assertThat(got).as("samples of %s", e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    private Set<Labels> prometheusSeries(String prom) throws Exception {
        JsonNode data = get(prom + "/api/v1/series?match[]=" + enc("{__name__=~\".+\"}") + "&start=0").get("data");
        Set<Labels> out = new TreeSet<>();
        for (JsonNode s : data) {
            out.add(labels(s));
        }
        return out;
    }

    private static Set<Labels> ourSeries(Tsdb tsdb) {
        Set<Labels> out = new TreeSet<>();
        try (Querier q = tsdb.querier(0, Long.MAX_VALUE / 2)) {
            SeriesSet ss = q.select(false, 0, Long.MAX_VALUE / 2, LabelMatcher.re("__name__", ".+"));
            while (ss.next()) {
                out.add(ss.at().labels());
            }
        }
        return out;
    }

    /** Raw samples of the last minute before {@code end} through a range-vector instant query; "t=v" strings. */
    private Map<Labels, List<String>> prometheusSamples(String prom, String selector, long end) throws Exception {
        JsonNode json = get(prom + "/api/v1/query?query=" + enc(selector + "[1m]") + "&time=" + (end / 1000.0));
        Map<Labels, List<String>> out = new TreeMap<>();
        for (JsonNode series : json.get("data").get("result")) {
            List<String> samples = new ArrayList<>();
            for (JsonNode v : series.get("values")) {
                long t = new BigDecimal(v.get(0).asText()).movePointRight(3).longValueExact();
                samples.add(t + "=" + Double.parseDouble(v.get(1).asText()));
            }
            out.put(labels(series.get("metric")), samples);
        }
        return out;
    }

    private static List<String> ourSamples(Tsdb tsdb, Labels labels, long fromExclusive, long to) {
        List<String> out = new ArrayList<>();
        try (Querier q = tsdb.querier(fromExclusive + 1, to)) {
            SeriesSet ss = q.select(false, fromExclusive + 1, to, LabelMatcher.eq("__name__", labels.metricName()));
            while (ss.next()) {
                if (ss.at().labels().equals(labels)) {
                    SampleIterator it = ss.at().iterator(null);
                    while (it.next() == ValueType.FLOAT) {
                        out.add(it.timestamp() + "=" + it.value());
                    }
                }
            }
        }
        return out;
    }

    private static Labels labels(JsonNode obj) {
        Labels.Builder b = Labels.builder();
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            b.set(e.getKey(), e.getValue().asText());
        }
        return b.build();
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String readLog(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
