package dev.sightline.tsdb.wal;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Encodes a {@link WalBatch} into WAL records in one reused direct buffer. Record layout (all integers big-endian):
 * <pre>
 *   type:u8  length:u32  payload[length]  crc32c:u32   (the CRC covers type, length and payload)
 * </pre>
 * Payloads:
 * <pre>
 *   SERIES     count:uvarint { ref:varint  nlabels:uvarint { name:str value:str } }      str = len:uvarint utf8[len]
 *   SAMPLES    count:uvarint  baseRef:varint baseT:varint { dRef:varint dT:varint valueBits:u64 }
 *   HISTOGRAMS count:uvarint  baseRef:varint baseT:varint { dRef:varint dT:varint histogram }
 *   histogram  hint:u8 schema:varint zeroThreshold:f64 zeroCount:f64 count:f64 sum:f64
 *              posSpans negSpans: n:uvarint { offset:varint length:uvarint }, posBuckets negBuckets customValues: n:uvarint f64*
 *   EXEMPLARS  count:uvarint  baseRef:varint baseT:varint { dRef:varint dT:varint valueBits:u64 labels }
 *   labels     nlabels:uvarint { name:str value:str }
 *   SAMPLES_ST    as SAMPLES, with st:uvarint after each dT
 *   HISTOGRAMS_ST as HISTOGRAMS, with st:uvarint after each dT
 *   TOMBSTONES count:uvarint { ref:varint mint:varint maxt:varint }   (a delete's intervals, after the rest)
 * </pre>
 * st is 0 for a sample without a start timestamp, else 1 + the zigzag of ST minus the record's previous non-zero ST
 * (the record's baseT before the first): the series of one scrape or OTLP export usually share their start (the
 * process start for cumulative counters, the previous export for deltas), which then costs one byte. The head keeps
 * start timestamps within years 1 to 9999, so this never overflows. The _ST records stand in for SAMPLES and HISTOGRAMS only in
 * batches where a sample has a start timestamp, so a WAL without any holds exactly the records it held before.
 * dRef and dT are relative to the first sample of the record, which keeps them to one or two bytes in a typical
 * scrape batch. Values are stored as raw bits so NaN payloads (the staleness marker) survive. Not thread-safe.
 */
final class WalRecordEncoder {
    static final byte SERIES = 1;
    static final byte SAMPLES = 2;
    static final byte HISTOGRAMS = 3;
    /** Written after the samples of the same commit; segments from before exemplars were logged simply have none. */
    static final byte EXEMPLARS = 4;
    /** SAMPLES and HISTOGRAMS with start timestamps; segments from before start timestamps were kept have none. */
    static final byte SAMPLES_ST = 5;
    static final byte HISTOGRAMS_ST = 6;
    /** Deleted intervals of series; segments from before deletes existed have none. */
    static final byte TOMBSTONES = 7;
    static final int HEADER_BYTES = 5;
    static final int TRAILER_BYTES = 4;
    /** Upper bound on one record's payload; the reader treats larger lengths as corruption. */
    static final int MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

    private static final int MAX_VARINT = 10;

    private ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
    private final CRC32C crc = new CRC32C();
    /**
     * Where records' items are encoded before they are copied into {@link #buf} in bulk: a direct buffer's put checks
     * bounds and its memory session on every call, which was most of the cost of logging a sample and, byte by byte
     * and string by string, a quarter of the WAL's cost for a new series.
     */
    private byte[] scratch = new byte[16 * 1024];
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** The previous non-zero start timestamp of the record being encoded. */
    private long lastStart;

    /**
     * Encodes the batch's records (series, samples, histograms, exemplars, then tombstones); the result is valid until
     * the next call.
     */
    ByteBuffer encode(WalBatch batch) throws IOException {
        buf.clear();
        if (batch.seriesCount() > 0) {
            encodeSeries(batch);
        }
        if (batch.sampleCount() > 0) {
            encodeSamples(batch);
        }
        if (batch.histogramCount() > 0) {
            encodeHistograms(batch);
        }
        if (batch.exemplarCount() > 0) {
            encodeExemplars(batch);
        }
        if (batch.tombstoneCount() > 0) {
            encodeTombstones(batch);
        }
        buf.flip();
        return buf;
    }

    private void encodeSeries(WalBatch b) throws IOException {
        long bound = MAX_VARINT;
        for (int i = 0; i < b.seriesCount(); i++) {
            bound += MAX_VARINT + labelsBound(b.seriesLabels(i));
        }
        int start = begin(SERIES, bound, b.seriesCount(), "series");
        putUvarint(buf, b.seriesCount());
        int p = 0;
        for (int i = 0; i < b.seriesCount(); i++) {
            Labels labels = b.seriesLabels(i);
            p = room(p, MAX_VARINT + labelsBound(labels));
            p = putUvarint(scratch, p, zigzag(b.seriesRef(i)));
            p = putLabels(scratch, p, labels);
        }
        buf.put(scratch, 0, p);
        end(start);
    }

    private void encodeTombstones(WalBatch b) throws IOException {
        int n = b.tombstoneCount();
        int start = begin(TOMBSTONES, MAX_VARINT + 3L * MAX_VARINT * n, n, "tombstones");
        putUvarint(buf, n);
        for (int i = 0; i < n; i++) {
            putVarint(buf, b.tombstoneRef(i));
            putVarint(buf, b.tombstoneMin(i));
            putVarint(buf, b.tombstoneMax(i));
        }
        end(start);
    }

    private void encodeExemplars(WalBatch b) throws IOException {
        int n = b.exemplarCount();
        long bound = 3L * MAX_VARINT;
        for (int i = 0; i < n; i++) {
            bound += 2L * MAX_VARINT + 8 + labelsBound(b.exemplarLabels(i));
        }
        long baseRef = b.exemplarRef(0);
        long baseT = b.exemplarTime(0);
        int start = beginTimed(EXEMPLARS, bound, "exemplars", n, baseRef, baseT);
        int p = 0;
        for (int i = 0; i < n; i++) {
            Labels labels = b.exemplarLabels(i);
            p = room(p, 2L * MAX_VARINT + 8 + labelsBound(labels));
            byte[] a = scratch;
            p = putUvarint(a, p, zigzag(b.exemplarRef(i) - baseRef));
            p = putUvarint(a, p, zigzag(b.exemplarTime(i) - baseT));
            LONGS.set(a, p, Double.doubleToRawLongBits(b.exemplarValue(i)));
            p = putLabels(a, p + 8, labels);
        }
        buf.put(scratch, 0, p);
        end(start);
    }

    private static long labelsBound(Labels l) {
        long bound = MAX_VARINT;
        for (int j = 0; j < l.size(); j++) {
            // A UTF-16 char never needs more than 3 UTF-8 bytes (surrogate pairs take 4 for 2 chars).
            bound += 2L * MAX_VARINT + 3L * (l.name(j).length() + l.value(j).length());
        }
        return bound;
    }

    /** Writes the label set at a[p] (room checked by the caller with {@link #labelsBound}); returns the position after it. */
    private static int putLabels(byte[] a, int p, Labels l) {
        p = putUvarint(a, p, l.size());
        for (int j = 0; j < l.size(); j++) {
            p = putString(a, p, l.name(j));
            p = putString(a, p, l.value(j));
        }
        return p;
    }

    /**
     * Makes room for {@code need} more bytes at {@code scratch[p]}: when they would not fit, what it holds is copied
     * into {@link #buf} first (which {@link #begin} sized for the whole record). Returns where to write.
     */
    private int room(int p, long need) {
        if (p + need > scratch.length) {
            buf.put(scratch, 0, p);
            p = 0;
            if (need > scratch.length) {
                scratch = new byte[(int) Math.max(need, 2L * scratch.length)];
            }
        }
        return p;
    }

    private void encodeSamples(WalBatch b) throws IOException {
        int n = b.sampleCount();
        long baseRef = b.sampleRef(0);
        long baseT = b.sampleTime(0);
        boolean starts = b.samplesHaveStarts();
        lastStart = baseT;
        long bound = 3L * MAX_VARINT + (long) n * (3 * MAX_VARINT + 8);
        int start = beginTimed(starts ? SAMPLES_ST : SAMPLES, bound, "samples", n, baseRef, baseT);
        int p = room(0, bound);
        byte[] a = scratch;
        for (int i = 0; i < n; i++) {
            p = putUvarint(a, p, zigzag(b.sampleRef(i) - baseRef));
            p = putUvarint(a, p, zigzag(b.sampleTime(i) - baseT));
            if (starts) {
                p = putUvarint(a, p, startCode(b.sampleStart(i)));
            }
            LONGS.set(a, p, Double.doubleToRawLongBits(b.sampleValue(i)));
            p += 8;
        }
        buf.put(a, 0, p);
        end(start);
    }

    private void encodeHistograms(WalBatch b) throws IOException {
        int n = b.histogramCount();
        long bound = 3L * MAX_VARINT;
        for (int i = 0; i < n; i++) {
            Histogram h = b.histogram(i);
            bound += 5L * MAX_VARINT + 1 + 32 + 5L * MAX_VARINT
                    + 2L * MAX_VARINT * (h.positiveSpanOffsets.length + h.negativeSpanOffsets.length)
                    + 8L * (h.positiveBuckets.length + h.negativeBuckets.length + h.customValues.length);
        }
        long baseRef = b.histogramRef(0);
        long baseT = b.histogramTime(0);
        boolean starts = b.histogramsHaveStarts();
        lastStart = baseT;
        int start = beginTimed(starts ? HISTOGRAMS_ST : HISTOGRAMS, bound, "histograms", n, baseRef, baseT);
        for (int i = 0; i < n; i++) {
            putVarint(buf, b.histogramRef(i) - baseRef);
            long t = b.histogramTime(i);
            putVarint(buf, t - baseT);
            if (starts) {
                putUvarint(buf, startCode(b.histogramStart(i)));
            }
            Histogram h = b.histogram(i);
            buf.put((byte) h.counterResetHint.ordinal());
            putVarint(buf, h.schema);
            putDouble(h.zeroThreshold);
            putDouble(h.zeroCount);
            putDouble(h.count);
            putDouble(h.sum);
            putSpans(h.positiveSpanOffsets, h.positiveSpanLengths);
            putSpans(h.negativeSpanOffsets, h.negativeSpanLengths);
            putDoubles(h.positiveBuckets);
            putDoubles(h.negativeBuckets);
            putDoubles(h.customValues);
        }
        end(start);
    }

    /**
     * Reserves room for a record whose payload is at most {@code payloadBound} bytes and writes its type. The
     * {@code items} and {@code kind} are only for the error message: no string is built per record.
     */
    private int begin(byte type, long payloadBound, int items, String kind) throws IOException {
        if (payloadBound > MAX_PAYLOAD_BYTES) {
            throw new IOException("WAL batch too large: " + items + " " + kind + " may need " + payloadBound
                    + " bytes, more than the " + MAX_PAYLOAD_BYTES + "-byte record limit");
        }
        ensure(HEADER_BYTES + (int) payloadBound + TRAILER_BYTES);
        int start = buf.position();
        buf.put(type);
        buf.putInt(0); // length, filled in by end()
        return start;
    }

    /** Begins a samples, histograms or exemplars record: item count, then the base ref and time items are deltas from. */
    private int beginTimed(byte type, long payloadBound, String kind, int n, long baseRef, long baseT) throws IOException {
        int start = begin(type, payloadBound, n, kind);
        putUvarint(buf, n);
        putVarint(buf, baseRef);
        putVarint(buf, baseT);
        return start;
    }

    private void end(int start) {
        int payloadEnd = buf.position();
        buf.putInt(start + 1, payloadEnd - start - HEADER_BYTES);
        buf.limit(payloadEnd);
        buf.position(start);
        crc.reset();
        crc.update(buf); // leaves position at payloadEnd
        buf.limit(buf.capacity());
        buf.putInt((int) crc.getValue());
    }

    private void ensure(int bytes) {
        if (buf.remaining() >= bytes) {
            return;
        }
        long needed = (long) buf.position() + bytes;
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buf.capacity()));
        ByteBuffer bigger = ByteBuffer.allocateDirect(cap);
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }

    /** Writes {@code s} as a str at a[p] (at most 3 bytes a char after the length); returns the position after it. */
    private static int putString(byte[] a, int p, String s) {
        // Label strings are nearly always ASCII, whose UTF-8 is their chars: written straight in, no garbage.
        int n = s.length();
        int q = putUvarint(a, p, n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                q = putUvarint(a, p, bytes.length);
                System.arraycopy(bytes, 0, a, q, bytes.length);
                return q + bytes.length;
            }
            a[q + i] = (byte) c;
        }
        return q + n;
    }

    private void putSpans(int[] offsets, int[] lengths) {
        putUvarint(buf, offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            putVarint(buf, offsets[i]);
            putUvarint(buf, Integer.toUnsignedLong(lengths[i]));
        }
    }

    private void putDoubles(double[] values) {
        putUvarint(buf, values.length);
        for (double v : values) {
            putDouble(v);
        }
    }

    /** The uvarint that stands for a start timestamp (see the class comment); remembers it as the record's last. */
    private long startCode(long st) {
        if (st == 0) {
            return 0;
        }
        long d = st - lastStart;
        lastStart = st;
        return zigzag(d) + 1;
    }

    private void putDouble(double v) {
        buf.putLong(Double.doubleToRawLongBits(v));
    }

    static void putUvarint(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    static void putVarint(ByteBuffer b, long v) {
        putUvarint(b, zigzag(v));
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    /** Writes v at a[p] as a uvarint; returns the position after it. */
    private static int putUvarint(byte[] a, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            a[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        a[p++] = (byte) v;
        return p;
    }
}
