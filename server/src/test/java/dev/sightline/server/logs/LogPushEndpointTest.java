package dev.sightline.server.logs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The push endpoints over HTTP with what scripts and misbehaving clients send: NDJSON as {@code curl --data-binary}
 * posts it, gzip, malformed bodies (400 naming where), entries over a limit (refused alone, the rest stored, counts in
 * the answer), bodies over the size limit, unknown content types, and the commit listeners.
 */
class LogPushEndpointTest {
    @TempDir
    static Path dir;
    static RunningServer running;
    static final List<List<LogEntry>> committed = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        running = new RunningServer().start(dir, "limits:\n  max_line_size: 200B\n  max_request_body_bytes: 8KB\n");
        LogIngester ingester = running.server().logIngester();
        ingester.addListener(entries -> {
            throw new IllegalStateException("a broken listener must not fail the ingest");
        });
        ingester.addListener(committed::add);
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    private static String nanos(Instant t) {
        return Long.toString(t.getEpochSecond() * 1_000_000_000L + t.getNano());
    }

    private static HttpResponse<String> post(String path, String contentType, byte[] body, String encoding) throws Exception {
        HttpRequest.Builder r = running.request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            r.header("Content-Encoding", encoding);
        }
        return running.send(r);
    }

    @Test
    void ndjsonAsCurlPostsIt() throws Exception {
        Instant now = Instant.now();
        String l1 = "{\"time\":\"" + now.minusSeconds(2) + "\",\"service\":\"billing\",\"level\":\"error\",\"msg\":\"charge failed\",\"amount\":120}";
        String l2 = "{\"ts\":" + now.minusSeconds(1).toEpochMilli() + ",\"service\":\"billing\",\"msg\":\"ok\",\"trace_id\":\"abc123\"}";
        // curl --data-binary sends application/x-www-form-urlencoded unless told otherwise
        HttpResponse<String> r = post(LogPushEndpoint.NDJSON_PATH, "application/x-www-form-urlencoded",
                (l1 + "\n" + l2 + "\n").getBytes(StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = RunningServer.JSON.readTree(r.body());
        assertThat(answer.get("accepted").asLong()).isEqualTo(2);
        assertThat(answer.get("rejected").asLong()).isZero();
        List<LogEntry> stored = StoredLogs.of(running.server().logs(), "service", "billing");
        assertThat(stored).extracting(LogEntry::line).containsExactly(l1, l2);
        assertThat(stored.get(0).stream()).isEqualTo(Labels.of("service", "billing", "service_name", "billing"));
        assertThat(stored.get(0).metadata()).isEqualTo(Labels.of(LogEntry.LEVEL, "error"));
        assertThat(stored.get(1).metadata()).isEqualTo(Labels.of(LogEntry.TRACE_ID, "abc123", LogEntry.LEVEL, "unknown"));
    }

    @Test
    void ndjsonStreamFieldsLabelsAndRefusals() throws Exception {
        String ok = "{\"host\":\"h1\",\"msg\":\"fine\"}";
        String old = "{\"host\":\"h1\",\"time\":\"2001-01-01T00:00:00Z\",\"msg\":\"ancient\"}";
        String tooLong = "{\"host\":\"h1\",\"msg\":\"" + "x".repeat(250) + "\"}";
        HttpResponse<String> r = post(LogPushEndpoint.NDJSON_PATH + "?stream_fields=host&labels=%7Bjob%3D%22import%22%7D",
                "application/x-ndjson", String.join("\n", ok, old, tooLong).getBytes(StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode answer = RunningServer.JSON.readTree(r.body());
        assertThat(answer.get("accepted").asLong()).isEqualTo(1);
        assertThat(answer.get("rejected").asLong()).isEqualTo(2);
        assertThat(answer.get("rejected_by_reason").get("greater_than_max_sample_age").asLong()).isEqualTo(1);
        assertThat(answer.get("rejected_by_reason").get("line_too_long").asLong()).isEqualTo(1);
        assertThat(answer.get("error").asText()).contains("line 2: entry of stream").contains("line 3: line of 272 bytes");
        assertThat(StoredLogs.of(running.server().logs(), "job", "import")).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(ok);
            assertThat(e.stream()).isEqualTo(Labels.of("host", "h1", "job", "import", "service_name", "import"));
        });
    }

    @Test
    void malformedNdjsonNamesTheLineAndStoresNothing() throws Exception {
        HttpResponse<String> r = post(LogPushEndpoint.NDJSON_PATH, "application/x-ndjson",
                "{\"service\":\"broken\"}\n{\"service\":\"broken\",\n".getBytes(StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(RunningServer.JSON.readTree(r.body()).get("error").asText()).startsWith("invalid NDJSON at line 2, column");
        assertThat(StoredLogs.of(running.server().logs(), "service", "broken")).isEmpty();
        HttpResponse<String> badLabels = post(LogPushEndpoint.NDJSON_PATH + "?labels=job", "application/x-ndjson",
                "{}".getBytes(StandardCharsets.UTF_8), null);
        assertThat(badLabels.statusCode()).isEqualTo(400);
        assertThat(badLabels.body()).contains("query parameter labels: invalid stream labels job at character 0");
    }

    @Test
    void lokiJsonGzipPartialRefusalAndListeners() throws Exception {
        Instant now = Instant.now();
        String body = "{\"streams\":[{\"stream\":{\"app\":\"gz\"},\"values\":[[\"" + nanos(now) + "\",\"kept\",{\"user\":\"u1\"}],"
                + "[\"" + nanos(now.plusSeconds(3600)) + "\",\"from the future\"]]}]}";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(body.getBytes(StandardCharsets.UTF_8));
        }
        committed.clear();
        HttpResponse<String> r = post(LogPushEndpoint.LOKI_PATH, "application/json", gz.toByteArray(), "gzip");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("1 entry refused: entry of stream {app=\"gz\", service_name=\"gz\"}")
                .contains("further in the future than creation_grace_period").endsWith("(1 stored)\n");
        List<LogEntry> stored = StoredLogs.of(running.server().logs(), "app", "gz");
        assertThat(stored).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo("kept");
            assertThat(e.metadata()).isEqualTo(Labels.of("user", "u1", LogEntry.LEVEL, "unknown"));
        });
        // the listener saw the commit as stored, although the one before it threw
        assertThat(committed).singleElement().isEqualTo(stored);
        String ok = "{\"streams\":[{\"stream\":{\"app\":\"gz\"},\"values\":[[\"" + nanos(now.plusMillis(1)) + "\",\"second\"]]}]}";
        assertThat(running.post(LogPushEndpoint.LOKI_PATH, "application/json", ok).statusCode()).isEqualTo(204);
        assertThat(running.get("/metrics").body())
                .contains("sightline_ingest_log_lines_total{protocol=\"loki_json\",result=\"too_far_in_future\"} 1.0")
                .contains("sightline_ingest_log_requests_total{code=\"400\",protocol=\"loki_json\"}");
    }

    @Test
    void malformedLokiBodiesAreNamedAndNothingIsStored() throws Exception {
        HttpResponse<String> json = running.post(LogPushEndpoint.LOKI_PATH, "application/json",
                "{\"streams\":[{\"stream\":{\"app\":\"bad\"},\"values\":[[\"1\",\"x\"],[\"noon\",\"y\"]]}]}");
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(json.body()).startsWith("invalid Loki push JSON at /streams/0/values/1/0: time \"noon\"");
        assertThat(StoredLogs.of(running.server().logs(), "app", "bad")).isEmpty();
        // a valid stream before the fault was appended already: the request is rolled back whole
        HttpResponse<String> second = running.post(LogPushEndpoint.LOKI_PATH, "application/json",
                "{\"streams\":[{\"stream\":{\"app\":\"first\"},\"values\":[[\"" + nanos(Instant.now()) + "\",\"x\"]]},"
                        + "{\"stream\":{\"app\":\"second\"},\"values\":[[\"1\"]]}]}");
        assertThat(second.statusCode()).isEqualTo(400);
        assertThat(second.body()).startsWith("invalid Loki push JSON at /streams/1/values/0");
        assertThat(StoredLogs.of(running.server().logs(), "app", "first")).isEmpty();
        HttpResponse<String> snappy = post(LogPushEndpoint.LOKI_PATH, "application/x-protobuf",
                new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, null);
        assertThat(snappy.statusCode()).isEqualTo(400);
        assertThat(snappy.body()).startsWith("malformed snappy block at byte offset");
        HttpResponse<String> type = running.post(LogPushEndpoint.LOKI_PATH, "text/plain", "hello");
        assertThat(type.statusCode()).isEqualTo(415);
        HttpResponse<String> encoding = post(LogPushEndpoint.LOKI_PATH, "application/json", "{}".getBytes(StandardCharsets.UTF_8), "br");
        assertThat(encoding.statusCode()).isEqualTo(415);
        assertThat(encoding.body()).contains("unsupported Content-Encoding \"br\"");
        HttpResponse<String> big = running.post(LogPushEndpoint.LOKI_PATH, "application/json", "x".repeat(9000));
        assertThat(big.statusCode()).isEqualTo(413);
    }

    @Test
    void otlpJsonOnTheMainPortAnswersPartialSuccess() throws Exception {
        String body = """
                {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"otlp-json"}}]},
                  "scopeLogs":[{"logRecords":[
                    {"timeUnixNano":"%s","severityText":"INFO","body":{"stringValue":"short"}},
                    {"timeUnixNano":"%s","body":{"stringValue":"%s"}}]}]}]}""".formatted(nanos(Instant.now()),
                nanos(Instant.now()), "y".repeat(300));
        HttpResponse<String> r = running.post("/v1/logs", "application/json", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode partial = RunningServer.JSON.readTree(r.body()).get("partialSuccess");
        assertThat(partial.get("rejectedLogRecords").asLong()).isEqualTo(1);
        assertThat(partial.get("errorMessage").asText()).contains("line of 300 bytes is longer than max_line_size (200 bytes)");
        assertThat(StoredLogs.of(running.server().logs(), "service_name", "otlp-json")).extracting(LogEntry::line)
                .containsExactly("short");
        HttpResponse<String> bad = running.post("/v1/logs", "application/json", "{\"resourceLogs\":7}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("ExportLogsServiceRequest");
    }
}
