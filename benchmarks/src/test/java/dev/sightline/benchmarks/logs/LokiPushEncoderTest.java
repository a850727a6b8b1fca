package dev.sightline.benchmarks.logs;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.TimestampProto;
import dev.sightline.ingest.remotewrite.Snappy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Decodes the encoder's output with protobuf-java against Loki's push.proto rebuilt as a descriptor. */
class LokiPushEncoderTest {
    private static final Descriptor PUSH_REQUEST = pushProto().findMessageTypeByName("PushRequest");

    @Test
    void writesLokiPushRequestsGroupedByStreamInBatchOrder() throws Exception {
        List<LogShape.Line> lines = List.of(
                new LogShape.Line(7, 1_765_000_000_123_456_789L, 1, "{\"level\":\"info\",\"msg\":\"order placed\"}"),
                new LogShape.Line(3, 1_765_000_001_000_000_000L, 3, "level=error msg=\"db query timeout\" ünïcode"),
                new LogShape.Line(7, 1_765_000_002_000_000_001L, 2, "level=warn msg=second"));
        Message m = DynamicMessage.parseFrom(PUSH_REQUEST, LokiPushEncoder.pushRequest(lines));
        assertThat(m.getUnknownFields().asMap()).isEmpty();
        List<Message> streams = messages(m, "streams");
        assertThat(streams).hasSize(2);
        assertThat(field(streams.get(0), "labels")).isEqualTo("{service=\"checkout\", env=\"canary\"}");
        assertThat(field(streams.get(1), "labels")).isEqualTo("{service=\"frontend\", env=\"qa\"}");
        List<Message> first = messages(streams.get(0), "entries");
        assertThat(first).hasSize(2);
        assertEntry(first.get(0), lines.get(0));
        assertEntry(first.get(1), lines.get(2));
        List<Message> second = messages(streams.get(1), "entries");
        assertThat(second).hasSize(1);
        assertEntry(second.get(0), lines.get(1));
    }

    @Test
    void generatedBatchesRoundTripThroughTheServersSnappy() throws Exception {
        LogShape shape = new LogShape(3, 5000, 1_765_000_000_000_000_000L, TimeUnit.HOURS.toNanos(1));
        List<LogShape.Line> lines = shape.chunk(0, 1000);
        byte[] raw = LokiPushEncoder.pushRequest(lines);
        byte[] compressed = new LokiPushEncoder().compressed(raw);
        assertThat(compressed.length).isLessThan(raw.length);
        assertThat(Snappy.decompress(compressed, 0, compressed.length)).isEqualTo(raw);
        Message m = DynamicMessage.parseFrom(PUSH_REQUEST, raw);
        List<LogShape.Line> decoded = new ArrayList<>();
        for (Message s : messages(m, "streams")) {
            for (Message e : messages(s, "entries")) {
                Timestamp ts = Timestamp.parseFrom(((Message) field(e, "timestamp")).toByteString());
                decoded.add(new LogShape.Line(-1, ts.getSeconds() * 1_000_000_000L + ts.getNanos(), 0,
                        (String) field(e, "line")));
            }
        }
        assertThat(decoded).hasSameSizeAs(lines);
        assertThat(decoded).extracting(LogShape.Line::text)
                .containsExactlyInAnyOrderElementsOf(lines.stream().map(LogShape.Line::text).toList());
    }

    @Test
    void anEmptyBatchIsAnEmptyPushRequest() throws Exception {
        assertThat(LokiPushEncoder.pushRequest(List.of())).isEmpty();
        assertThat(messages(DynamicMessage.parseFrom(PUSH_REQUEST, new byte[0]), "streams")).isEmpty();
    }

    private static void assertEntry(Message entry, LogShape.Line line) throws Exception {
        Timestamp ts = Timestamp.parseFrom(((Message) field(entry, "timestamp")).toByteString());
        assertThat(ts.getSeconds() * 1_000_000_000L + ts.getNanos()).isEqualTo(line.timestampNanos());
        assertThat(field(entry, "line")).isEqualTo(line.text());
        List<Message> metadata = messages(entry, "structuredMetadata");
        assertThat(metadata).hasSize(1);
        assertThat(field(metadata.get(0), "name")).isEqualTo(LokiPushEncoder.LEVEL);
        assertThat(field(metadata.get(0), "value")).isEqualTo(line.levelName());
    }

    private static Object field(Message m, String name) {
        return m.getField(m.getDescriptorForType().findFieldByName(name));
    }

    @SuppressWarnings("unchecked")
    private static List<Message> messages(Message m, String name) {
        return (List<Message>) field(m, name);
    }

    /** Loki's pkg/push/push.proto, the messages the push endpoint reads. */
    private static FileDescriptor pushProto() {
        FileDescriptorProto f = FileDescriptorProto.newBuilder().setName("pkg/push/push.proto").setPackage("logproto")
                .setSyntax("proto3").addDependency("google/protobuf/timestamp.proto")
                .addMessageType(message("PushRequest", field("streams", 1, ".logproto.StreamAdapter", true)))
                .addMessageType(message("StreamAdapter", field("labels", 1, null, false),
                        field("entries", 2, ".logproto.EntryAdapter", true)))
                .addMessageType(message("EntryAdapter", field("timestamp", 1, ".google.protobuf.Timestamp", false),
                        field("line", 2, null, false), field("structuredMetadata", 3, ".logproto.LabelPairAdapter", true)))
                .addMessageType(message("LabelPairAdapter", field("name", 1, null, false), field("value", 2, null, false)))
                .build();
        try {
            return FileDescriptor.buildFrom(f, new FileDescriptor[]{TimestampProto.getDescriptor()});
        } catch (com.google.protobuf.Descriptors.DescriptorValidationException e) {
            throw new AssertionError(e);
        }
    }

    private static DescriptorProto message(String name, FieldDescriptorProto... fields) {
        DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(name);
        for (FieldDescriptorProto fd : fields) {
            b.addField(fd);
        }
        return b.build();
    }

    /** A string field when {@code type} is null, else a message field of that type. */
    private static FieldDescriptorProto field(String name, int number, String type, boolean repeated) {
        FieldDescriptorProto.Builder b = FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
                .setLabel(repeated ? Label.LABEL_REPEATED : Label.LABEL_OPTIONAL);
        return (type == null ? b.setType(Type.TYPE_STRING) : b.setType(Type.TYPE_MESSAGE).setTypeName(type)).build();
    }
}
