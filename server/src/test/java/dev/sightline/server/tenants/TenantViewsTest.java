package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import dev.sightline.server.logapi.LiveTailTest.Frames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.tenants.RemoteWrites.label;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The views over every tenant's data that used to answer 501 with multitenancy on: Loki live tail and patterns,
 * /api/v1/status/tsdb and the service catalogue (span metrics now per tenant); and scrape jobs writing into the
 * tenant they name. Two tenants write into one server; each sees only what it wrote, never the reserved label.
 */
class TenantViewsTest {
    private static final long NOW_MS = System.currentTimeMillis();

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    /** What both scrape jobs scrape: one exposition, written into the tenant each job names. */
    private static HttpServer target;

    @BeforeAll
    static void start() throws Exception {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/metrics", ex -> {
            byte[] body = "scraped_metric 42\n".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        target.start();
        server.start(dir, """
                tenants:
                  multitenancy_enabled: true
                metrics_generator:
                  collection_interval: 100ms
                scrape_configs:
                  - job_name: a-job
                    tenant: a
                    scrape_interval: 1s
                    static_configs: [{targets: ["127.0.0.1:%1$d"]}]
                  - job_name: b-job
                    tenant: b
                    scrape_interval: 1s
                    static_configs: [{targets: ["127.0.0.1:%1$d"]}]
                """.formatted(target.getAddress().getPort()));
        // Series of the same metric name in both tenants, and one only b has.
        assertThat(RemoteWrites.write(server, "a", series("shared_metric", "pod", "a-0"), "prometheus.WriteRequest")
                .statusCode()).isEqualTo(204);
        for (String pod : List.of("b-0", "b-1", "b-2")) {
            assertThat(RemoteWrites.write(server, "b", series("shared_metric", "pod", pod), "prometheus.WriteRequest")
                    .statusCode()).isEqualTo(204);
        }
        assertThat(RemoteWrites.write(server, "b", series("b_only_metric", "b_label", "x"), "prometheus.WriteRequest")
                .statusCode()).isEqualTo(204);
        // Spans of a service per tenant (their span metrics make the service), and HTTP server metrics of b's.
        for (String t : List.of("a", "b")) {
            long end = NOW_MS * 1_000_000;
            HttpResponse<String> spans = server.send(server.request("/v1/traces").header(Tenants.HEADER, t)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"resourceSpans": [{"resource": {"attributes": [
                                {"key": "service.name", "value": {"stringValue": "svc-%s"}}]},
                              "scopeSpans": [{"spans": [{"traceId": "0af7651916cd43dd8448eb211c80319c",
                                "spanId": "00000000000000a1", "name": "GET /%s", "kind": 2,
                                "startTimeUnixNano": "%d", "endTimeUnixNano": "%d"}]}]}]}
                            """.formatted(t, t, end - 2_000_000, end))));
            assertThat(spans.statusCode()).as(spans.body()).isEqualTo(200);
        }
        assertThat(RemoteWrites.write(server, "b", series("http_server_request_duration_seconds_count", "job", "http-b"),
                "prometheus.WriteRequest").statusCode()).isEqualTo(204);
    }

    @AfterAll
    static void stopTarget() {
        target.stop(0);
    }

    @Test
    void aScrapeJobWritesIntoTheTenantItNames() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        List<String> a = jobs("a", "scraped_metric");
        while ((a.isEmpty() || jobs("b", "scraped_metric").isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            a = jobs("a", "scraped_metric");
        }
        assertThat(a).containsExactly("a-job");
        assertThat(jobs("b", "scraped_metric")).containsExactly("b-job");
        // The scrape's own series (up, scrape_duration_seconds, ...) go with it.
        assertThat(jobs("a", "{__name__=~\"up|scrape_.+\"}")).containsOnly("a-job");
        assertThat(jobs("b", "up")).containsExactly("b-job");
        assertThat(jobs("c", "up")).isEmpty();
    }

    @Test
    void servicesComeFromTheTenantsOwnSpansAndMetrics() throws Exception {
        // Span metrics are collected every 100 ms, each tenant's into its own share.
        long deadline = System.nanoTime() + 20_000_000_000L;
        List<String> a = services("a");
        List<String> b = services("b");
        while ((!a.contains("svc-a") || !b.contains("svc-b")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            a = services("a");
            b = services("b");
        }
        assertThat(a).containsExactly("svc-a");
        assertThat(b).containsExactly("http-b", "svc-b");
        // The span metrics are the tenant's series like any other: a's PromQL sees its own only.
        JsonNode calls = query("a", "/api/v1/query?query=" + enc("sum by (service) (traces_spanmetrics_calls_total)"));
        assertThat(calls.path("data").path("result").toString()).contains("svc-a").doesNotContain("svc-b");
        HttpResponse<String> other = server.send(server.request("/api/v1/services/svc-b/dashboard")
                .header(Tenants.HEADER, "a"));
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(query("b", "/api/v1/services/svc-b/dashboard").path("status").asText()).isEqualTo("success");
        HttpResponse<String> none = server.get("/api/v1/services");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"errorType\":\"unauthorized\"").contains("no org id");
    }

    @Test
    void liveTailSendsATenantOnlyItsOwnLines() throws Exception {
        push("a", "tail", "history of a");
        push("b", "tail", "history of b");
        Frames frames = new Frames();
        String query = "query=" + enc("{job=\"tail\"}") + "&start=" + (NOW_MS - 60_000) * 1_000_000;
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header(Tenants.HEADER, "a")
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort() + "/loki/api/v1/tail?" + query), frames)
                .join();
        try {
            assertThat(lines(frames.next())).containsExactly("history of a");
            // b's line is committed first: had it reached a's tail, it would be in the next frame.
            push("b", "tail", "live line of b");
            push("a", "tail", "live line of a");
            JsonObject live = frames.next();
            assertThat(lines(live)).containsExactly("live line of a");
            assertThat(live.encode()).doesNotContain("__tenant__");
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
        HttpResponse<String> none = server.get("/loki/api/v1/tail?query=" + enc("{job=\"tail\"}"));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).isEqualTo("no org id\n");
    }

    @Test
    void patternsAreMinedFromTheTenantsOwnLines() throws Exception {
        // The same service name in both tenants: a miner shared by them would merge or mix their templates.
        for (int i = 0; i < 3; i++) {
            push("a", "patterns", "user " + i + " logged in from the web");
            push("b", "patterns", "disk " + i + " is full on the host");
        }
        assertThat(patterns("a", "{job=\"patterns\"}")).containsExactly("user <_> logged in from the web");
        assertThat(patterns("b", "{job=\"patterns\"}")).containsExactly("disk <_> is full on the host");
        // The reserved label does not exist for a tenant: naming another tenant in it selects nothing.
        assertThat(patterns("a", "{__tenant__=\"b\"}")).isEmpty();
        assertThat(patterns("c", "{job=\"patterns\"}")).isEmpty();
        HttpResponse<String> none = server.get("/loki/api/v1/patterns?query=" + enc("{job=\"patterns\"}"));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).isEqualTo("no org id\n");
    }

    @Test
    void tsdbStatusCountsOnlyTheTenantsSeries() throws Exception {
        // Span metrics may be in the head too (the services test): the tenant's series are whatever its /series lists.
        for (String t : List.of("a", "b")) {
            JsonNode status = query(t, "/api/v1/status/tsdb?limit=1000").path("data");
            assertThat(status.toString()).doesNotContain("__tenant__");
            assertThat(status.path("headStats").path("numSeries").asLong()).as(t)
                    .isEqualTo(query(t, "/api/v1/series?match[]=" + enc("{__name__=~\".+\"}")).path("data").size());
        }
        JsonNode a = query("a", "/api/v1/status/tsdb?limit=1000").path("data");
        assertThat(a.toString()).doesNotContain("b_only").doesNotContain("b-0").doesNotContain("b_label");
        assertThat(counts(a, "seriesCountByMetricName")).containsEntry("shared_metric", 1L);
        assertThat(counts(a, "seriesCountByLabelValuePair")).containsEntry("pod=a-0", 1L);
        JsonNode b = query("b", "/api/v1/status/tsdb?limit=1000").path("data");
        assertThat(b.toString()).doesNotContain("a-0");
        assertThat(counts(b, "seriesCountByMetricName")).containsEntry("shared_metric", 3L).containsEntry("b_only_metric", 1L);
        assertThat(counts(b, "labelValueCountByLabelName")).containsEntry("pod", 3L).containsEntry("b_label", 1L);
        assertThat(query("c", "/api/v1/status/tsdb").path("data").path("headStats").path("numSeries").asLong()).isZero();
        HttpResponse<String> none = server.get("/api/v1/status/tsdb");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"errorType\":\"unauthorized\"").contains("no org id");
    }

    private static Map<String, Long> counts(JsonNode status, String list) {
        Map<String, Long> out = new TreeMap<>();
        status.path(list).forEach(c -> out.put(c.path("name").asText(), c.path("value").asLong()));
        return out;
    }

    // ---------------------------------------------------------------- helpers

    /** A 1.0 request of one series {__name__=name, label=value} with one sample now. */
    static byte[] series(String name, String label, String value) throws IOException {
        return message(o -> o.writeByteArray(1, message(ts -> {
            label(ts, "__name__", name);
            label(ts, label, value);
            ts.writeByteArray(2, message(s -> {
                s.writeDouble(1, 1);
                s.writeInt64(2, NOW_MS);
            }));
        })));
    }

    /** Pushes one line as tenant into stream {job=job} at the current time. */
    static void push(String tenant, String job, String line) throws Exception {
        HttpResponse<String> r = server.send(server.request("/loki/api/v1/push").header(Tenants.HEADER, tenant)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"streams": [{"stream": {"job": "%s"}, "values": [["%d", "%s"]]}]}
                        """.formatted(job, System.currentTimeMillis() * 1_000_000, line))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    /** The job labels of what {@code promql} returns now, as tenant. */
    private static List<String> jobs(String tenant, String promql) throws Exception {
        List<String> out = new ArrayList<>();
        query(tenant, "/api/v1/query?query=" + enc(promql)).path("data").path("result")
                .forEach(r -> out.add(r.path("metric").path("job").asText()));
        return out;
    }

    private static List<String> services(String tenant) throws Exception {
        List<String> out = new ArrayList<>();
        query(tenant, "/api/v1/services").path("data").forEach(s -> out.add(s.path("name").asText()));
        return out;
    }

    private static List<String> patterns(String tenant, String selector) throws Exception {
        List<String> out = new ArrayList<>();
        query(tenant, "/loki/api/v1/patterns?query=" + enc(selector)).path("data")
                .forEach(p -> out.add(p.path("pattern").asText()));
        return out;
    }

    private static List<String> lines(JsonObject frame) {
        List<String> out = new ArrayList<>();
        frame.getJsonArray("streams").forEach(s -> ((JsonObject) s).getJsonArray("values")
                .forEach(v -> out.add(((JsonArray) v).getString(1))));
        return out;
    }

    private static JsonNode query(String tenant, String path) throws Exception {
        HttpResponse<String> r = server.send(server.request(path).header(Tenants.HEADER, tenant));
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
