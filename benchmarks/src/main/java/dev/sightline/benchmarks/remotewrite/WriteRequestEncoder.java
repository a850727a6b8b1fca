package dev.sightline.benchmarks.remotewrite;

import dev.sightline.benchmarks.Bench;
import io.airlift.compress.snappy.SnappyCompressor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes prometheus.WriteRequest (remote-write 1.0, field numbers from prompb/types.proto and remote.proto) by hand:
 * one TimeSeries per series with one Sample, the shape Prometheus's own queue manager sends. Requests are built once
 * before the measurement, so this favours simplicity over speed.
 */
public final class WriteRequestEncoder {
    private static final int LABEL_NAME = 1 << 3 | 2;       // Label.name, length-delimited
    private static final int LABEL_VALUE = 2 << 3 | 2;      // Label.value
    private static final int SERIES_LABEL = 1 << 3 | 2;     // TimeSeries.labels
    private static final int SERIES_SAMPLE = 2 << 3 | 2;    // TimeSeries.samples
    private static final int SAMPLE_VALUE = 1 << 3 | 1;     // Sample.value, fixed64 double
    private static final int SAMPLE_TIMESTAMP = 2 << 3;     // Sample.timestamp, varint int64 ms
    private static final int REQUEST_SERIES = 1 << 3 | 2;   // WriteRequest.timeseries

    private final SnappyCompressor snappy = new SnappyCompressor();
    private byte[] buf = new byte[1 << 16];
    private int pos;

    /** The TimeSeries.labels entries for sorted label pairs (name, value, name, value ...), encoded once per series. */
    public static byte[] encodeLabels(String[] sortedPairs) {
        WriteRequestEncoder e = new WriteRequestEncoder();
        for (int i = 0; i < sortedPairs.length; i += 2) {
            byte[] n = sortedPairs[i].getBytes(StandardCharsets.UTF_8);
            byte[] v = sortedPairs[i + 1].getBytes(StandardCharsets.UTF_8);
            int labelLen = 1 + varintSize(n.length) + n.length + 1 + varintSize(v.length) + v.length;
            e.varint(SERIES_LABEL);
            e.varint(labelLen);
            e.varint(LABEL_NAME);
            e.varint(n.length);
            e.bytes(n);
            e.varint(LABEL_VALUE);
            e.varint(v.length);
            e.bytes(v);
        }
        return Arrays.copyOf(e.buf, e.pos);
    }

    public void reset() {
        pos = 0;
    }

    /** Appends one TimeSeries with the pre-encoded labels and a single sample. */
    public void series(byte[] encodedLabels, double value, long timestampMs) {
        int sampleLen = 1 + 8 + 1 + varintSize(timestampMs);
        int seriesLen = encodedLabels.length + 1 + varintSize(sampleLen) + sampleLen;
        varint(REQUEST_SERIES);
        varint(seriesLen);
        bytes(encodedLabels);
        varint(SERIES_SAMPLE);
        varint(sampleLen);
        varint(SAMPLE_VALUE);
        long bits = Double.doubleToRawLongBits(value);
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (bits >>> (8 * i));
        }
        varint(SAMPLE_TIMESTAMP);
        varint(timestampMs);
    }

    /** The request written since {@link #reset()}, snappy block-compressed as remote-write requires. */
    public byte[] compressed() {
        return Bench.snappy(snappy, buf, pos);
    }

    int uncompressedSize() {
        return pos;
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void varint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
