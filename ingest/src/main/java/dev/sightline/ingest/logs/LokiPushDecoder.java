package dev.sightline.ingest.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.sightline.core.Labels;
import dev.sightline.ingest.JsonErrors;
import dev.sightline.ingest.Utf8;
import dev.sightline.logs.LogFields;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes Loki's push request ({@code POST /loki/api/v1/push}) into a {@link LogSink}, in both encodings Loki takes:
 * <ul>
 *   <li>JSON: {@code {"streams":[{"stream":{"app":"web"},"values":[["<unix ns>","line"],["<unix ns>","line",
 *   {"trace_id":"..."}]]}]}}; the optional third element of a value is the line's structured metadata. An error names
 *   the JSON pointer of the value at fault ({@code /streams/0/values/3/0}).</li>
 *   <li>protobuf (after snappy): Loki's push.proto, {@code PushRequest{1: repeated StreamAdapter}},
 *   {@code StreamAdapter{1: labels string "{a=\"b\"}", 2: repeated EntryAdapter}},
 *   {@code EntryAdapter{1: google.protobuf.Timestamp, 2: line, 3: repeated LabelPairAdapter{1: name, 2: value}}}.
 *   An error names the byte offset.</li>
 * </ul>
 * Structured metadata names are sanitized as field names are ({@link LogFields#sanitize}). A body that cannot be
 * decoded throws {@link MalformedLogsException}; lines already handed to the sink are then the caller's to roll back.
 */
public final class LokiPushDecoder {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();
    private static final int PUSH_STREAMS = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int STREAM_LABELS = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int STREAM_ENTRIES = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int ENTRY_TIMESTAMP = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int ENTRY_LINE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int ENTRY_METADATA = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TS_SECONDS = tag(1, WireFormat.WIRETYPE_VARINT);
    private static final int TS_NANOS = tag(2, WireFormat.WIRETYPE_VARINT);
    private static final int PAIR_NAME = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int PAIR_VALUE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);

    private LokiPushDecoder() {
    }

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    // ---- JSON ----

    /** Decodes a JSON push body. */
    public static void json(byte[] body, LogSink sink) throws MalformedLogsException {
        JsonParser p = null;
        try {
            p = JSON.createParser(body);
            expect(p, p.nextToken(), JsonToken.START_OBJECT, "a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.currentName().equals("streams")) {
                    expect(p, p.nextToken(), JsonToken.START_ARRAY, "an array of streams");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        stream(p, sink);
                    }
                } else {
                    p.nextToken();
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw malformed(p, "text after the request object");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = JsonErrors.location(e, p);
            // A body Jackson reads as UTF-16 or UTF-32 has characters, not bytes, to count: then line and column only.
            throw new MalformedLogsException("invalid Loki push JSON at " + (at.getByteOffset() >= 0 ? "byte offset "
                    + at.getByteOffset() + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"
                    : "line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedLogsException("invalid Loki push JSON: " + e.getMessage());
        } finally {
            JsonErrors.close(p);
        }
    }

    /** One stream object; its "values" may come before its "stream", so they are held until the object ends. */
    private static void stream(JsonParser p, LogSink sink) throws IOException, MalformedLogsException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, "a stream object");
        Labels labels = null;
        List<Object[]> values = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("stream")) {
                expect(p, t, JsonToken.START_OBJECT, "an object of stream labels");
                Labels.Builder b = Labels.builder();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    expect(p, p.nextToken(), JsonToken.VALUE_STRING, "a string label value");
                    b.set(name, p.getText());
                }
                labels = b.build();
            } else if (field.equals("values")) {
                expect(p, t, JsonToken.START_ARRAY, "an array of [time, line] values");
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    values.add(value(p));
                }
            } else {
                p.skipChildren();
            }
        }
        if (labels == null) {
            throw malformed(p, "stream object without \"stream\" labels");
        }
        for (Object[] v : values) {
            sink.accept(labels, (Long) v[0], (String) v[1], (Labels) v[2]);
        }
    }

    /** One {@code ["<unix ns>", "line", {metadata}]}. */
    private static Object[] value(JsonParser p) throws IOException, MalformedLogsException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "a [time, line] array");
        JsonToken t = p.nextToken();
        long time;
        if (t == JsonToken.VALUE_STRING) {
            time = nanos(p, p.getText());
        } else if (t == JsonToken.VALUE_NUMBER_INT) {
            time = p.getLongValue();
        } else {
            throw malformed(p, "expected the time as a string of unix nanoseconds");
        }
        expect(p, p.nextToken(), JsonToken.VALUE_STRING, "the log line as a string");
        String line = p.getText();
        Labels metadata = Labels.EMPTY;
        t = p.nextToken();
        if (t == JsonToken.START_OBJECT) {
            Labels.Builder b = Labels.builder();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = LogFields.sanitize(p.currentName());
                expect(p, p.nextToken(), JsonToken.VALUE_STRING, "a string structured metadata value");
                b.set(name, p.getText());
            }
            metadata = b.build();
            t = p.nextToken();
        }
        if (t != JsonToken.END_ARRAY) {
            throw malformed(p, "expected the end of the value: [time, line] or [time, line, {structured metadata}]");
        }
        return new Object[] {time, line, metadata};
    }

    private static long nanos(JsonParser p, String s) throws MalformedLogsException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw malformed(p, "time \"" + s + "\" is not an integer of unix nanoseconds");
        }
    }

    private static void expect(JsonParser p, JsonToken got, JsonToken want, String what) throws MalformedLogsException {
        if (got != want) {
            throw malformed(p, "expected " + what + ", found " + (got == null ? "the end of the body" : got.asString() == null ? got.name() : got.asString()));
        }
    }

    private static MalformedLogsException malformed(JsonParser p, String what) {
        String pointer = p.getParsingContext().pathAsPointer().toString();
        return new MalformedLogsException("invalid Loki push JSON at " + (pointer.isEmpty() ? "/" : pointer) + ": " + what);
    }

    // ---- protobuf ----

    /** Decodes a protobuf PushRequest in buf[off, off+len) (already decompressed). */
    public static void protobuf(byte[] buf, int off, int len, LogSink sink) throws MalformedLogsException {
        CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
        try {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == PUSH_STREAMS) {
                    int l = length(in, off, off + len, "StreamAdapter");
                    int at = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    stream(buf, at, l, sink);
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw malformedProto(off + in.getTotalBytesRead(), e.getMessage());
        }
    }

    /** A StreamAdapter at buf[off, off+len): its labels first (they may follow the entries on the wire), then its entries. */
    private static void stream(byte[] buf, int off, int len, LogSink sink) throws MalformedLogsException {
        CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
        String labelText = null;
        int labelsAt = off;
        try {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == STREAM_LABELS) {
                    int l = length(in, off, off + len, "labels");
                    labelsAt = off + in.getTotalBytesRead();
                    if (!Utf8.isValid(buf, labelsAt, l)) {
                        throw malformedProto(labelsAt, "stream labels are not valid UTF-8");
                    }
                    labelText = new String(buf, labelsAt, l, StandardCharsets.UTF_8);
                    in.skipRawBytes(l);
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw malformedProto(off + in.getTotalBytesRead(), e.getMessage());
        }
        if (labelText == null) {
            throw malformedProto(off, "stream without labels");
        }
        Labels labels;
        try {
            labels = StreamLabels.parse(labelText);
        } catch (MalformedLogsException e) {
            throw malformedProto(labelsAt, e.getMessage());
        }
        in = CodedInputStream.newInstance(buf, off, len);
        try {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == STREAM_ENTRIES) {
                    int lim = in.pushLimit(length(in, off, off + len, "EntryAdapter"));
                    entry(in, labels, sink);
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw malformedProto(off + in.getTotalBytesRead(), e.getMessage());
        }
    }

    private static void entry(CodedInputStream in, Labels labels, LogSink sink) throws IOException {
        long seconds = 0;
        int nanos = 0;
        String line = "";
        Labels metadata = Labels.EMPTY;
        Labels.Builder meta = null;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == ENTRY_TIMESTAMP) {
                int lim = in.pushLimit(in.readRawVarint32());
                for (int tt = in.readTag(); tt != 0; tt = in.readTag()) {
                    if (tt == TS_SECONDS) {
                        seconds = in.readInt64();
                    } else if (tt == TS_NANOS) {
                        nanos = in.readInt32();
                    } else {
                        in.skipField(tt);
                    }
                }
                in.popLimit(lim);
            } else if (t == ENTRY_LINE) {
                line = in.readStringRequireUtf8();
            } else if (t == ENTRY_METADATA) {
                int lim = in.pushLimit(in.readRawVarint32());
                String name = "";
                String value = "";
                for (int pt = in.readTag(); pt != 0; pt = in.readTag()) {
                    if (pt == PAIR_NAME) {
                        name = in.readStringRequireUtf8();
                    } else if (pt == PAIR_VALUE) {
                        value = in.readStringRequireUtf8();
                    } else {
                        in.skipField(pt);
                    }
                }
                in.popLimit(lim);
                if (meta == null) {
                    meta = Labels.builder();
                }
                meta.set(LogFields.sanitize(name), value);
            } else {
                in.skipField(t);
            }
        }
        if (meta != null) {
            metadata = meta.build();
        }
        sink.accept(labels, seconds * 1_000_000_000L + nanos, line, metadata);
    }

    /** A length prefix, checked against the end of the enclosing message at buf offset {@code end}. */
    private static int length(CodedInputStream in, int base, int end, String what) throws IOException, MalformedLogsException {
        int l = in.readRawVarint32();
        if (l < 0 || l > end - base - in.getTotalBytesRead()) {
            throw malformedProto(base + in.getTotalBytesRead(), what + " of " + l + " bytes runs past the end of its message");
        }
        return l;
    }

    private static MalformedLogsException malformedProto(long offset, String reason) {
        return new MalformedLogsException("invalid protobuf PushRequest at byte offset " + offset + ": " + reason);
    }
}
