package dev.sightline.ingest.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.spans.SpanLimits;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz targets of OTLP metrics and traces, binary protobuf and JSON, and of the gzip layer every OTLP/HTTP (and Loki,
 * Zipkin) body may come in. A body the decoders refuse is a {@link MalformedOtlpException} naming the byte offset
 * (protobuf) or the JSON path and offset; what they accept is counted consistently.
 */
public final class OtlpFuzzTargets {
    /** Where an OTLP error says the problem is: a byte offset, or a JSON path. */
    static final Pattern LOCATED = Pattern.compile("at (byte offset \\d+|/\\S*)");

    private OtlpFuzzTargets() {
    }

    /**
     * Requests of our translator corpus: {@code mapping} (written by hand in OTLP JSON, hex ids) and, for protobuf,
     * also some generated cases (protobuf's JSON mapping, base64 ids, which OTLP JSON does not take).
     */
    private static List<String> corpus(String... files) {
        List<String> requests = new ArrayList<>();
        for (String file : files) {
            // From the class path: the server's tests read it from this module's test-jar.
            try (InputStream in = OtlpFuzzTargets.class.getResourceAsStream("/otlp-corpus/" + file + ".requests.jsonl")) {
                new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).forEach(requests::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return requests;
    }

    private static byte[] toProtobuf(String json) {
        try {
            ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
            JsonFormat.parser().merge(json, b);
            return b.build().toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Spans with events, links, a status and attributes of every kind, arrays and maps nested in each other. */
    private static ExportTraceServiceRequest richSpans() {
        AnyValue nested = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addValues(KeyValue.newBuilder().setKey("list").setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(AnyValue.newBuilder().setIntValue(-7)).addValues(AnyValue.newBuilder().setDoubleValue(0.5))
                        .addValues(AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("raw")))
                        .addValues(AnyValue.newBuilder().setBoolValue(true)))))).build();
        Span.Builder s = OtlpTracesDecoderTest.realistic(1).getResourceSpans(0).getScopeSpans(0).getSpans(0).toBuilder()
                .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_250_000_000L)
                .addAttributes(KeyValue.newBuilder().setKey("nested").setValue(nested))
                .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(1_700_000_000_100_000_000L)
                        .addAttributes(KeyValue.newBuilder().setKey("exception.type").setValue(AnyValue.newBuilder().setStringValue("IOError"))))
                .addLinks(Span.Link.newBuilder().setTraceId(ByteString.fromHex("0af7651916cd43dd8448eb211c80319c"))
                        .setSpanId(ByteString.fromHex("b7ad6b7169203331")).setTraceState("a=b"))
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("failed"));
        ExportTraceServiceRequest base = OtlpTracesDecoderTest.realistic(3);
        return base.toBuilder().setResourceSpans(0, base.getResourceSpans(0).toBuilder()
                .setScopeSpans(0, base.getResourceSpans(0).getScopeSpans(0).toBuilder().addSpans(s))).build();
    }

    private static final String TRACES_JSON = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},
             "scopeSpans":[{"scope":{"name":"lib","version":"1"},"spans":[
              {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173",
               "name":"GET /cart","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,
               "attributes":[{"key":"http.status_code","value":{"intValue":"200"}},
                {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"doubleValue":1.5}]}}}],
               "events":[{"timeUnixNano":"1544712660500000000","name":"retry","attributes":[{"key":"n","value":{"boolValue":true}}]}],
               "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}],
               "status":{"code":"STATUS_CODE_OK"}}]}]}]}
            """;

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static FuzzTarget.Builder otlp(String name) {
        return FuzzTarget.named(name).rejects(MalformedOtlpException.class, e -> LOCATED.matcher(e.getMessage()).find());
    }

    public static List<FuzzTarget> all() {
        List<String> json = corpus("mapping");
        List<byte[]> protobuf = corpus("mapping", "seed-000", "seed-001", "seed-005").stream().map(OtlpFuzzTargets::toProtobuf).toList();
        return List.of(
                otlp("otlp-metrics-protobuf").seeds(protobuf).run(in -> {
                    CapturingSink sink = new CapturingSink();
                    OtlpResult r = new OtlpMetricsTranslator(IngestLimits.DEFAULT).translate(in, 0, in.length, sink, sink.context());
                    assertThat(r.samplesAppended()).isEqualTo(sink.samples.size());
                }).build(),
                otlp("otlp-metrics-json").seeds(json.toArray(String[]::new))
                        .tokens("{", "[", "}", "]", ",", ":", "\"", "null", "true", "\"asDouble\":", "\"asInt\":\"", "\"dataPoints\":[",
                                "\"timeUnixNano\":", "{\"kvlistValue\":{\"values\":[", "{\"arrayValue\":{\"values\":[", "\\u0000", "\"\\ud800\"")
                        .run(in -> {
                            CapturingSink sink = new CapturingSink();
                            OtlpResult r = new OtlpMetricsTranslator(IngestLimits.DEFAULT).translate(OtlpCodec.parseJson(in), sink, sink.context());
                            assertThat(r.samplesAppended()).isEqualTo(sink.samples.size());
                        }).build(),
                otlp("otlp-traces-protobuf").seeds(richSpans().toByteArray(), OtlpTracesDecoderTest.realistic(2).toByteArray())
                        .run(in -> {
                            List<dev.sightline.core.span.Span> out = new ArrayList<>();
                            var r = new OtlpTracesDecoder(SpanLimits.DEFAULT, 10).decode(in, 0, in.length, (res, sc, sp) -> out.add(sp));
                            assertThat(r.acceptedSpans()).isEqualTo(out.size());
                        }).build(),
                otlp("otlp-traces-json").seeds(TRACES_JSON)
                        .tokens("{", "[", "}", "]", ",", ":", "\"", "null", "{\"kvlistValue\":{\"values\":[", "{\"arrayValue\":{\"values\":[",
                                "\"spans\":[", "\"traceId\":\"", "\"intValue\":\"")
                        .run(in -> {
                            List<dev.sightline.core.span.Span> out = new ArrayList<>();
                            var r = new OtlpTracesDecoder(SpanLimits.DEFAULT, 10).decode(OtlpCodec.parseTracesJson(in), (res, sc, sp) -> out.add(sp));
                            assertThat(r.acceptedSpans()).isEqualTo(out.size());
                        }).build(),
                FuzzTarget.named("gzip").seeds(gzip(json.getFirst().getBytes(StandardCharsets.UTF_8)), gzip(protobuf.getFirst()))
                        .rejects(MalformedOtlpException.class, e -> e.getMessage().startsWith("invalid gzip body: "))
                        .rejects(OtlpCodec.TooLargeException.class, e -> e.getMessage().contains("limit of"))
                        .run(in -> OtlpCodec.gunzip(in, 1 << 20))
                        .build());
    }
}
