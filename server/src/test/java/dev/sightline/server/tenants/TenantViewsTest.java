package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.tenants.RemoteWrites.label;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The views over every tenant's data that used to answer 501 with multitenancy on: Loki live tail and patterns, and
 * /api/v1/status/tsdb. Two tenants write into one server; each sees only what it wrote, never the reserved label.
 */
class TenantViewsTest {
    private static final long NOW_MS = System.currentTimeMillis();

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dir, """
                tenants:
                  multitenancy_enabled: true
                """);
        // Series of the same metric name in both tenants, and one only b has.
        assertThat(RemoteWrites.write(server, "a", series("shared_metric", "pod", "a-0"), "prometheus.WriteRequest")
                .statusCode()).isEqualTo(204);
        for (String pod : List.of("b-0", "b-1", "b-2")) {
            assertThat(RemoteWrites.write(server, "b", series("shared_metric", "pod", pod), "prometheus.WriteRequest")
                    .statusCode()).isEqualTo(204);
        }
        assertThat(RemoteWrites.write(server, "b", series("b_only_metric", "b_label", "x"), "prometheus.WriteRequest")
                .statusCode()).isEqualTo(204);
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
            JsonNode live = frames.next();
            assertThat(lines(live)).containsExactly("live line of a");
            assertThat(live.toString()).doesNotContain("__tenant__");
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
        JsonNode a = query("a", "/api/v1/status/tsdb");
        assertThat(a.toString()).doesNotContain("__tenant__").doesNotContain("b_only").doesNotContain("b-0");
        assertThat(a.path("data").path("headStats").path("numSeries").asLong()).isEqualTo(1);
        assertThat(a.path("data").path("seriesCountByMetricName").toString())
                .isEqualTo("[{\"name\":\"shared_metric\",\"value\":1}]");
        JsonNode b = query("b", "/api/v1/status/tsdb");
        assertThat(b.toString()).doesNotContain("__tenant__").doesNotContain("a-0");
        assertThat(b.path("data").path("headStats").path("numSeries").asLong()).isEqualTo(4);
        assertThat(b.path("data").path("seriesCountByMetricName").toString())
                .isEqualTo("[{\"name\":\"shared_metric\",\"value\":3},{\"name\":\"b_only_metric\",\"value\":1}]");
        assertThat(b.path("data").path("labelValueCountByLabelName").toString())
                .isEqualTo("[{\"name\":\"pod\",\"value\":3},{\"name\":\"__name__\",\"value\":2},"
                        + "{\"name\":\"b_label\",\"value\":1}]");
        assertThat(query("c", "/api/v1/status/tsdb").path("data").path("headStats").path("numSeries").asLong()).isZero();
        HttpResponse<String> none = server.get("/api/v1/status/tsdb");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"errorType\":\"unauthorized\"").contains("no org id");
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

    private static List<String> patterns(String tenant, String selector) throws Exception {
        List<String> out = new ArrayList<>();
        query(tenant, "/loki/api/v1/patterns?query=" + enc(selector)).path("data")
                .forEach(p -> out.add(p.path("pattern").asText()));
        return out;
    }

    private static List<String> lines(JsonNode frame) {
        List<String> out = new ArrayList<>();
        frame.path("streams").forEach(s -> s.path("values").forEach(v -> out.add(v.get(1).asText())));
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

    /** Tail frames as they arrive, whole messages only. */
    private static final class Frames implements WebSocket.Listener {
        final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(RunningServer.JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        JsonNode next() throws InterruptedException {
            JsonNode f = frames.poll(5, TimeUnit.SECONDS);
            assertThat(f).as("a frame within 5 s").isNotNull();
            return f;
        }
    }
}
