package dev.sightline.ingest.otlp;

import com.google.protobuf.ByteString;
import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Requests built with the generated OTLP classes: invalid ids among valid spans, limits, OTLP/JSON. */
class OtlpTracesDecoderTest {
    private static final ByteString TRACE = ByteString.fromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    private static final ByteString SPAN = ByteString.fromHex("00f067aa0ba902b7");

    private static io.opentelemetry.proto.trace.v1.Span.Builder span(String name, ByteString trace, ByteString id) {
        return io.opentelemetry.proto.trace.v1.Span.newBuilder().setName(name).setTraceId(trace).setSpanId(id)
                .setStartTimeUnixNano(1_000).setEndTimeUnixNano(2_000);
    }

    private static ExportTraceServiceRequest request(io.opentelemetry.proto.trace.v1.Span.Builder... spans) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        for (var s : spans) {
            ss.addSpans(s);
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss)).build();
    }

    private static KeyValue kv(String key, AnyValue v) {
        return KeyValue.newBuilder().setKey(key).setValue(v).build();
    }

    private static AnyValue str(String s) {
        return AnyValue.newBuilder().setStringValue(s).build();
    }

    @Test
    void invalidIdsAreRejectedAloneAndCounted() {
        List<Span> out = new ArrayList<>();
        SpanResult r = new OtlpTracesDecoder(SpanLimits.DEFAULT, 10).decode(request(
                span("ok", TRACE, SPAN),
                span("no-trace", ByteString.EMPTY, SPAN),
                span("zero-trace", ByteString.copyFrom(new byte[16]), SPAN),
                span("short-trace", TRACE.substring(1), SPAN),
                span("zero-span", TRACE, ByteString.copyFrom(new byte[8])),
                span("long-span", TRACE, TRACE),
                span("bad-parent", TRACE, SPAN).setParentSpanId(ByteString.fromHex("0102")),
                span("ok2", TRACE, ByteString.fromHex("0000000000000001"))), (res, sc, s) -> out.add(s));
        assertThat(out).extracting(Span::name).containsExactly("ok", "ok2");
        assertThat(r.acceptedSpans()).isEqualTo(2);
        assertThat(r.rejectedSpans()).isEqualTo(6);
        assertThat(r.errorMessage()).isEqualTo("6 spans rejected: span \"no-trace\": trace_id is missing; "
                + "span \"zero-trace\": trace_id is all zero; span \"short-trace\": trace_id has 15 bytes, want 16; "
                + "span \"zero-span\": span_id is all zero; span \"long-span\": span_id has 16 bytes, want 8; "
                + "span \"bad-parent\": parent_span_id has 2 bytes, want 8 or none");
        var response = OtlpCodec.response(r);
        assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(6);
        assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo(r.errorMessage());
        assertThat(OtlpCodec.response(new SpanResult(2, 0, "")).hasPartialSuccess()).isFalse();
    }

    @Test
    void reportedErrorsAreCapped() {
        var spans = new io.opentelemetry.proto.trace.v1.Span.Builder[5];
        for (int i = 0; i < spans.length; i++) {
            spans[i] = span("bad" + i, ByteString.EMPTY, SPAN);
        }
        SpanResult r = new OtlpTracesDecoder(SpanLimits.DEFAULT, 2).decode(request(spans), (res, sc, s) -> {
        });
        assertThat(r.errorMessage()).isEqualTo("5 spans rejected: span \"bad0\": trace_id is missing; "
                + "span \"bad1\": trace_id is missing; and 3 more");
    }

    @Test
    void limitsTruncateAndDropWithTheSdksSemantics() {
        String huge = "x".repeat(1 << 20);
        var s = span("limited", TRACE, SPAN)
                .addAttributes(kv("big", str(huge)))
                .addAttributes(kv("emoji", str("ab\uD83D\uDE00")))   // the cut at 3 would split the pair
                .addAttributes(kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("0123456789")).build()))
                .addAttributes(kv("list", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(str("long enough to drop"))).build()))
                .addAttributes(kv("n", AnyValue.newBuilder().setIntValue(7).build()))
                .addAttributes(kv("fifth", str("kept: the dropped list does not count")))
                .addAttributes(kv("over", str("beyond the count")))
                .setDroppedAttributesCount(3);
        for (int i = 0; i < 4; i++) {
            s.addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder().setName("e" + i).setTimeUnixNano(i));
            s.addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder().setTraceId(TRACE).setSpanId(SPAN));
        }
        s.addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder().setTraceId(TRACE).setSpanId(TRACE)); // bad id
        List<Span> out = new ArrayList<>();
        SpanResult r = new OtlpTracesDecoder(new SpanLimits(5, 3, 2, 10), 10).decode(request(s),
                (res, sc, sp) -> out.add(sp));
        assertThat(r.rejectedSpans()).isZero();
        Span got = out.getFirst();
        Attributes a = got.attributes();
        assertThat(a.stringValue(a.indexOf("big"))).isEqualTo("xxx");
        assertThat(a.stringValue(a.indexOf("emoji"))).isEqualTo("ab");
        assertThat(a.bytesValue(a.indexOf("bytes"))).containsExactly('0', '1', '2');
        assertThat(a.indexOf("list")).as("JSON over the length is dropped, not cut").isEqualTo(-1);
        assertThat(a.longValue(a.indexOf("n"))).isEqualTo(7);
        assertThat(a.stringValue(a.indexOf("fifth"))).isEqualTo("kep");
        assertThat(a.indexOf("over")).as("a sixth kept attribute is beyond maxAttributes 5").isEqualTo(-1);
        assertThat(a.size()).isEqualTo(5);
        assertThat(got.droppedAttributesCount()).isEqualTo(3 + 2);
        assertThat(got.events()).extracting(e -> e.name()).containsExactly("e0", "e1");
        assertThat(got.droppedEventsCount()).isEqualTo(2);
        assertThat(got.links()).hasSize(4);
        assertThat(got.droppedLinksCount()).as("the link with a 16-byte span id").isEqualTo(1);
    }

    @Test
    void compoundValuesAreJsonAndFieldsMapAsOtlpDefines() {
        var s = span("typed", TRACE, SPAN).setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER)
                .setTraceState("a=1").setFlags(0x301).setParentSpanId(ByteString.fromHex("0000000000000002"))
                .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
                        .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR).setMessage("bad"))
                .addAttributes(kv("map", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(kv("k", AnyValue.newBuilder().setDoubleValue(1.5).build()))
                        .addValues(kv("q", str("a\"b")))).build()))
                .addAttributes(kv("empty", AnyValue.getDefaultInstance()))
                .addAttributes(kv("t", AnyValue.newBuilder().setBoolValue(true).build()));
        List<Span> out = new ArrayList<>();
        new OtlpTracesDecoder(SpanLimits.DEFAULT, 10).decode(request(s), (res, sc, sp) -> out.add(sp));
        Span got = out.getFirst();
        assertThat(got.kind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(got.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(got.statusMessage()).isEqualTo("bad");
        assertThat(got.traceState()).isEqualTo("a=1");
        assertThat(got.flags()).isEqualTo(0x301);
        assertThat(got.parentSpanId()).isEqualTo(2);
        assertThat(got.durationNanos()).isEqualTo(1_000);
        Attributes a = got.attributes();
        assertThat(a.type(0)).isEqualTo(AttributeType.KVLIST);
        assertThat(a.jsonValue(0)).isEqualTo("{\"k\":1.5,\"q\":\"a\\\"b\"}");
        assertThat(a.stringValue(1)).isEmpty();
        assertThat(a.boolValue(2)).isTrue();
    }

    @Test
    void otlpJsonWithHexIds() throws Exception {
        String json = """
                {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},
                 "scopeSpans":[{"scope":{"name":"lib","version":"1"},"spans":[
                  {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173",
                   "name":"I'm a server span","startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000",
                   "kind":2,"attributes":[{"key":"my.span.attr","value":{"intValue":"42"}}],
                   "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}]},
                  {"traceId":"zz8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"not hex"}]}]}]}
                """;
        List<Span> out = new ArrayList<>();
        SpanResult r = new OtlpTracesDecoder(SpanLimits.DEFAULT, 10)
                .decode(OtlpCodec.parseTracesJson(json.getBytes(StandardCharsets.UTF_8)), (res, sc, s) -> {
                    assertThat(res.serviceName()).isEqualTo("cart");
                    assertThat(sc.name()).isEqualTo("lib");
                    out.add(s);
                });
        assertThat(r.acceptedSpans()).isEqualTo(1);
        assertThat(r.rejectedSpans()).isEqualTo(1);
        assertThat(r.errorMessage()).contains("span \"not hex\": trace_id has 24 bytes, want 16");
        Span s = out.getFirst();
        assertThat(s.traceIdHex()).isEqualTo("5b8efff798038103d269b633813fc60c");
        assertThat(s.spanIdHex()).isEqualTo("eee19b7ec3c1b174");
        assertThat(s.parentSpanId()).isEqualTo(0xeee19b7ec3c1b173L);
        assertThat(s.kind()).isEqualTo(SpanKind.SERVER);
        assertThat(s.startUnixNano()).isEqualTo(1544712660000000000L);
        assertThat(s.attributes().longValue(0)).isEqualTo(42);
        assertThat(s.links().getFirst().traceIdHex()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThatThrownBy(() -> OtlpCodec.parseTracesJson("{\"resourceSpans\":[".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedOtlpException.class).hasMessageContaining("invalid OTLP JSON ExportTraceServiceRequest");
    }

    @Test
    void badOtlpJsonNamesTheJsonPathAndOffset() {
        assertBadJson("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"a\",\"startTimeUnixNano\":\"soon\"}]}]}]}",
                "invalid OTLP JSON ExportTraceServiceRequest at /resourceSpans/0/scopeSpans/0/spans/0/startTimeUnixNano"
                        + " (byte offset 75): want an integer (a number or a string of digits), got string \"soon\"");
        assertBadJson("{\"resourceSpans\":{}}",
                "invalid OTLP JSON ExportTraceServiceRequest at /resourceSpans (byte offset 17): want an array, got {");
        assertBadJson("{\"resource_spans\":[{\"scope_spans\":[{\"spans\":[{\"kind\":true}]}]}]}",
                "at /resource_spans/0/scope_spans/0/spans/0/kind (byte offset 53): want an enum name or number, got true");
        assertBadJson("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":{\"doubleValue\":\"x\"}}]}}]}",
                "at /resourceSpans/0/resource/attributes/0/value/doubleValue (byte offset 79): want a number, got string \"x\"");
        assertBadJson("{\"resourceSpans\":[}", "at /resourceSpans (byte offset 18): Unexpected close marker '}'");
        assertBadJson("[]", "at / (byte offset 0): want a JSON object, got [");
        assertBadJson("{} {}", "content after the request object");
    }

    /**
     * Fuzzing found these: JsonFormat refused them with no place named (bytes that are not base64, an integer out of
     * its field's range, two members of a oneof); the check before it now names the path and offset.
     */
    @Test
    void whatJsonFormatWouldRefuseIsNamedByPathFirst() {
        assertBadJson("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0\"}]}]}]}",
                "at /resourceSpans/0/scopeSpans/0/spans/0/traceId (byte offset 54): want base64 bytes, got string \"0\"");
        assertBadJson("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"70000000000000020049\"}]}]}]}",
                "at /resourceSpans/0/scopeSpans/0/spans/0/startTimeUnixNano (byte offset 64): want an integer within fixed64");
        assertBadJson("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"droppedEventsCount\":-1}]}]}]}",
                "droppedEventsCount (byte offset 65): want an integer within uint32, got number -1");
        assertBadJson("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":1,\"stringValue\":\"x\"}}]}}]}",
                "value/stringValue (byte offset 92): want one member of oneof value only (intValue is already set), got string \"x\"");
        // benchmarks/fuzz.sh, run seed 20261206, input 103920: JsonFormat refuses a double past its range.
        assertBadJson("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":{\"doubleValue\":1e309}}]}}]}",
                "at /resourceSpans/0/resource/attributes/0/value/doubleValue (byte offset 79): want a number within the range"
                        + " of a double, got number 1e309");
        assertBadJson("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":{\"doubleValue\":\"-1.8e308\"}}]}}]}",
                "doubleValue (byte offset 79): want a number within the range of a double, got string \"-1.8e308\"");
        assertThatThrownBy(() -> OtlpCodec.parseLogsJson(
                "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"0a19c\"}]}]}]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("at /resourceLogs/0/scopeLogs/0/logRecords/0/traceId (byte offset 57): want base64 bytes");
        assertThatThrownBy(() -> OtlpCodec.parseJson(("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"gauge\":{\"dataPoints\":"
                + "[{\"asDouble\":1,\"exemplars\":[{\"traceId\":\"IM9FfEpG7cXwsuBraBjAMA==\"}]}]}}]}]}]}").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("/dataPoints/0/exemplars/0/traceId (byte offset 111): want a hex id");
    }

    @Test
    void aDoubleJustPastTheLargestIsTakenAsJsonFormatTakesIt() throws Exception {
        // JsonFormat allows one part in a million past Double.MAX_VALUE (a printed double may round up); it reads +Inf.
        byte[] json = ("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":{\"doubleValue\":"
                + "1.7976931348623159e308}}]}}]}").getBytes(StandardCharsets.UTF_8);
        assertThat(OtlpCodec.parseTracesJson(json).getResourceSpans(0).getResource().getAttributes(0).getValue().getDoubleValue())
                .isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void otlpJsonTakesWhatTheEncodingAllows() throws Exception {
        // snake_case names, int64 as a number, an enum by name, null for a default, unknown fields skipped.
        String json = """
                {"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"5b8efff798038103d269b633813fc60c",
                 "span_id":"eee19b7ec3c1b174","start_time_unix_nano":1544712660000000000,"kind":"SPAN_KIND_CLIENT",
                 "status":null,"futureField":{"x":[1,2]},"attributes":[{"key":"d","value":{"doubleValue":"NaN"}}]}]}]}]}
                """;
        List<Span> out = new ArrayList<>();
        new OtlpTracesDecoder(SpanLimits.DEFAULT, 10).decode(OtlpCodec.parseTracesJson(json.getBytes(StandardCharsets.UTF_8)),
                (res, sc, sp) -> out.add(sp));
        assertThat(out).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(SpanKind.CLIENT);
            assertThat(s.startUnixNano()).isEqualTo(1544712660000000000L);
            assertThat(Double.isNaN(s.attributes().doubleValue(0))).isTrue();
        });
    }

    private static void assertBadJson(String json, String message) {
        assertThatThrownBy(() -> OtlpCodec.parseTracesJson(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedOtlpException.class).hasMessageContaining(message);
    }

    /** A request of realistic spans: 12 attributes (8 strings, 4 integers), 400-600 bytes each. */
    static ExportTraceServiceRequest realistic(int spans) {
        var list = new io.opentelemetry.proto.trace.v1.Span.Builder[spans];
        for (int i = 0; i < spans; i++) {
            var s = span("GET /api/items/{id}", TRACE, ByteString.copyFrom(java.nio.ByteBuffer.allocate(8).putLong(i + 1L).array()))
                    .setParentSpanId(SPAN).setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
            for (int a = 0; a < 8; a++) {
                s.addAttributes(kv("attribute.string." + a, str("value-" + a + "-" + (i % 50))));
            }
            for (int a = 0; a < 4; a++) {
                s.addAttributes(kv("attribute.long." + a, AnyValue.newBuilder().setIntValue(i * 31L + a).build()));
            }
            list[i] = s;
        }
        return request(list);
    }

    @Test
    void keysAreSharedAndDecodingAllocatesLessThanTheGeneratedParser() throws Exception {
        byte[] body = realistic(2_000).toByteArray();
        List<Span> out = new ArrayList<>();
        OtlpTracesDecoder d = new OtlpTracesDecoder(SpanLimits.DEFAULT, 10);
        d.decode(body, 0, body.length, (r, sc, s) -> out.add(s));
        assertThat(out).hasSize(2_000);
        assertThat(out.get(0).attributes().key(3)).isSameAs(out.get(1_999).attributes().key(3));

        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long generated = Long.MAX_VALUE;
        long ours = Long.MAX_VALUE;
        long[] sum = new long[1];
        for (int round = 0; round < 15; round++) {
            long a0 = mx.getThreadAllocatedBytes(id);
            sum[0] += ExportTraceServiceRequest.parseFrom(body).getResourceSpansCount();
            long a1 = mx.getThreadAllocatedBytes(id);
            d.decode(body, 0, body.length, (r, sc, s) -> sum[0] += s.attributes().size());
            long a2 = mx.getThreadAllocatedBytes(id);
            generated = Math.min(generated, a1 - a0);
            ours = Math.min(ours, a2 - a1);
        }
        System.out.printf("OTLP traces, %d bytes/span on the wire: generated parser %d bytes/span, span decoder %d bytes/span%n",
                body.length / 2_000, generated / 2_000, ours / 2_000);
        assertThat(ours).as("span model vs protobuf-java's message objects").isLessThan(generated);
    }

    @Test
    void invalidUtf8InASpanNameIsMalformed() {
        byte[] body = request(span("ab", TRACE, SPAN)).toByteArray();
        int at = indexOf(body, "ab".getBytes(StandardCharsets.UTF_8));
        body[at] = (byte) 0xff;
        assertThatThrownBy(() -> OtlpCodec.checkTracesProtobuf(body)).isInstanceOf(MalformedOtlpException.class)
                .hasMessage("invalid protobuf ExportTraceServiceRequest at byte offset " + at
                        + ": string field 5 is not valid UTF-8");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
