package dev.sightline.tsdb.wal;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the records of one WAL file (segment or checkpoint) in order and hands them to a {@link WalReplayHandler}.
 * Reading stops at the first record that is torn (the file ends inside it), fails its checksum or does not decode;
 * the result says where and why, and everything before that record has been delivered. A record is decoded
 * completely before any of it is delivered, so a handler never sees half a record. Float samples are decoded into
 * reused primitive arrays. One reader may read many files, one after the other; not thread-safe.
 */
final class WalFileReader {
    /** Where reading a file stopped: {@code goodEnd} is the end of the last good record; {@code problem} is null for a clean end. */
    record Result(long goodEnd, long fileSize, String problem) {
        boolean clean() {
            return problem == null;
        }
    }

    private static final int MIN_SAMPLE_BYTES = 10;     // dRef, dT (one byte each at least) and 8 value bytes
    private static final int MIN_HISTOGRAM_BYTES = 40;  // dRef, dT, hint, schema, 4 doubles, 5 lengths (at least)
    private static final int MIN_EXEMPLAR_BYTES = 11;   // dRef, dT, 8 value bytes and a label count

    private final CRC32C crc = new CRC32C();
    private ByteBuffer window = ByteBuffer.allocate(1 << 20);
    private long windowStart;

    // Decoding cursor over window.array().
    private byte[] a;
    private int pos;
    private int end;

    private long[] refs = new long[256];
    private long baseRef;
    private long baseT;
    /** The previous non-zero start timestamp in the record being read (see WalRecordEncoder). */
    private long lastStart;
    private long[] times = new long[256];
    private long[] starts = new long[256];
    private double[] values = new double[256];
    private final List<Labels> labels = new ArrayList<>();
    /**
     * Label strings decoded recently, by a hash of their bytes (direct-mapped): series records repeat a few names and
     * values over and over, so most come from here, already hashed for the head's interner, instead of being
     * decoded and allocated again.
     */
    private static final int STRING_CACHE = 4096;
    private static final int MAX_CACHED_STRING = 64;
    private final byte[][] cachedBytes = new byte[STRING_CACHE][];
    private final String[] cachedStrings = new String[STRING_CACHE];
    private final List<Histogram> histograms = new ArrayList<>();

    /** Thrown (without a stack trace: it is an expected outcome) when a checksummed payload does not decode. */
    static final class CorruptRecordException extends Exception {
        CorruptRecordException(String message) {
            super(message, null, false, false);
        }
    }

    Result read(Path file, WalReplayHandler handler) throws IOException {
        return read(file, 0, handler);
    }

    /** Reads the records from {@code start}, which must be a record boundary (the end of an earlier read). */
    Result read(Path file, long start, WalReplayHandler handler) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            window.clear().limit(0);
            windowStart = 0;
            long off = start;
            while (off < size) {
                int have = fill(ch, off, WalRecordEncoder.HEADER_BYTES, size);
                if (have < WalRecordEncoder.HEADER_BYTES) {
                    return new Result(off, size, "torn record header: the file ends " + have + " bytes into it");
                }
                int at = (int) (off - windowStart);
                byte type = window.get(at);
                int length = window.getInt(at + 1);
                if (type < WalRecordEncoder.SERIES || type > WalRecordEncoder.TOMBSTONES) {
                    return new Result(off, size, "unknown record type " + type);
                }
                if (length < 0 || length > WalRecordEncoder.MAX_PAYLOAD_BYTES) {
                    return new Result(off, size, "record length " + Integer.toUnsignedString(length) + " is out of range");
                }
                int total = WalRecordEncoder.HEADER_BYTES + length + WalRecordEncoder.TRAILER_BYTES;
                have = fill(ch, off, total, size);
                if (have < total) {
                    return new Result(off, size, "torn record: it needs " + total + " bytes but the file ends after " + have);
                }
                at = (int) (off - windowStart);
                int payloadEnd = at + WalRecordEncoder.HEADER_BYTES + length;
                crc.reset();
                crc.update(window.array(), at, WalRecordEncoder.HEADER_BYTES + length);
                if ((int) crc.getValue() != window.getInt(payloadEnd)) {
                    return new Result(off, size, "checksum mismatch in a " + length + "-byte record");
                }
                a = window.array();
                pos = at + WalRecordEncoder.HEADER_BYTES;
                end = payloadEnd;
                try {
                    switch (type) {
                        case WalRecordEncoder.SERIES -> series(handler);
                        case WalRecordEncoder.SAMPLES -> samples(handler, false);
                        case WalRecordEncoder.SAMPLES_ST -> samples(handler, true);
                        case WalRecordEncoder.HISTOGRAMS -> histograms(handler, false);
                        case WalRecordEncoder.HISTOGRAMS_ST -> histograms(handler, true);
                        case WalRecordEncoder.TOMBSTONES -> tombstones(handler);
                        default -> exemplars(handler);
                    }
                } catch (CorruptRecordException e) {
                    return new Result(off, size, "undecodable record of type " + type + ": " + e.getMessage());
                }
                off += total;
            }
            return new Result(off, size, null);
        }
    }

    /**
     * Makes file bytes [off, off + n) available in the window (re-reading from off when they are not) and returns
     * how many of them exist, which is less than n only when the file ends first.
     */
    private int fill(FileChannel ch, long off, int n, long size) throws IOException {
        long windowEnd = windowStart + window.limit();
        if (off >= windowStart && off + n <= windowEnd) {
            return n;
        }
        if (n > window.capacity()) {
            window = ByteBuffer.allocate(Math.max(n, Math.min(Integer.MAX_VALUE - 8, 2 * window.capacity())));
        }
        window.clear();
        windowStart = off;
        long want = Math.min(window.capacity(), size - off);
        window.limit((int) want);
        while (window.hasRemaining()) {
            int r = ch.read(window, off + window.position());
            if (r < 0) {
                break;
            }
        }
        window.flip();
        return Math.min(n, window.limit());
    }

    private void series(WalReplayHandler handler) throws CorruptRecordException {
        int n = count(2); // a ref and a label count take a byte each at least
        long[] r = ensureRefs(n);
        labels.clear();
        for (int i = 0; i < n; i++) {
            r[i] = varint();
            labels.add(labels("series", i));
        }
        requireEnd();
        for (int i = 0; i < n; i++) {
            handler.series(r[i], labels.get(i));
        }
        labels.clear();
    }

    private void tombstones(WalReplayHandler handler) throws CorruptRecordException {
        int n = count(3); // a ref and two times take a byte each at least
        long[] r = ensureRefs(n);
        long[] bounds = new long[2 * n];
        for (int i = 0; i < n; i++) {
            r[i] = varint();
            bounds[2 * i] = varint();
            bounds[2 * i + 1] = varint();
            if (bounds[2 * i] > bounds[2 * i + 1]) {
                throw new CorruptRecordException("tombstone " + i + ": interval [" + bounds[2 * i] + ", "
                        + bounds[2 * i + 1] + "] is reversed");
            }
        }
        requireEnd();
        for (int i = 0; i < n; i++) {
            handler.tombstone(r[i], bounds[2 * i], bounds[2 * i + 1]);
        }
    }

    private void exemplars(WalReplayHandler handler) throws CorruptRecordException {
        int n = timedItems(MIN_EXEMPLAR_BYTES);
        long[] r = refs;
        labels.clear();
        for (int i = 0; i < n; i++) {
            refAndTime(i, false);
            values[i] = f64();
            labels.add(labels("exemplar", i));
        }
        requireEnd();
        for (int i = 0; i < n; i++) {
            handler.exemplar(r[i], times[i], values[i], labels.get(i));
        }
        labels.clear();
    }

    private Labels labels(String what, int i) throws CorruptRecordException {
        int nl = count(2);
        String[] kv = new String[2 * nl];
        for (int j = 0; j < nl; j++) {
            kv[2 * j] = string();
            kv[2 * j + 1] = string();
        }
        try {
            return Labels.ofSorted(kv);
        } catch (IllegalArgumentException e) {
            throw new CorruptRecordException(what + " " + i + ": " + e.getMessage());
        }
    }

    private void samples(WalReplayHandler handler, boolean withStarts) throws CorruptRecordException {
        int n = timedItems(MIN_SAMPLE_BYTES);
        long[] r = refs;
        for (int i = 0; i < n; i++) {
            refAndTime(i, withStarts);
            values[i] = Double.longBitsToDouble(fixed64());
        }
        requireEnd();
        for (int i = 0; i < n; i++) {
            handler.sample(r[i], starts[i], times[i], values[i]);
        }
    }

    private void histograms(WalReplayHandler handler, boolean withStarts) throws CorruptRecordException {
        int n = timedItems(MIN_HISTOGRAM_BYTES);
        long[] r = refs;
        histograms.clear();
        Histogram.CounterResetHint[] hints = Histogram.CounterResetHint.values();
        for (int i = 0; i < n; i++) {
            refAndTime(i, withStarts);
            int hint = byte1();
            if (hint >= hints.length) {
                throw new CorruptRecordException("histogram " + i + " has unknown counter-reset hint " + hint);
            }
            long schema = varint();
            if (schema != (int) schema) {
                throw new CorruptRecordException("histogram " + i + " has schema " + schema + " outside the int range");
            }
            double zeroThreshold = f64();
            double zeroCount = f64();
            double count = f64();
            double sum = f64();
            int[][] pos = spans();
            int[][] neg = spans();
            double[] posBuckets = doubles();
            double[] negBuckets = doubles();
            double[] custom = doubles();
            histograms.add(new Histogram(hints[hint], (int) schema, zeroThreshold, zeroCount, count, sum,
                    pos[0], pos[1], posBuckets, neg[0], neg[1], negBuckets, custom));
        }
        requireEnd();
        for (int i = 0; i < n; i++) {
            handler.histogram(r[i], starts[i], times[i], histograms.get(i));
        }
        histograms.clear();
    }

    /** Reads the count and base ref and time that start a samples, histograms or exemplars record; sizes the arrays. */
    private int timedItems(int minBytesEach) throws CorruptRecordException {
        int n = count(minBytesEach);
        baseRef = varint();
        baseT = varint();
        lastStart = baseT;
        long[] r = ensureRefs(n);
        if (times.length < n) {
            times = new long[r.length];
            starts = new long[r.length];
            values = new double[r.length];
        }
        return n;
    }

    /** Reads item i's ref and timestamp, stored as deltas from the record's base, and its start timestamp if stored. */
    private void refAndTime(int i, boolean withStart) throws CorruptRecordException {
        refs[i] = baseRef + varint();
        long t = baseT + varint();
        times[i] = t;
        long st = withStart ? uvarint() : 0;
        if (st == 0) {
            starts[i] = 0;
        } else {
            lastStart += ((st - 1) >>> 1) ^ -((st - 1) & 1);
            starts[i] = lastStart;
        }
    }

    private long[] ensureRefs(int n) {
        if (refs.length < n) {
            refs = new long[Math.max(n, 2 * refs.length)];
        }
        return refs;
    }

    private int[][] spans() throws CorruptRecordException {
        int n = count(2);
        int[] offsets = new int[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            long o = varint();
            long l = uvarint();
            if (o != (int) o || l > 0xFFFFFFFFL) {
                throw new CorruptRecordException("span " + i + " offset " + o + " or length " + l + " is out of range");
            }
            offsets[i] = (int) o;
            lengths[i] = (int) l;
        }
        return new int[][]{offsets, lengths};
    }

    private double[] doubles() throws CorruptRecordException {
        int n = count(8);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = f64();
        }
        return d;
    }

    /** A count of items each taking at least {@code minBytesEach}, checked against what is left so garbage cannot make us allocate. */
    private int count(int minBytesEach) throws CorruptRecordException {
        long n = uvarint();
        if (n > (end - pos) / minBytesEach) {
            throw new CorruptRecordException("count " + Long.toUnsignedString(n) + " at payload byte " + pos
                    + " exceeds what the remaining " + (end - pos) + " bytes can hold");
        }
        return (int) n;
    }

    private String string() throws CorruptRecordException {
        int n = count(1);
        if (n > MAX_CACHED_STRING) {
            String s = new String(a, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
        int h = n;
        for (int i = pos, e = pos + n; i < e; i++) {
            h = 31 * h + a[i];
        }
        h = (h ^ (h >>> 15)) & (STRING_CACHE - 1);
        byte[] c = cachedBytes[h];
        String s;
        if (c != null && Arrays.equals(c, 0, c.length, a, pos, pos + n)) {
            s = cachedStrings[h];
        } else {
            s = new String(a, pos, n, StandardCharsets.UTF_8);
            cachedBytes[h] = Arrays.copyOfRange(a, pos, pos + n);
            cachedStrings[h] = s;
        }
        pos += n;
        return s;
    }

    private int byte1() throws CorruptRecordException {
        if (pos >= end) {
            throw new CorruptRecordException("payload ends early");
        }
        return a[pos++] & 0xFF;
    }

    private long uvarint() throws CorruptRecordException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw new CorruptRecordException("payload ends inside a varint");
            }
            int b = a[pos++];
            if (shift == 63 && (b & 0xFF) > 1) {
                throw new CorruptRecordException("varint overflows 64 bits");
            }
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new CorruptRecordException("varint longer than 10 bytes");
    }

    private long varint() throws CorruptRecordException {
        long u = uvarint();
        return (u >>> 1) ^ -(u & 1);
    }

    private long fixed64() throws CorruptRecordException {
        if (end - pos < 8) {
            throw new CorruptRecordException("payload ends inside an 8-byte value");
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (a[pos++] & 0xFF);
        }
        return v;
    }

    private double f64() throws CorruptRecordException {
        return Double.longBitsToDouble(fixed64());
    }

    private void requireEnd() throws CorruptRecordException {
        if (pos != end) {
            throw new CorruptRecordException((end - pos) + " unexpected bytes after the last item");
        }
    }
}
