package dev.sightline.ingest.logs;

import com.google.protobuf.CodedOutputStream;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loki push bodies written as Loki's push.proto and its JSON API document them; the real clients are in the server's tests. */
class LokiPushDecoderTest {
    private static CollectingSink json(String body) throws MalformedLogsException {
        CollectingSink sink = new CollectingSink();
        LokiPushDecoder.json(body.getBytes(StandardCharsets.UTF_8), sink);
        return sink;
    }

    @Test
    void jsonStreamsValuesAndStructuredMetadata() throws Exception {
        CollectingSink sink = json("""
                {"streams":[{"values":[["1700000000000000001","first"],
                                       ["1700000000000000002","second",{"trace_id":"abc","http.method":"GET"}]],
                             "stream":{"app":"web","env":"prod"}},
                            {"stream":{"app":"db"},"values":[["1700000000000000003","third"]]}]}""");
        assertThat(sink.entries).hasSize(3);
        LogEntry first = sink.entries.get(0);
        assertThat(first.stream()).isEqualTo(Labels.of("app", "web", "env", "prod"));
        assertThat(first.timeNanos()).isEqualTo(1700000000000000001L);
        assertThat(first.line()).isEqualTo("first");
        assertThat(first.metadata()).isEqualTo(Labels.EMPTY);
        assertThat(sink.entries.get(1).metadata()).isEqualTo(Labels.of("trace_id", "abc", "http_method", "GET"));
        // one labels instance per stream, so the gate checks a stream once
        assertThat(sink.entries.get(1).stream()).isSameAs(first.stream());
        assertThat(sink.entries.get(2).stream()).isEqualTo(Labels.of("app", "db"));
    }

    @Test
    void jsonErrorsNameTheJsonPointer() {
        assertThatThrownBy(() -> json("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"x\"],[\"soon\",\"y\"]]}]}"))
                .isInstanceOf(MalformedLogsException.class)
                .hasMessageContaining("/streams/0/values/1/0").hasMessageContaining("\"soon\"");
        assertThatThrownBy(() -> json("{\"streams\":[{\"stream\":{\"a\":1},\"values\":[]}]}"))
                .hasMessageContaining("/streams/0/stream/a").hasMessageContaining("string label value");
        assertThatThrownBy(() -> json("{\"streams\":[{\"values\":[[\"1\",\"x\"]]}]}"))
                .hasMessageContaining("without \"stream\" labels");
        assertThatThrownBy(() -> json("{\"streams\":[{\"stream\":{},\"values\":[[\"1\",\"x\",{},4]]}]}"))
                .hasMessageContaining("/streams/0/values/0/3");
        assertThatThrownBy(() -> json("{\"streams\":[{\"stream\":{\"a\":\"b\"}, \"values\": [[\"1\" \"x\"]]}]}"))
                .hasMessageContaining("byte offset 49 (line 1, column 50)");
        assertThatThrownBy(() -> json("[]")).hasMessageContaining("at /: expected a JSON object");
        // Fuzzing found it: a read-limit error has no location of its own (this was a NullPointerException, a 500).
        assertThatThrownBy(() -> json("{\"streams\":[{\"" + "a".repeat(50_001) + "\":1}]}"))
                .isInstanceOf(MalformedLogsException.class).hasMessageStartingWith("invalid Loki push JSON at byte offset ")
                .hasMessageContaining("Name length (50001) exceeds the maximum allowed");
        // Fuzzing found it: a body Jackson takes for UTF-16 (the shrunk input: '{', 0) has no byte offsets.
        assertThatThrownBy(() -> json("{\u0000"))
                .hasMessageStartingWith("invalid Loki push JSON at line 1, column ");
    }

    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Writer w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        w.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    static byte[] entry(long seconds, int nanos, String line, String... metadata) throws IOException {
        return message(o -> {
            o.writeByteArray(1, message(t -> {
                t.writeInt64(1, seconds);
                t.writeInt32(2, nanos);
            }));
            o.writeString(2, line);
            for (int i = 0; i < metadata.length; i += 2) {
                String n = metadata[i];
                String v = metadata[i + 1];
                o.writeByteArray(3, message(p -> {
                    p.writeString(1, n);
                    p.writeString(2, v);
                }));
            }
        });
    }

    @Test
    void protobufPushRequest() throws Exception {
        byte[] body = message(o -> {
            // entries before labels: the decoder reads the labels first wherever they are
            o.writeByteArray(1, message(s -> {
                s.writeByteArray(2, entry(1700000000, 5, "hello", "trace_id", "0af7651916cd43dd8448eb211c80319c"));
                s.writeByteArray(2, entry(1700000001, 0, "world"));
                s.writeString(1, "{app=\"web\", msg=\"a \\\"q\\\" b\"}");
                s.writeUInt64(3, 12345);
            }));
        });
        CollectingSink sink = new CollectingSink();
        LokiPushDecoder.protobuf(body, 0, body.length, sink);
        assertThat(sink.entries).hasSize(2);
        assertThat(sink.entries.get(0).stream()).isEqualTo(Labels.of("app", "web", "msg", "a \"q\" b"));
        assertThat(sink.entries.get(0).timeNanos()).isEqualTo(1700000000_000000005L);
        assertThat(sink.entries.get(0).metadata()).isEqualTo(Labels.of("trace_id", "0af7651916cd43dd8448eb211c80319c"));
        assertThat(sink.entries.get(1).line()).isEqualTo("world");
        assertThat(sink.entries.get(1).metadata()).isEqualTo(Labels.EMPTY);
    }

    @Test
    void protobufErrorsNameTheByteOffset() throws Exception {
        byte[] body = message(o -> o.writeByteArray(1, message(s -> {
            s.writeString(1, "{app=\"web\"}");
            s.writeByteArray(2, entry(1, 0, "a line of text"));
        })));
        byte[] truncated = Arrays.copyOf(body, body.length - 3);
        assertThatThrownBy(() -> LokiPushDecoder.protobuf(truncated, 0, truncated.length, new CollectingSink()))
                .isInstanceOf(MalformedLogsException.class).hasMessageContaining("at byte offset 2:")
                .hasMessageContaining("runs past the end");
        byte[] badLabels = message(o -> o.writeByteArray(1, message(s -> s.writeString(1, "{app=web}"))));
        assertThatThrownBy(() -> LokiPushDecoder.protobuf(badLabels, 0, badLabels.length, new CollectingSink()))
                .hasMessageContaining("at byte offset 4").hasMessageContaining("at character 5: expected a quoted value");
    }

    @Test
    void streamLabelSyntax() throws Exception {
        assertThat(StreamLabels.parse(" { } ")).isEqualTo(Labels.EMPTY);
        assertThat(StreamLabels.parse("{a=\"1\",b = \"x\\ny\"}")).isEqualTo(Labels.of("a", "1", "b", "x\ny"));
        assertThatThrownBy(() -> StreamLabels.parse("{a=\"1\",a=\"2\"}")).hasMessageContaining("duplicate label name \"a\"");
        assertThatThrownBy(() -> StreamLabels.parse("{a=\"1\"} x")).hasMessageContaining("character 8: unexpected text");
        assertThatThrownBy(() -> StreamLabels.parse("{a=\"1")).hasMessageContaining("is not closed");
        assertThatThrownBy(() -> StreamLabels.parse("{a!=\"1\"}")).hasMessageContaining("character 2: expected '='");
    }
}
