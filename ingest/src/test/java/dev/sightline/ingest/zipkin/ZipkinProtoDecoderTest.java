package dev.sightline.ingest.zipkin;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** zipkin.proto3 ListOfSpans written field by field as zipkin.proto numbers them; the real reporter is in the server's tests. */
class ZipkinProtoDecoderTest {
    private static final HexFormat HEX = HexFormat.of();

    /** A Span message: trace id, id, parent, kind, name, timestamp, duration, a local endpoint, an annotation, a tag. */
    static byte[] span(String traceId, String id, String parentId) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        if (traceId != null) {
            out.writeBytes(1, ByteString.copyFrom(HEX.parseHex(traceId)));
        }
        if (parentId != null) {
            out.writeBytes(2, ByteString.copyFrom(HEX.parseHex(parentId)));
        }
        if (id != null) {
            out.writeBytes(3, ByteString.copyFrom(HEX.parseHex(id)));
        }
        out.writeEnum(4, 2); // SERVER
        out.writeString(5, "get /api");
        out.writeFixed64(6, 1556604172355737L);
        out.writeUInt64(7, 1431);
        out.writeByteArray(8, message(o -> {
            o.writeString(1, "backend");
            o.writeByteArray(2, new byte[]{(byte) 192, (byte) 168, 99, 1});
            o.writeInt32(4, 3306);
        }));
        out.writeByteArray(10, message(o -> {
            o.writeFixed64(1, 1556604172355800L);
            o.writeString(2, "ws");
        }));
        out.writeByteArray(11, message(o -> {
            o.writeString(1, "http.path");
            o.writeString(2, "/api");
        }));
        out.writeBool(12, true); // debug: no OTLP field
        out.flush();
        return bytes.toByteArray();
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Writer w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        w.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    static byte[] list(byte[]... spans) throws IOException {
        return message(o -> {
            for (byte[] s : spans) {
                o.writeByteArray(1, s);
            }
        });
    }

    private record Decoded(SpanResource resource, Span span) {
    }

    private static List<Decoded> decode(byte[] body, SpanResult[] result) throws MalformedZipkinException {
        List<Decoded> out = new ArrayList<>();
        result[0] = new ZipkinProtoDecoder(SpanLimits.DEFAULT, 10).decode(body, (r, s, sp) -> out.add(new Decoded(r, sp)));
        return out;
    }

    @Test
    void aListOfSpansMapsAsItsJsonDoes() throws Exception {
        SpanResult[] r = new SpanResult[1];
        List<Decoded> out = decode(list(span("5af7183fb1d4cf5f", "352bff9a74ca9ad2", "6b221d5bc9e6496c"),
                span("463ac35c9f6413ad48485a3953bb6124", "a2fb4a1d1a96d312", null)), r);
        assertThat(r[0]).isEqualTo(new SpanResult(2, 0, ""));
        Span s = out.get(0).span;
        assertThat(s.traceIdHex()).isEqualTo("00000000000000005af7183fb1d4cf5f");
        assertThat(s.spanIdHex()).isEqualTo("352bff9a74ca9ad2");
        assertThat(s.parentSpanId()).isEqualTo(0x6b221d5bc9e6496cL);
        assertThat(s.kind()).isEqualTo(SpanKind.SERVER);
        assertThat(s.name()).isEqualTo("get /api");
        assertThat(s.startUnixNano()).isEqualTo(1556604172355737000L);
        assertThat(s.durationNanos()).isEqualTo(1_431_000L);
        assertThat(s.attributes().toString()).contains("http.path", "/api", "net.host.ip", "192.168.99.1", "net.host.port");
        assertThat(s.events()).extracting(e -> e.name() + "@" + e.timeUnixNano()).containsExactly("ws@1556604172355800000");
        assertThat(out.get(0).resource.serviceName()).isEqualTo("backend");
        assertThat(out.get(1).span.traceIdHex()).isEqualTo("463ac35c9f6413ad48485a3953bb6124");
        assertThat(out.get(1).span.isRoot()).isTrue();
        assertThat(out.get(1).resource).isSameAs(out.get(0).resource);
    }

    @Test
    void badIdsAreRejectedAlone() throws Exception {
        SpanResult[] r = new SpanResult[1];
        List<Decoded> out = decode(list(span(null, "352bff9a74ca9ad2", null), span("5af7183fb1d4", "352bff9a74ca9ad2", null),
                span("0000000000000000", "352bff9a74ca9ad2", null), span("5af7183fb1d4cf5f", "352bff9a", null),
                span("5af7183fb1d4cf5f", "352bff9a74ca9ad2", "0011"), span("5af7183fb1d4cf5f", "352bff9a74ca9ad2", null)), r);
        assertThat(out).hasSize(1);
        assertThat(r[0].rejectedSpans()).isEqualTo(5);
        assertThat(r[0].errorMessage()).isEqualTo("5 spans rejected: span \"get /api\": trace_id is missing; "
                + "span \"get /api\": trace_id has 6 bytes, want 8 or 16; span \"get /api\": trace_id is all zero; "
                + "span \"get /api\": id has 4 bytes, want 8; span \"get /api\": parent_id has 2 bytes, want 8 or none");
    }

    @Test
    void malformedBodiesNameTheOffsetAndHandNothingOn() throws Exception {
        byte[] good = list(span("5af7183fb1d4cf5f", "352bff9a74ca9ad2", null), span("5af7183fb1d4cf5f", "452bff9a74ca9ad2", null));
        List<Span> out = new ArrayList<>();
        ZipkinProtoDecoder d = new ZipkinProtoDecoder(SpanLimits.DEFAULT, 10);
        assertThatThrownBy(() -> d.decode(Arrays.copyOf(good, good.length - 3), (r, s, sp) -> out.add(sp)))
                .isInstanceOf(MalformedZipkinException.class)
                .hasMessageStartingWith("invalid Zipkin proto3 ListOfSpans at byte offset ")
                .hasMessageContaining("(span 1)").hasMessageContaining("truncated");
        // Field 5 (name) sent as a varint.
        byte[] wrongType = list(message(o -> o.writeInt32(5, 7)));
        assertThatThrownBy(() -> d.decode(wrongType, (r, s, sp) -> out.add(sp)))
                .hasMessage("invalid Zipkin proto3 ListOfSpans at byte offset 3 (span 0): field name has wire type 0, want 2");
        assertThatThrownBy(() -> d.decode("[{\"traceId\":\"1\"}]".getBytes(), (r, s, sp) -> out.add(sp)))
                .isInstanceOf(MalformedZipkinException.class).hasMessageContaining("byte offset");
        byte[] badAddress = list(message(o -> o.writeByteArray(8, message(e -> e.writeByteArray(2, new byte[]{1, 2, 3})))));
        assertThatThrownBy(() -> d.decode(badAddress, (r, s, sp) -> out.add(sp)))
                .hasMessageContaining("endpoint ipv4 has 3 bytes, want 4");
        assertThat(out).isEmpty();
    }

    @Test
    void ipv6IsWrittenInItsShortestForm() {
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("20010db800000000000000000000c001"))).isEqualTo("2001:db8::c001");
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("20010db80000000000000000000c0001"))).isEqualTo("2001:db8::c:1");
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("00000000000000000000000000000001"))).isEqualTo("::1");
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("00000000000000000000000000000000"))).isEqualTo("::");
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("fe800000000000000000000000000000"))).isEqualTo("fe80::");
        // One zero group stays; of two equal runs the first becomes "::".
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("20010db8000000010000000000000001"))).isEqualTo("2001:db8:0:1::1");
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("20010000000000010001000000000001"))).isEqualTo("2001::1:1:0:0:1");
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("20010db8000100020003000400050006"))).isEqualTo("2001:db8:1:2:3:4:5:6");
        assertThat(ZipkinProtoDecoder.ipv6(HEX.parseHex("20010db8000000020003000400050006"))).isEqualTo("2001:db8:0:2:3:4:5:6");
    }
}
