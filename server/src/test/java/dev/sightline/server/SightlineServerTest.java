package dev.sightline.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP shell against a real server on an ephemeral port with a temporary data directory. */
class SightlineServerTest {
    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, null);
    }

    static HttpResponse<String> send(String method, String path) throws Exception {
        return server.send(server.request(path).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    @Test
    void configuredQueryTimeoutStopsALongQuery(@TempDir Path dir) throws Exception {
        try (RunningServer limited = new RunningServer().start(dir, "limits:\n  query_timeout: 300ms\n")) {
            // Seconds of work in one series' steps (10,080 windows of 604,800 points).
            HttpResponse<String> r = limited.get("/api/v1/query_range?query="
                    + java.net.URLEncoder.encode("max_over_time(vector(1)[7d:1s])", java.nio.charset.StandardCharsets.UTF_8)
                    + "&start=0&end=604800&step=60");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            // PromQL answers its own timeout at its next deadline check; on a loaded machine the query gate's answer,
            // 250 ms after the timeout, can come first. Both are Prometheus's timeout shape.
            JsonNode body = RunningServer.JSON.readTree(r.body());
            assertThat(body.path("status").asText()).isEqualTo("error");
            assertThat(body.path("errorType").asText()).isEqualTo("timeout");
            assertThat(body.path("error").asText()).as(r.body()).startsWith("query timed out");
        }
    }

    @Test
    void healthyAndReady() throws Exception {
        HttpResponse<String> healthy = send("GET", "/-/healthy");
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).isEqualTo("Sightline is Healthy.\n");
        assertThat(server.server().isReady()).isTrue();
        HttpResponse<String> ready = send("GET", "/-/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("Sightline is Ready.\n");
    }

    @Test
    void headAnswersWithoutBody() throws Exception {
        HttpResponse<String> head = send("HEAD", "/-/healthy");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("content-length")).hasValue("22");
        assertThat(send("HEAD", "/-/ready").statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void buildInfoHasPrometheusShape() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/status/buildinfo");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode json = RunningServer.JSON.readTree(r.body());
        assertThat(json.get("status").asText()).isEqualTo("success");
        JsonNode data = json.get("data");
        List<String> keys = new java.util.ArrayList<>();
        for (Iterator<String> it = data.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        assertThat(keys).containsExactly("version", "revision", "branch", "buildUser", "buildDate", "goVersion");
        assertThat(data.get("version").asText())
                .isEqualTo(BuildInfo.PROMETHEUS_API_VERSION + "+sightline." + BuildInfo.current().version())
                .matches("2\\.\\d+\\.\\d+\\+[0-9A-Za-z.-]+");
        assertThat(data.get("goVersion").asText()).isEqualTo(System.getProperty("java.runtime.version"));
        for (String k : keys) {
            assertThat(data.get(k).asText()).as(k).isNotBlank();
        }
    }

    @Test
    void metricsExposeHttpAndStorageMetricsInTextFormat() throws Exception {
        send("GET", "/-/healthy");
        send("GET", "/no/such/path");
        // A request is recorded when Vert.x finishes writing its response, possibly just after the client read it.
        HttpResponse<String> r = send("GET", "/metrics");
        for (int i = 0; i < 100 && !r.body().contains("handler=\"unmatched\""); i++) {
            Thread.sleep(20);
            r = send("GET", "/metrics");
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body())
                .contains("# TYPE sightline_http_request_duration_seconds histogram")
                .contains("sightline_http_request_duration_seconds_count{code=\"200\",handler=\"/-/healthy\",method=\"get\"}")
                .contains("sightline_http_request_duration_seconds_count{code=\"404\",handler=\"unmatched\",method=\"get\"}")
                .contains("sightline_tsdb_samples_appended_total")
                .contains("sightline_tsdb_head_series")
                .contains("sightline_build_info{")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void unknownPathIs404WithShortText() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/does-not-exist");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("404 page not found\n");
        assertThat(send("POST", "/-/healthy").statusCode()).isEqualTo(405);
    }
}
