package dev.sightline.server.traces;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.otlp.OtlpReceiver;
import dev.sightline.traces.InMemorySpanStore;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The span endpoints on the wire with what real clients do not send: spans with invalid ids (rejected alone, counted in
 * the partial-success answer), malformed protobuf and JSON (400 / INVALID_ARGUMENT naming the offset or path, nothing
 * stored), bodies over the limit (413, with a declared length or chunked), other content types (415); after each, a good
 * request is still stored.
 */
class TraceEndpointsTest {
    private static final String TRACE = "5b8efff798038103d269b633813fc60c";
    private static final long BODY_LIMIT = 64 << 10;

    private final ApiTestServer main = new ApiTestServer();
    private final InMemorySpanStore store = new InMemorySpanStore();
    private OtlpReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        SpanIngester spans = new SpanIngester(() -> store, java.util.function.UnaryOperator.identity(), new SpanIngestMetrics(main.metrics.registry()));
        receiver = new OtlpReceiver(() -> null, main.metrics.registry(), IngestLimits.DEFAULT.withMaxDecompressedBytes(BODY_LIMIT),
                IngestGuards.none(), spans, SpanLimits.DEFAULT);
        receiver.register(main.api);
        new ZipkinEndpoint(spans, SpanLimits.DEFAULT, BODY_LIMIT).register(main.api);
        main.listen();
        receiver.listen(main.vertx, "127.0.0.1", 0, 0);
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
        main.close();
    }

    private static Span.Builder span(String name, String spanIdHex) {
        return Span.newBuilder().setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanIdHex))).setName(name)
                .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_001_000_000L);
    }

    private static ExportTraceServiceRequest request(Span.Builder... spans) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        for (Span.Builder s : spans) {
            ss.addSpans(s);
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss)).build();
    }

    /** One good span and two without a valid id. */
    private static ExportTraceServiceRequest mixed(String goodSpanId) {
        return request(span("good", goodSpanId), span("short id", "0102").setSpanId(ByteString.copyFrom(new byte[]{1, 2})),
                span("no trace", "0000000000000003").clearTraceId());
    }

    private List<String> storedNames() {
        return store.querier().trace(TraceId.parse(TRACE), Long.MIN_VALUE, Long.MAX_VALUE).stream()
                .map(s -> s.span().name() + "/" + s.span().spanIdHex()).toList();
    }

    private HttpResponse<byte[]> post(int port, String path, String type, String encoding, byte[] body) throws Exception {
        return post(port, path, type, encoding, HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /** Without a Content-Length: HTTP/1.1 chunked. */
    private HttpResponse<byte[]> postChunked(int port, String path, String type, byte[] body) throws Exception {
        return post(port, path, type, null, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    }

    private HttpResponse<byte[]> post(int port, String path, String type, String encoding,
                                      HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .version(java.net.http.HttpClient.Version.HTTP_1_1).POST(body).header("Content-Type", type);
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** The message of a google.rpc.Status in binary protobuf. */
    private static String statusMessage(byte[] status) throws Exception {
        CodedInputStream in = CodedInputStream.newInstance(status);
        String message = "";
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == 18) {
                message = in.readStringRequireUtf8();
            } else {
                in.skipField(t);
            }
        }
        return message;
    }

    @Test
    void invalidIdsAreRejectedAloneOverProtobufJsonAndGzip() throws Exception {
        HttpResponse<byte[]> r = post(receiver.httpPort(), "/v1/traces", "application/x-protobuf", null,
                mixed("0000000000000001").toByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        ExportTraceServiceResponse answer = ExportTraceServiceResponse.parseFrom(r.body());
        assertThat(answer.getPartialSuccess().getRejectedSpans()).isEqualTo(2);
        assertThat(answer.getPartialSuccess().getErrorMessage()).isEqualTo("2 spans rejected: span \"short id\": span_id "
                + "has 2 bytes, want 8; span \"no trace\": trace_id is missing");

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(mixed("0000000000000002").toByteArray());
        }
        r = post(main.port(), "/v1/traces", "application/x-protobuf", "gzip", gz.toByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ExportTraceServiceResponse.parseFrom(r.body()).getPartialSuccess().getRejectedSpans()).isEqualTo(2);

        String json = """
                {"resourceSpans":[{"scopeSpans":[{"spans":[
                 {"traceId":"%s","spanId":"0000000000000004","name":"good","startTimeUnixNano":"1700000000000000000"},
                 {"traceId":"%s","spanId":"0000000000000000","name":"zero id"}]}]}]}""".formatted(TRACE, TRACE);
        r = post(main.port(), "/v1/traces", "application/json", null, json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("{\"partialSuccess\":{\"rejectedSpans\":\"1\",\"errorMessage\":"
                + "\"1 span rejected: span \\\"zero id\\\": span_id is all zero\"}}");
        assertThat(storedNames()).containsExactlyInAnyOrder("good/0000000000000001", "good/0000000000000002",
                "good/0000000000000004");
        assertThat(main.get("/metrics").body()).contains(
                "sightline_ingest_spans_total{protocol=\"otlp_http\",result=\"rejected\"} 5.0",
                "sightline_ingest_spans_total{protocol=\"otlp_http\",result=\"accepted\"} 3.0");
    }

    @Test
    void malformedBodiesAreRefusedWholeNamingWhereAndTheServerGoesOn() throws Exception {
        byte[] body = request(span("a", "0000000000000001"), span("b", "0000000000000002")).toByteArray();
        HttpResponse<byte[]> r = post(receiver.httpPort(), "/v1/traces", "application/x-protobuf", null,
                Arrays.copyOf(body, body.length - 2));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(statusMessage(r.body())).matches("invalid protobuf ExportTraceServiceRequest at byte offset \\d+: .+");

        byte[] garbage = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1, 2};
        r = post(main.port(), "/v1/traces", "application/x-protobuf", null, garbage);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(statusMessage(r.body())).contains("at byte offset 6");

        r = post(main.port(), "/v1/traces", "application/json", null,
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"endTimeUnixNano\":{}}]}]}]}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).contains("at /resourceSpans/0/scopeSpans/0/spans/0/endTimeUnixNano (byte offset 62): want an integer");

        r = post(main.port(), "/v1/traces", "application/x-protobuf", "gzip", body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(statusMessage(r.body())).startsWith("invalid gzip body");

        r = post(main.port(), "/v1/traces", "text/plain", null, body);
        assertThat(r.statusCode()).isEqualTo(415);

        byte[] big = request(span("x".repeat((int) BODY_LIMIT), "0000000000000001")).toByteArray();
        r = post(receiver.httpPort(), "/v1/traces", "application/x-protobuf", null, big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(statusMessage(r.body())).contains("exceeds the limit of 65536 bytes (max_request_body_bytes)");
        assertThat(storedNames()).as("nothing of a refused body is stored").isEmpty();

        r = post(receiver.httpPort(), "/v1/traces", "application/x-protobuf", null, body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(storedNames()).containsExactlyInAnyOrder("a/0000000000000001", "b/0000000000000002");
    }

    /** No declared length to refuse up front: the body handler counts the chunks as they arrive. */
    @Test
    void chunkedBodiesOverTheLimitAre413AndTheServerGoesOn() throws Exception {
        byte[] big = request(span("x".repeat((int) BODY_LIMIT), "0000000000000001")).toByteArray();
        for (int port : new int[]{receiver.httpPort(), main.port()}) {
            assertThat(postChunked(port, "/v1/traces", "application/x-protobuf", big).statusCode()).as("port %d", port)
                    .isEqualTo(413);
        }
        assertThat(postChunked(main.port(), "/api/v2/spans", "application/json", new byte[(int) BODY_LIMIT + 1])
                .statusCode()).isEqualTo(413);
        assertThat(storedNames()).as("nothing of a refused body is stored").isEmpty();

        byte[] good = request(span("a", "0000000000000002")).toByteArray();
        assertThat(postChunked(receiver.httpPort(), "/v1/traces", "application/x-protobuf", good).statusCode())
                .isEqualTo(200);
        assertThat(postChunked(main.port(), "/api/v2/spans", "application/json", ("[{\"traceId\":\"" + TRACE
                + "\",\"id\":\"0000000000000003\",\"name\":\"b\",\"timestamp\":1700000000000000}]")
                .getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
        assertThat(storedNames()).containsExactlyInAnyOrder("a/0000000000000002", "b/0000000000000003");
    }

    @Test
    void grpcAnswersPartialSuccessAndInvalidArgument() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            byte[] good = mixed("0000000000000007").toByteArray();
            Buffer answer = grpc(vertx, good, null);
            // One gRPC length-prefixed message: a flag byte, a 4-byte length, the ExportTraceServiceResponse.
            ExportTraceServiceResponse r = ExportTraceServiceResponse.parseFrom(answer.getBytes(5, answer.length()));
            assertThat(r.getPartialSuccess().getRejectedSpans()).isEqualTo(2);
            assertThat(r.getPartialSuccess().getErrorMessage()).contains("span \"short id\": span_id has 2 bytes, want 8");

            MultiMap[] status = new MultiMap[1];
            grpc(vertx, Arrays.copyOf(good, good.length - 3), status);
            assertThat(status[0].get("grpc-status")).isEqualTo("3");
            assertThat(QueryStringDecoder.decodeComponent(status[0].get("grpc-message")))
                    .matches("cannot decode the ExportTraceServiceRequest: invalid protobuf ExportTraceServiceRequest at byte offset \\d+: .+");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(storedNames()).containsExactly("good/0000000000000007");
    }

    /** A raw TraceService/Export call over h2c; returns the response body, and the status headers in {@code status}. */
    private Buffer grpc(Vertx vertx, byte[] message, MultiMap[] status) throws Exception {
        io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
        Buffer[] body = new Buffer[1];
        MultiMap headers = h2.request(HttpMethod.POST, receiver.grpcPort(), "127.0.0.1",
                        "/opentelemetry.proto.collector.trace.v1.TraceService/Export")
                .compose(req -> req.putHeader("content-type", "application/grpc").putHeader("te", "trailers").send(frame))
                .compose(resp -> resp.body().map(b -> {
                    body[0] = b;
                    return resp.headers().contains("grpc-status") ? resp.headers() : resp.trailers();
                }))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (status != null) {
            status[0] = headers;
        } else {
            assertThat(headers.get("grpc-status")).isEqualTo("0");
        }
        return body[0];
    }

    @Test
    void zipkinRejectsBadIdsAloneAndMalformedBodiesWhole() throws Exception {
        String json = """
                [{"traceId":"%s","id":"0000000000000005","name":"kept","timestamp":1700000000000000},
                 {"traceId":"%s","id":"xyz","name":"bad id"}]""".formatted(TRACE, TRACE);
        HttpResponse<byte[]> r = post(main.port(), "/api/v2/spans", "application/json", null, json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).isEqualTo("1 span rejected: span \"bad id\": id \"xyz\" is not hex (1 stored)\n");

        r = post(main.port(), "/api/v2/spans", "application/json", null,
                "[{\"traceId\":\"1\",\"id\":\"2\",\"duration\":\"long\"}]".getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).startsWith("invalid Zipkin v2 JSON at /0/duration (byte offset 36): want an integer");

        r = post(main.port(), "/api/v2/spans", "application/x-protobuf", null, new byte[]{0x0a, 0x05, 0x0a});
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(text(r)).startsWith("invalid Zipkin proto3 ListOfSpans at byte offset");

        r = post(main.port(), "/api/v2/spans", "application/thrift", null, new byte[]{1});
        assertThat(r.statusCode()).isEqualTo(415);
        r = post(main.port(), "/api/v2/spans", "application/json", null, new byte[(int) BODY_LIMIT + 1]);
        assertThat(r.statusCode()).isEqualTo(413);

        List<StoredSpan> stored = store.querier().trace(TraceId.parse(TRACE), Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(stored).extracting(s -> s.span().name()).containsExactly("kept");
        assertThat(main.get("/metrics").body()).contains(
                "sightline_ingest_span_requests_total{code=\"400\",protocol=\"zipkin_json\"} 2.0",
                "sightline_ingest_span_requests_total{code=\"415\",protocol=\"zipkin_json\"} 1.0");
    }
}
