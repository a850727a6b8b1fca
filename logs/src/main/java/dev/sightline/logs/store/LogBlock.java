package dev.sightline.logs.store;

import dev.sightline.core.Labels;
import dev.sightline.timeindex.ByteReader;
import dev.sightline.timeindex.ByteWriter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A run of one stream's lines in append order, as columns: times, UTF-8 lengths, metadata and the line bytes back to
 * back. A stream's open block (its head) grows in memory; a full one is stored as a Lucene document in two DEFLATE
 * sections, the columns (times, lengths, metadata: all that metric queries need) and the line bytes, so counting and
 * summing lengths never inflates a line. Lines of one stream sit next to each other, which is what makes them
 * compress (their keys, levels and formats repeat).
 */
final class LogBlock {
    private static final int DEFLATE_LEVEL = 6;

    int count;
    long[] times;
    int[] lengths;
    int[] offsets;
    Labels[] metadata;
    byte[] bytes;
    int used;
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;

    LogBlock(int lines, int lineBytes) {
        times = new long[lines];
        lengths = new int[lines];
        offsets = new int[lines];
        metadata = new Labels[lines];
        bytes = new byte[lineBytes];
    }

    void add(long time, Labels md, byte[] src, int off, int len) {
        if (count == times.length) {
            int n = Math.max(16, count * 2);
            times = Arrays.copyOf(times, n);
            lengths = Arrays.copyOf(lengths, n);
            offsets = Arrays.copyOf(offsets, n);
            metadata = Arrays.copyOf(metadata, n);
        }
        if (used + len > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + len));
        }
        System.arraycopy(src, off, bytes, used, len);
        times[count] = time;
        lengths[count] = len;
        offsets[count] = used;
        // Consecutive lines often share one metadata set (same level, no ids): keep one instance.
        metadata[count] = count > 0 && metadata[count - 1].equals(md) ? metadata[count - 1] : md;
        used += len;
        count++;
        minTime = Math.min(minTime, time);
        maxTime = Math.max(maxTime, time);
    }

    /** A copy of the lines so far, for a query to read while appends go on. */
    LogBlock copy() {
        LogBlock c = new LogBlock(0, 0);
        c.count = count;
        c.times = Arrays.copyOf(times, count);
        c.lengths = Arrays.copyOf(lengths, count);
        c.offsets = Arrays.copyOf(offsets, count);
        c.metadata = Arrays.copyOf(metadata, count);
        c.bytes = Arrays.copyOf(bytes, used);
        c.used = used;
        c.minTime = minTime;
        c.maxTime = maxTime;
        return c;
    }

    String line(int i) {
        return new String(bytes, offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    // --- stored form ----------------------------------------------------------------------------------------------

    /** The columns section: count, times (first, then zigzag deltas), lengths, a metadata dictionary and its indexes. */
    byte[] encodeColumns(ByteWriter w) {
        w.reset();
        w.writeVarLong(count);
        long prev = count > 0 ? times[0] : 0;
        w.writeZigZag(prev);
        for (int i = 1; i < count; i++) {
            w.writeZigZag(times[i] - prev);
            prev = times[i];
        }
        for (int i = 0; i < count; i++) {
            w.writeVarLong(lengths[i]);
        }
        Map<Labels, Integer> dict = new HashMap<>();
        int[] index = new int[count];
        ByteWriter d = new ByteWriter();
        for (int i = 0; i < count; i++) {
            Integer n = dict.get(metadata[i]);
            if (n == null) {
                n = dict.size();
                dict.put(metadata[i], n);
                Labels md = metadata[i];
                d.writeVarLong(md.size());
                for (int j = 0; j < md.size(); j++) {
                    d.writeString(md.name(j));
                    d.writeString(md.value(j));
                }
            }
            index[i] = n;
        }
        w.writeVarLong(dict.size());
        w.writeBytes(d.array(), 0, d.length());
        for (int i = 0; i < count; i++) {
            w.writeVarLong(index[i]);
        }
        return deflate(w.array(), 0, w.length());
    }

    byte[] encodeLines() {
        return deflate(bytes, 0, used);
    }

    /** A stored block's columns, without its lines ({@link #bytes} stays empty until {@link #inflateLines}). */
    static LogBlock decodeColumns(byte[] deflated, int off, int len) {
        byte[] raw = inflate(deflated, off, len);
        ByteReader r = new ByteReader(raw, 0, raw.length);
        int n = r.readVarInt();
        LogBlock b = new LogBlock(n, 0);
        b.count = n;
        long t = r.readZigZag();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                t += r.readZigZag();
            }
            b.times[i] = t;
            b.minTime = Math.min(b.minTime, t);
            b.maxTime = Math.max(b.maxTime, t);
        }
        int at = 0;
        for (int i = 0; i < n; i++) {
            b.lengths[i] = r.readVarInt();
            b.offsets[i] = at;
            at += b.lengths[i];
        }
        b.used = at;
        Labels[] dict = new Labels[r.readVarInt()];
        for (int k = 0; k < dict.length; k++) {
            int pairs = r.readVarInt();
            String[] kv = new String[2 * pairs];
            for (int j = 0; j < kv.length; j++) {
                kv[j] = r.readString();
            }
            dict[k] = kv.length == 0 ? Labels.EMPTY : Labels.of(kv);
        }
        for (int i = 0; i < n; i++) {
            int k = r.readVarInt();
            if (k >= dict.length) {
                throw new IllegalArgumentException("block metadata index " + k + " out of range");
            }
            b.metadata[i] = dict[k];
        }
        return b;
    }

    void inflateLines(byte[] deflated, int off, int len) {
        byte[] raw = inflate(deflated, off, len);
        if (raw.length != used) {
            throw new IllegalArgumentException("block lines: " + raw.length + " bytes, columns say " + used);
        }
        bytes = raw;
    }

    private static byte[] deflate(byte[] src, int off, int len) {
        Deflater d = new Deflater(DEFLATE_LEVEL, true);
        try {
            d.setInput(src, off, len);
            d.finish();
            byte[] out = new byte[len / 3 + 64];
            int n = 0;
            while (!d.finished()) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                n += d.deflate(out, n, out.length - n);
            }
            // The raw length first, so inflating allocates once.
            ByteWriter w = new ByteWriter();
            w.writeVarLong(len);
            w.writeBytes(out, 0, n);
            return Arrays.copyOf(w.array(), w.length());
        } finally {
            d.end();
        }
    }

    private static byte[] inflate(byte[] src, int off, int len) {
        ByteReader r = new ByteReader(src, off, len);
        int raw = r.readVarInt();
        int start = r.position();
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(src, start, off + len - start);
            byte[] out = new byte[raw];
            int n = 0;
            while (n < raw) {
                int k = inf.inflate(out, n, raw - n);
                if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                    throw new IllegalArgumentException("block section truncated: " + n + " of " + raw + " bytes");
                }
                n += k;
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("block section corrupt: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }
}
