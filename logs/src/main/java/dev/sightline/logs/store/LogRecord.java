package dev.sightline.logs.store;

import dev.sightline.core.Labels;
import dev.sightline.timeindex.ByteReader;
import dev.sightline.timeindex.ByteWriter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of one commit, as the appender gathers them and as one WAL record:
 * {@code [count] ([flags] [stream labels unless the previous entry's] [metadata unless the previous entry's]
 * [time delta, zigzag] [line, UTF-8 with its length])*}. A request's lines mostly share their stream and metadata, so
 * those are written once per run. After {@link #encode} (or {@link #decode}) every line's UTF-8 bytes are at
 * {@link #lineOffset} in {@link #bytes}, which the store copies into the heads without encoding again. Reused by its
 * appender: no per-line allocation besides the caller's strings.
 */
final class LogRecord {
    private static final int SAME_STREAM = 1;
    private static final int SAME_METADATA = 2;

    int count;
    Labels[] streams = new Labels[64];
    long[] times = new long[64];
    Labels[] metadata = new Labels[64];
    String[] lines = new String[64];
    int[] lineOffset = new int[64];
    int[] lineLength = new int[64];
    byte[] bytes;
    int length;
    private final ByteWriter out = new ByteWriter();

    void add(Labels stream, long time, String line, Labels md) {
        if (count == times.length) {
            grow(count * 2);
        }
        streams[count] = stream;
        times[count] = time;
        lines[count] = line;
        metadata[count] = md;
        count++;
    }

    private void grow(int n) {
        streams = Arrays.copyOf(streams, n);
        times = Arrays.copyOf(times, n);
        metadata = Arrays.copyOf(metadata, n);
        lines = Arrays.copyOf(lines, n);
        lineOffset = Arrays.copyOf(lineOffset, n);
        lineLength = Arrays.copyOf(lineLength, n);
    }

    void clear() {
        Arrays.fill(streams, 0, count, null);
        Arrays.fill(metadata, 0, count, null);
        Arrays.fill(lines, 0, count, null);
        count = 0;
        if (out.array().length > 4 << 20) {
            out.reset(); // keep no huge request's buffer for the appender's life
        }
    }

    void encode() {
        out.reset();
        out.writeVarLong(count);
        long prev = 0;
        for (int i = 0; i < count; i++) {
            boolean sameStream = i > 0 && streams[i].equals(streams[i - 1]);
            boolean sameMetadata = i > 0 && metadata[i].equals(metadata[i - 1]);
            out.writeByte((sameStream ? SAME_STREAM : 0) | (sameMetadata ? SAME_METADATA : 0));
            if (!sameStream) {
                writeLabels(streams[i]);
            }
            if (!sameMetadata) {
                writeLabels(metadata[i]);
            }
            out.writeZigZag(times[i] - prev);
            prev = times[i];
            int mark = out.length();
            out.writeString(lines[i]);
            // writeString put a varint length first: the bytes follow it.
            int len = utf8Length(out.array(), mark);
            lineLength[i] = len;
            lineOffset[i] = out.length() - len;
        }
        bytes = out.array();
        length = out.length();
    }

    private static int utf8Length(byte[] b, int at) {
        return (int) new ByteReader(b, at, 10).readVarLong();
    }

    private void writeLabels(Labels l) {
        out.writeVarLong(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.writeString(l.name(i));
            out.writeString(l.value(i));
        }
    }

    /** Reads a WAL record; {@link IllegalArgumentException} when it is not one. */
    static LogRecord decode(byte[] b, int off, int len) {
        LogRecord r = new LogRecord();
        ByteReader in = new ByteReader(b, off, len);
        int n = in.readVarInt();
        r.grow(Math.max(1, Math.min(n, len)));
        long prev = 0;
        for (int i = 0; i < n; i++) {
            int flags = in.readByte();
            if (i == 0 && flags != 0 || flags > 3) {
                throw new IllegalArgumentException("log record entry " + i + ": bad flags " + flags);
            }
            r.streams[i] = (flags & SAME_STREAM) != 0 ? r.streams[i - 1] : readLabels(in);
            r.metadata[i] = (flags & SAME_METADATA) != 0 ? r.metadata[i - 1] : readLabels(in);
            prev += in.readZigZag();
            r.times[i] = prev;
            int lineLen = in.readVarInt();
            r.lineOffset[i] = in.skip(lineLen);
            r.lineLength[i] = lineLen;
            r.lines[i] = new String(b, r.lineOffset[i], lineLen, StandardCharsets.UTF_8);
            r.count = i + 1;
            if (r.count == r.times.length && i + 1 < n) {
                r.grow(r.count * 2);
            }
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("log record: bytes after its " + n + " entries");
        }
        r.bytes = b;
        r.length = len;
        return r;
    }

    private static Labels readLabels(ByteReader in) {
        int n = in.readVarInt();
        if (n == 0) {
            return Labels.EMPTY;
        }
        String[] kv = new String[2 * n];
        for (int i = 0; i < kv.length; i++) {
            kv[i] = in.readString();
        }
        return Labels.of(kv);
    }
}
