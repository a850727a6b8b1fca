package dev.sightline.benchmarks.logs;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.sightline.benchmarks.Bench;
import io.airlift.compress.snappy.SnappyCompressor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loki's push request (pkg/push/push.proto) written by hand, as Promtail sends it: {@code PushRequest{repeated
 * StreamAdapter streams = 1}}, {@code StreamAdapter{string labels = 1; repeated EntryAdapter entries = 2}},
 * {@code EntryAdapter{google.protobuf.Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter
 * structuredMetadata = 3}}, {@code LabelPairAdapter{string name = 1; string value = 2}}; then snappy block
 * compression. A batch's lines are grouped by stream (streams in first-seen order, lines in batch order within each),
 * and every entry carries its level as structured metadata {@code level}, as a Promtail
 * {@code structured_metadata} stage or an OTLP log record's severity gives Loki. Requests are built before the
 * measurement, so this favours plainness over speed.
 */
public final class LokiPushEncoder {
    /** The structured metadata name every entry carries, holding its level. */
    public static final String LEVEL = "level";

    private static final int REQUEST_STREAMS = 1, STREAM_LABELS = 1, STREAM_ENTRIES = 2;
    private static final int ENTRY_TIMESTAMP = 1, ENTRY_LINE = 2, ENTRY_METADATA = 3;
    private static final int PAIR_NAME = 1, PAIR_VALUE = 2, TS_SECONDS = 1, TS_NANOS = 2;

    private final SnappyCompressor snappy = new SnappyCompressor();

    /** The PushRequest for {@code lines}, uncompressed. */
    public static byte[] pushRequest(List<LogShape.Line> lines) {
        Map<Integer, List<LogShape.Line>> streams = new LinkedHashMap<>();
        for (LogShape.Line l : lines) {
            streams.computeIfAbsent(l.stream(), s -> new ArrayList<>()).add(l);
        }
        int total = 0;
        int[] streamSizes = new int[streams.size()];
        int s = 0;
        for (Map.Entry<Integer, List<LogShape.Line>> e : streams.entrySet()) {
            int size = CodedOutputStream.computeStringSize(STREAM_LABELS, LogShape.labels(e.getKey()));
            for (LogShape.Line l : e.getValue()) {
                size += nested(STREAM_ENTRIES, entrySize(l));
            }
            streamSizes[s++] = size;
            total += nested(REQUEST_STREAMS, size);
        }
        byte[] out = new byte[total];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            s = 0;
            for (Map.Entry<Integer, List<LogShape.Line>> e : streams.entrySet()) {
                o.writeTag(REQUEST_STREAMS, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(streamSizes[s++]);
                o.writeString(STREAM_LABELS, LogShape.labels(e.getKey()));
                for (LogShape.Line l : e.getValue()) {
                    o.writeTag(STREAM_ENTRIES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    o.writeUInt32NoTag(entrySize(l));
                    writeEntry(o, l);
                }
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("the computed PushRequest size was wrong", e);
        }
        return out;
    }

    /** A PushRequest ({@link #pushRequest}) snappy block-compressed, as Loki's push endpoint takes protobuf. */
    public byte[] compressed(byte[] pushRequest) {
        return Bench.snappy(snappy, pushRequest, pushRequest.length);
    }

    private static int entrySize(LogShape.Line l) {
        return nested(ENTRY_TIMESTAMP, timestampSize(l.timestampNanos()))
                + CodedOutputStream.computeStringSize(ENTRY_LINE, l.text())
                + nested(ENTRY_METADATA, pairSize(l.levelName()));
    }

    private static void writeEntry(CodedOutputStream o, LogShape.Line l) throws IOException {
        long seconds = Math.floorDiv(l.timestampNanos(), 1_000_000_000L);
        int nanos = (int) Math.floorMod(l.timestampNanos(), 1_000_000_000L);
        o.writeTag(ENTRY_TIMESTAMP, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(timestampSize(l.timestampNanos()));
        // proto3 leaves default values out
        if (seconds != 0) {
            o.writeInt64(TS_SECONDS, seconds);
        }
        if (nanos != 0) {
            o.writeInt32(TS_NANOS, nanos);
        }
        o.writeString(ENTRY_LINE, l.text());
        o.writeTag(ENTRY_METADATA, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(pairSize(l.levelName()));
        o.writeString(PAIR_NAME, LEVEL);
        o.writeString(PAIR_VALUE, l.levelName());
    }

    private static int timestampSize(long timestampNanos) {
        long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
        int nanos = (int) Math.floorMod(timestampNanos, 1_000_000_000L);
        return (seconds != 0 ? CodedOutputStream.computeInt64Size(TS_SECONDS, seconds) : 0)
                + (nanos != 0 ? CodedOutputStream.computeInt32Size(TS_NANOS, nanos) : 0);
    }

    private static int pairSize(String value) {
        return CodedOutputStream.computeStringSize(PAIR_NAME, LEVEL) + CodedOutputStream.computeStringSize(PAIR_VALUE, value);
    }

    /** Bytes of a length-delimited field {@code field} whose payload is {@code size} bytes. */
    private static int nested(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
}
