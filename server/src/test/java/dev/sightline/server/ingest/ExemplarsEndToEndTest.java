package dev.sightline.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.snappy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exemplars through a whole server: written by remote-write 1.0 and 2.0, OTLP and an OpenMetrics scrape, read back
 * from /api/v1/query_exemplars in Prometheus's shape; and remote-write 2.0's written-count headers.
 */
class ExemplarsEndToEndTest {
    private static final long T = 1_700_000_000_000L;
    private static final String EXPOSITION = """
            # TYPE ex_scraped counter
            ex_scraped_total{code="200"} 5 # {trace_id="scraped1"} 0.75 1700000000.5
            # EOF
            """;

    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final OpenMetricsExporter exporter = new OpenMetricsExporter(EXPOSITION);
    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, """
                storage:
                  exemplars:
                    max_exemplars: 1000
                """ + exporter.scrapeConfig("exporter"));
    }

    @Test
    void remoteWriteOneZeroExemplarsAreQueryableInPrometheusShape() throws Exception {
        byte[] series = message(o -> {
            label(o, "__name__", "ex_rw1_seconds_bucket");
            label(o, "le", "0.5");
            o.writeByteArray(2, message(s -> {
                s.writeDouble(1, 3);
                s.writeInt64(2, T);
            }));
            o.writeByteArray(3, message(e -> {
                label(e, "trace_id", "rw1trace");
                e.writeDouble(2, 0.42);
                e.writeInt64(3, T - 500);
            }));
            // A duplicate of the one before: stored once.
            o.writeByteArray(3, message(e -> {
                label(e, "trace_id", "rw1trace");
                e.writeDouble(2, 0.42);
                e.writeInt64(3, T - 500);
            }));
        });
        HttpResponse<String> r = post("/api/v1/write", snappy(message(o -> o.writeByteArray(1, series))),
                "application/x-protobuf;proto=prometheus.WriteRequest");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).as("1.0 has no written headers").isEmpty();

        assertThat(exemplarsBody("ex_rw1_seconds_bucket", null, null)).isEqualTo("{\"status\":\"success\",\"data\":[{\"seriesLabels\":{\"__name__\":"
                + "\"ex_rw1_seconds_bucket\",\"le\":\"0.5\"},\"exemplars\":[{\"labels\":{\"trace_id\":\"rw1trace\"},"
                + "\"value\":\"0.42\",\"timestamp\":1699999999.500}]}]}");
        // Outside the time range: an empty list.
        assertThat(exemplars("ex_rw1_seconds_bucket", "1700000000", "1700000001").path("data").toString()).isEqualTo("[]");
        // No selector: no data at all, as Prometheus.
        assertThat(exemplars("1 + 1", null, null).toString()).isEqualTo("{\"status\":\"success\",\"data\":null}");
    }

    @Test
    void remoteWriteTwoZeroAnswersWrittenCountsAndStoresExemplars() throws Exception {
        // symbols: "", __name__, ex_rw2_total, trace_id, rw2trace
        byte[] ts = message(o -> {
            o.writeByteArray(1, message(p -> {
                p.writeUInt32NoTag(1);
                p.writeUInt32NoTag(2);
            }));
            o.writeByteArray(2, message(s -> {
                s.writeDouble(1, 7);
                s.writeInt64(2, T);
            }));
            o.writeByteArray(4, message(e -> {
                e.writeByteArray(1, message(p -> {
                    p.writeUInt32NoTag(3);
                    p.writeUInt32NoTag(4);
                }));
                e.writeDouble(2, 1.5);
                e.writeInt64(3, T);
            }));
        });
        byte[] req = message(o -> {
            for (String s : List.of("", "__name__", "ex_rw2_total", "trace_id", "rw2trace")) {
                o.writeString(4, s);
            }
            o.writeByteArray(5, ts);
        });
        HttpResponse<String> r = post("/api/v1/write", snappy(req), "application/x-protobuf;proto=io.prometheus.write.v2.Request");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).hasValue("1");
        assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Histograms-Written")).hasValue("0");
        assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Exemplars-Written")).hasValue("1");
        assertThat(exemplars("ex_rw2_total", null, null).path("data").get(0).path("exemplars").toString())
                .isEqualTo("[{\"labels\":{\"trace_id\":\"rw2trace\"},\"value\":\"1.5\",\"timestamp\":1700000000}]");

        // Sent again: the sample is a duplicate (not written), the exemplar too.
        HttpResponse<String> again = post("/api/v1/write", snappy(req), "application/x-protobuf;proto=io.prometheus.write.v2.Request");
        assertThat(again.headers().firstValue("X-Prometheus-Remote-Write-Exemplars-Written")).hasValue("0");

        // A dangling symbol reference: 400 naming it, the written headers say nothing was written.
        byte[] bad = message(o -> {
            o.writeString(4, "");
            o.writeByteArray(5, message(t -> t.writeByteArray(1, message(p -> {
                p.writeUInt32NoTag(0);
                p.writeUInt32NoTag(9);
            }))));
        });
        HttpResponse<String> b = post("/api/v1/write", snappy(bad), "application/x-protobuf;proto=io.prometheus.write.v2.Request");
        assertThat(b.statusCode()).isEqualTo(400);
        assertThat(b.body()).contains("refers to symbol 9 but the request has 1 symbols");
        assertThat(b.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).hasValue("0");
    }

    @Test
    void otlpExemplarsAreStoredWithTraceAndSpanIds() throws Exception {
        String body = """
                {"resourceMetrics": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
                  "scopeMetrics": [{"metrics": [{"name": "ex_otlp_gauge", "gauge": {"dataPoints": [
                    {"timeUnixNano": "1700000000000000000", "asDouble": 2,
                     "exemplars": [{"timeUnixNano": "1699999999000000000", "asDouble": 2.5,
                                    "traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "1112131415161718"}]}]}}]}]}]}
                """;
        HttpResponse<String> r = post("/v1/metrics", body.getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode data = exemplars("ex_otlp_gauge", null, null).path("data");
        assertThat(data.get(0).path("seriesLabels").path("job").asText()).isEqualTo("svc");
        assertThat(data.get(0).path("exemplars").toString()).isEqualTo("[{\"labels\":{\"span_id\":\"1112131415161718\","
                + "\"trace_id\":\"0102030405060708090a0b0c0d0e0f10\"},\"value\":\"2.5\",\"timestamp\":1699999999}]");
    }

    @Test
    void openMetricsScrapeExemplarsAreStored() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode data;
        do {
            data = exemplars("ex_scraped_total", null, null).path("data");
            if (data.size() > 0) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertThat(data.size()).as("scraped exemplar").isEqualTo(1);
        assertThat(data.get(0).path("seriesLabels").path("job").asText()).isEqualTo("exporter");
        assertThat(exemplarsBody("ex_scraped_total", null, null))
                .contains("\"exemplars\":[{\"labels\":{\"trace_id\":\"scraped1\"},\"value\":\"0.75\",\"timestamp\":1700000000.500}]");
    }

    // ---------------------------------------------------------------- helpers

    private static void label(com.google.protobuf.CodedOutputStream o, String name, String value) throws java.io.IOException {
        o.writeByteArray(1, message(l -> {
            l.writeString(1, name);
            l.writeString(2, value);
        }));
    }

    private static JsonNode exemplars(String query, String start, String end) throws Exception {
        return RunningServer.JSON.readTree(exemplarsBody(query, start, end));
    }

    /** The raw answer: Jackson's tree would print 1699999999.5 as 1.6999999995E9. */
    private static String exemplarsBody(String query, String start, String end) throws Exception {
        String q = "/api/v1/query_exemplars?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + (start == null ? "" : "&start=" + start) + (end == null ? "" : "&end=" + end);
        HttpResponse<String> r = server.get(q);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> post(String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder b = server.request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (path.equals("/api/v1/write")) {
            b.header("Content-Encoding", "snappy");
        }
        return server.send(b);
    }
}
