package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.sightline.server.RunningServer;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.tenants.RemoteWrites.label;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-tenant limits of logs and spans (Loki's and Tempo's names), the label limits of metric series, and
 * max_tenants: a tenant over one is refused naming it, on every path of its signal, while another tenant writing the
 * same is not. Tenant "other" is the only one without an override (max_tenants is 1).
 */
class TenantSignalLimitsTest {
    private static final long T = (System.currentTimeMillis() - 120_000) / 60_000 * 60_000;
    private static final String LINE = "x".repeat(150);

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        // Rates of about a byte a second: a bucket is refilled by nothing the test would notice.
        server.start(dir, """
                storage:
                  exemplars:
                    max_exemplars: 100
                tenants:
                  multitenancy_enabled: true
                  max_tenants: 1
                  overrides:
                    logslow: {ingestion_rate_mb: 0.000001, ingestion_burst_size_mb: 0.0002}
                    logtight: {max_line_size: 10B, max_label_value_length: 5}
                    spanslow: {ingestion_rate_limit_bytes: 1, ingestion_burst_size_bytes: 600}
                    bigtrace: {max_bytes_per_trace: 300}
                    labels: {max_label_names_per_series: 3, max_label_name_length: 8, max_label_value_length: 5}
                    keepshort: {compactor_blocks_retention_period: 1h, retention_period: 1h, block_retention: 1h}
                """);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void logsOverTheIngestionRateAreRefusedWholeWith429OnEveryPath() throws Exception {
        assertThat(loki("logslow", "{\"job\": \"j\"}", LINE).statusCode()).isEqualTo(204);
        HttpResponse<String> over = loki("logslow", "{\"job\": \"j\"}", LINE + "2");
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(over.body()).contains("ingestion rate limit exceeded (ingestion_rate_mb: 1.0E-6,"
                + " ingestion_burst_size_mb: 2.0E-4, a bucket of 210 bytes) while attempting to ingest 1 lines totaling"
                + " 151 bytes for tenant logslow");
        HttpResponse<String> otlp = post("logslow", "/v1/logs", """
                {"resourceLogs": [{"scopeLogs": [{"logRecords": [{"timeUnixNano": "%d000000", "body": {"stringValue": "%s"}}]}]}]}
                """.formatted(T, LINE));
        assertThat(otlp.statusCode()).isEqualTo(429);
        assertThat(otlp.body()).contains("ingestion_rate_mb");
        MultiMap grpc = grpc("logslow", "/opentelemetry.proto.collector.logs.v1.LogsService/Export", logs(LINE));
        assertThat(grpc.get("grpc-status")).isEqualTo("8"); // RESOURCE_EXHAUSTED
        assertThat(QueryStringDecoder.decodeComponent(grpc.get("grpc-message"))).contains("(ingestion_rate_mb:");
        // Only the first line was stored.
        assertThat(lines("logslow", "{job=~\".+\"}")).containsExactly(LINE);
        // Another tenant writes the same, three times over, on every path.
        for (int i = 0; i < 3; i++) {
            assertThat(loki("other", "{\"job\": \"j\"}", LINE).statusCode()).isEqualTo(204);
        }
        assertThat(grpc("other", "/opentelemetry.proto.collector.logs.v1.LogsService/Export", logs(LINE))
                .get("grpc-status")).isEqualTo("0");
        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("sightline_tenant_limit_breaches_total{limit=\"ingestion_rate_mb\",tenant=\"logslow\"} 3.0")
                .contains("sightline_tenant_log_lines_received_total{tenant=\"logslow\"} 1.0")
                .contains("sightline_tenant_log_bytes_received_total{tenant=\"logslow\"} 150.0");
    }

    @Test
    void logLinesOverTheTenantsLineAndLabelLimitsAreRefusedAloneAsLokiDoes() throws Exception {
        HttpResponse<String> r = server.send(server.request("/loki/api/v1/push").header(Tenants.HEADER, "logtight")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"streams": [{"stream": {"job": "j"}, "values": [["%d000000", "short"], ["%d000000", "this is too long"]]},
                                     {"stream": {"job": "toolong"}, "values": [["%d000000", "ok"]]}]}
                        """.formatted(T, T + 1, T + 2))));
        // Loki answers a line over a validation limit with 400 and keeps the others.
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("longer than max_line_size (10 bytes)")
                .contains("more than max_label_value_length (5)").contains("(1 stored)");
        assertThat(lines("logtight", "{job=~\".+\"}")).containsExactly("short");
        assertThat(loki("other", "{\"job\": \"toolong\"}", "this is too long").statusCode()).isEqualTo(204);
        assertThat(server.get("/metrics").body())
                .contains("sightline_tenant_limit_breaches_total{limit=\"max_line_size\",tenant=\"logtight\"} 1.0")
                .contains("sightline_tenant_limit_breaches_total{limit=\"max_label_value_length\",tenant=\"logtight\"} 1.0");
    }

    @Test
    void spansOverTheIngestionRateAreRefusedWholeWith429OnEveryPath() throws Exception {
        String body = otlpSpans("0af7651916cd43dd8448eb211c80319c", "00000000000000a1", "op");
        // The bucket holds 600 bytes: one such request fits, two do not.
        assertThat(body.length()).isBetween(301, 600);
        assertThat(post("spanslow", "/v1/traces", body).statusCode()).isEqualTo(200);
        HttpResponse<String> over = post("spanslow", "/v1/traces",
                otlpSpans("0af7651916cd43dd8448eb211c80319d", "00000000000000a2", "op"));
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).contains("RATE_LIMITED: ingestion rate limit (ingestion_rate_limit_bytes: 1 bytes/s,"
                + " ingestion_burst_size_bytes: 600 bytes) exceeded while adding " + body.length() + " bytes for tenant spanslow");
        // Each of these is larger than what is left in the bucket.
        HttpResponse<String> zipkin = zipkin("spanslow", "0af7651916cd43dd8448eb211c80319e", "o".repeat(300));
        assertThat(zipkin.statusCode()).isEqualTo(429);
        assertThat(zipkin.body()).contains("ingestion_rate_limit_bytes");
        MultiMap grpc = grpc("spanslow", "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                spans("0af7651916cd43dd8448eb211c80319f", "o".repeat(300), 40));
        assertThat(grpc.get("grpc-status")).isEqualTo("8");
        assertThat(QueryStringDecoder.decodeComponent(grpc.get("grpc-message"))).contains("RATE_LIMITED");
        assertThat(spanNames("spanslow", "0af7651916cd43dd8448eb211c80319d")).isEmpty();
        assertThat(spanNames("spanslow", "0af7651916cd43dd8448eb211c80319c")).containsExactly("op");
        for (int i = 0; i < 3; i++) {
            assertThat(post("other", "/v1/traces", body).statusCode()).isEqualTo(200);
        }
        assertThat(zipkin("other", "0af7651916cd43dd8448eb211c80319e", "op").statusCode()).isEqualTo(202);
        assertThat(server.get("/metrics").body())
                .contains("sightline_tenant_limit_breaches_total{limit=\"ingestion_rate_limit_bytes\",tenant=\"spanslow\"} 3.0")
                .contains("sightline_tenant_spans_received_total{tenant=\"spanslow\"} 1.0")
                .contains("sightline_tenant_span_bytes_received_total{tenant=\"spanslow\"} " + body.length() + ".0");
    }

    @Test
    void spansThatWouldTakeATraceOverMaxBytesPerTraceAreRefusedWith429() throws Exception {
        String trace = "1af7651916cd43dd8448eb211c80319c";
        String name = "n".repeat(100); // 64 + 100 bytes a span: a trace holds one, not two
        assertThat(post("bigtrace", "/v1/traces", otlpSpans(trace, "00000000000000a1", name)).statusCode()).isEqualTo(200);
        HttpResponse<String> over = post("bigtrace", "/v1/traces", otlpSpans(trace, "00000000000000a2", name));
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).contains("TRACE_TOO_LARGE: max size of trace (max_bytes_per_trace: 300 bytes) exceeded"
                + " while adding 164 bytes to trace " + trace + " (164 bytes already) for tenant bigtrace");
        HttpResponse<String> zipkin = zipkin("bigtrace", trace, name);
        assertThat(zipkin.statusCode()).isEqualTo(429);
        assertThat(zipkin.body()).contains("max_bytes_per_trace");
        MultiMap grpc = grpc("bigtrace", "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                spans(trace, name, 41));
        assertThat(grpc.get("grpc-status")).isEqualTo("8");
        assertThat(QueryStringDecoder.decodeComponent(grpc.get("grpc-message"))).contains("TRACE_TOO_LARGE");
        assertThat(spanNames("bigtrace", trace)).containsExactly(name);
        // Another trace of the tenant, and the same trace of another tenant, are written.
        assertThat(post("bigtrace", "/v1/traces", otlpSpans("2af7651916cd43dd8448eb211c80319c", "00000000000000a1", name))
                .statusCode()).isEqualTo(200);
        for (int i = 1; i <= 3; i++) {
            assertThat(post("other", "/v1/traces", otlpSpans(trace, "00000000000000b" + i, name)).statusCode()).isEqualTo(200);
        }
        assertThat(spanNames("other", trace)).hasSize(3);
    }

    @Test
    void metricSeriesOverTheTenantsLabelLimitsAreRefusedAloneNamingTheLimit() throws Exception {
        byte[] raw = message(o -> {
            o.writeByteArray(1, series("m", "a", "x", "b", "y", "c", "z"));
            o.writeByteArray(1, series("m", "long_name", "x"));
            o.writeByteArray(1, series("m", "a", "toolong"));
            o.writeByteArray(1, series("m", "a", "ok"));
        });
        HttpResponse<String> r = RemoteWrites.write(server, "labels", raw, "prometheus.WriteRequest");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("has 4 labels, more than the limit (max_label_names_per_series) of 3 for tenant labels")
                .contains("label name \"long_name\" of series")
                .contains("is longer than the limit (max_label_name_length) of 8 characters for tenant labels")
                .contains("has 7 characters, more than the limit (max_label_value_length) of 5 for tenant labels")
                .contains("label limits broken (limits: or tenants: in sightline.yml): ");
        assertThat(count("labels")).isEqualTo("1");
        assertThat(RemoteWrites.write(server, "other", raw, "prometheus.WriteRequest").statusCode()).isEqualTo(204);
        assertThat(count("other")).isEqualTo("4");
        assertThat(server.get("/metrics").body())
                .contains("sightline_tenant_limit_breaches_total{limit=\"max_label_names_per_series\",tenant=\"labels\"} 1.0")
                .contains("sightline_tenant_limit_breaches_total{limit=\"max_label_value_length\",tenant=\"labels\"} 1.0");
    }

    @Test
    void aNewTenantBeyondMaxTenantsIsRefusedWith429() throws Exception {
        assertThat(loki("other", "{\"job\": \"j\"}", "hello").statusCode()).isEqualTo(204);
        HttpResponse<String> r = loki("stranger", "{\"job\": \"j\"}", "hello");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).isEqualTo("new tenant stranger refused: the server holds 1 tenants without an override, the"
                + " limit (max_tenants) is 1\n");
        HttpResponse<String> q = server.send(server.request("/api/v1/query?query=up").header(Tenants.HEADER, "stranger2"));
        assertThat(q.statusCode()).isEqualTo(429);
        assertThat(q.body()).contains("max_tenants");
        // Tenants named in overrides are let in whatever the count.
        assertThat(loki("bigtrace", "{\"job\": \"j\"}", "hello").statusCode()).isEqualTo(204);
        assertThat(server.get("/metrics").body()).contains("sightline_tenants_refused_total 2.0")
                .doesNotContain("tenant=\"stranger\"");
    }

    @Test
    void whatIsOlderThanTheTenantsRetentionIsNotReturned() throws Exception {
        long now = System.currentTimeMillis() / 1000 * 1000;
        long old = now - 2 * 3_600_000;
        long recent = now - 600_000;
        for (String t : List.of("keepshort", "other")) {
            byte[] raw = message(o -> o.writeByteArray(1, message(s -> {
                label(s, "__name__", "ret_m");
                for (long at : new long[] {old, recent}) {
                    s.writeByteArray(2, message(x -> {
                        x.writeDouble(1, 1);
                        x.writeInt64(2, at);
                    }));
                    s.writeByteArray(3, message(e -> {
                        label(e, "trace_id", "t" + at);
                        e.writeDouble(2, 1);
                        e.writeInt64(3, at);
                    }));
                }
            })));
            assertThat(RemoteWrites.write(server, t, raw, "prometheus.WriteRequest").statusCode()).isEqualTo(204);
            assertThat(post(t, "/loki/api/v1/push", """
                    {"streams": [{"stream": {"job": "ret"}, "values": [["%d000000", "old"], ["%d000000", "recent"]]}]}
                    """.formatted(old, recent)).statusCode()).isEqualTo(204);
            for (long at : new long[] {old, recent}) {
                String trace = (at == old ? "a" : "b") + "bf7651916cd43dd8448eb211c80319c";
                assertThat(post(t, "/v1/traces", """
                        {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "ret"}}]},
                          "scopeSpans": [{"spans": [{"traceId": "%s", "spanId": "00000000000000a1", "name": "op", "kind": 2,
                            "startTimeUnixNano": "%d000000", "endTimeUnixNano": "%d000000"}]}]}]}
                        """.formatted(trace, at, at + 5)).statusCode()).isEqualTo(200);
            }
        }
        String range = "&start=" + (now - 3 * 3_600_000) / 1000 + "&end=" + now / 1000;
        String logRange = "&start=" + (now - 3 * 3_600_000) * 1_000_000 + "&end=" + now * 1_000_000;
        for (String t : List.of("keepshort", "other")) {
            int expected = t.equals("other") ? 2 : 1;
            JsonNode m = query(t, "/api/v1/query?query=" + enc("count_over_time(ret_m[3h])") + "&time=" + now / 1000);
            assertThat(m.path("data").path("result").get(0).path("value").get(1).asText()).as(t).isEqualTo("" + expected);
            JsonNode l = query(t, "/loki/api/v1/query_range?query=" + enc("{job=\"ret\"}") + logRange);
            assertThat(l.path("data").path("result").get(0).path("values").size()).as(t).isEqualTo(expected);
            JsonNode traces = query(t, "/api/search?tags=" + enc("service.name=ret") + range);
            assertThat(traces.path("traces").size()).as(t).isEqualTo(expected);
            assertThat(spanNames(t, "abf7651916cd43dd8448eb211c80319c")).as(t).hasSize(expected - 1);
            JsonNode ex = query(t, "/api/v1/query_exemplars?query=ret_m" + range);
            assertThat(ex.path("data").get(0).path("exemplars").size()).as(t).isEqualTo(expected);
        }
        // A range wholly before the retention reads nothing.
        assertThat(query("keepshort", "/api/v1/query?query=ret_m&time=" + old / 1000).path("data").path("result").size())
                .isZero();
        assertThat(query("other", "/api/v1/query?query=ret_m&time=" + old / 1000).path("data").path("result").size())
                .isEqualTo(1);
    }

    // ---------------------------------------------------------------- helpers

    private static HttpResponse<String> post(String tenant, String path, String json) throws Exception {
        return server.send(server.request(path).header(Tenants.HEADER, tenant).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> loki(String tenant, String stream, String line) throws Exception {
        return post(tenant, "/loki/api/v1/push", """
                {"streams": [{"stream": %s, "values": [["%d000000", "%s"]]}]}
                """.formatted(stream, T, line));
    }

    private static String otlpSpans(String trace, String span, String name) {
        return """
                {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
                  "scopeSpans": [{"spans": [{"traceId": "%s", "spanId": "%s", "name": "%s", "kind": 2,
                    "startTimeUnixNano": "%d000000", "endTimeUnixNano": "%d000000"}]}]}]}
                """.formatted(trace, span, name, T, T + 5);
    }

    private static HttpResponse<String> zipkin(String tenant, String trace, String name) throws Exception {
        return post(tenant, "/api/v2/spans", """
                [{"traceId": "%s", "id": "00000000000000c1", "name": "%s", "timestamp": %d, "duration": 1000,
                  "localEndpoint": {"serviceName": "svc"}}]
                """.formatted(trace, name, T * 1000 + 1));
    }

    private static ExportLogsServiceRequest logs(String line) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(
                ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(T * 1_000_000)
                        .setBody(AnyValue.newBuilder().setStringValue(line))))).build();
    }

    private static ExportTraceServiceRequest spans(String trace, String name, int spanId) {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(
                ScopeSpans.newBuilder().addSpans(Span.newBuilder()
                        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(trace)))
                        .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) spanId}))
                        .setName(name).setStartTimeUnixNano(T * 1_000_000).setEndTimeUnixNano(T * 1_000_000 + 5)))).build();
    }

    /** One OTLP/gRPC call as {@code tenant}; the status headers (trailers, or headers of a trailers-only answer). */
    private static MultiMap grpc(String tenant, String path, Message request) throws Exception {
        byte[] body = request.toByteArray();
        var h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(body.length).appendBytes(body);
        try {
            return h2.request(HttpMethod.POST, server.server().otlp().grpcPort(), "127.0.0.1", path)
                    .compose(req -> req.putHeader("content-type", "application/grpc").putHeader("te", "trailers")
                            .putHeader(Tenants.HEADER, tenant).send(frame))
                    .compose(resp -> resp.body().map(b -> resp.headers().contains("grpc-status") ? resp.headers() : resp.trailers()))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            h2.close();
        }
    }

    private static JsonNode query(String tenant, String path) throws Exception {
        HttpResponse<String> r = server.send(server.request(path).header(Tenants.HEADER, tenant));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body());
    }

    private static List<String> lines(String tenant, String selector) throws Exception {
        JsonNode r = query(tenant, "/loki/api/v1/query_range?query=" + enc(selector) + "&start=" + (T - 60_000) * 1_000_000
                + "&end=" + (T + 60_000) * 1_000_000);
        List<String> out = new ArrayList<>();
        r.path("data").path("result").forEach(s -> s.path("values").forEach(v -> out.add(v.get(1).asText())));
        return out;
    }

    private static List<String> spanNames(String tenant, String trace) throws Exception {
        HttpResponse<String> r = server.send(server.request("/api/traces/" + trace).header(Tenants.HEADER, tenant));
        List<String> out = new ArrayList<>();
        if (r.statusCode() == 404) {
            return out;
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        RunningServer.JSON.readTree(r.body()).path("data").get(0).path("spans")
                .forEach(s -> out.add(s.path("operationName").asText()));
        return out;
    }

    /** A 1.0 TimeSeries {__name__=name, pairs...} with one sample at T. */
    private static byte[] series(String name, String... pairs) throws java.io.IOException {
        return message(o -> {
            label(o, "__name__", name);
            for (int i = 0; i < pairs.length; i += 2) {
                label(o, pairs[i], pairs[i + 1]);
            }
            o.writeByteArray(2, message(s -> {
                s.writeDouble(1, 1);
                s.writeInt64(2, T);
            }));
        });
    }

    private static String count(String tenant) throws Exception {
        JsonNode r = query(tenant, "/api/v1/query?query=" + enc("count(m)") + "&time=" + T / 1000);
        return r.path("data").path("result").get(0).path("value").get(1).asText();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
