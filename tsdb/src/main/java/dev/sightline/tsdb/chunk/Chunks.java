package dev.sightline.tsdb.chunk;

import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;

import java.util.Objects;

/** Creates chunks: empty appendable ones for the head, and read-only views over encoded bytes. */
public final class Chunks {
    private Chunks() {
    }

    /** An empty chunk that the head appends to (samples of the encoding's value type only). */
    public static Chunk newChunk(ChunkEncoding encoding) {
        return switch (Objects.requireNonNull(encoding, "encoding")) {
            case XOR -> new XorChunk();
            case FLOAT_HISTOGRAM -> new HistogramChunk();
            case DECIMAL, PACKED -> throw new IllegalArgumentException(encoding + " chunks are encoded whole (see encodeFloats), not appended to");
        };
    }

    /**
     * The PACKED chunk holding these n (at least 1) float samples, for chunks written whole into blocks. Timestamps
     * must increase. {@code startTimestamps} (null or all 0: none) go to the start-timestamp column every float
     * chunk can carry.
     */
    public static Chunk encodeFloats(long[] timestamps, double[] values, long[] startTimestamps, int n) {
        byte[] bytes = PackedChunks.encode(timestamps, values, n);
        if (startTimestamps != null && !allZero(startTimestamps, n)) {
            StartColumn column = new StartColumn(0);
            for (int i = 0; i < n; i++) {
                column.append(startTimestamps[i], timestamps[i], i == 0 ? 0 : timestamps[i - 1], i);
            }
            bytes = StartColumn.attach(bytes, column.buffer(), n);
        }
        return new ReadOnlyChunk(ChunkEncoding.PACKED, bytes, 0, bytes.length);
    }

    private static boolean allZero(long[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A read-only view of {@code len} encoded bytes at {@code off} (not copied: the caller must not change them).
     * The sample count is read from the header; damaged bytes surface as {@link CorruptChunkException} while
     * iterating.
     *
     * @throws CorruptChunkException if the range is too short to hold the header
     * @throws IndexOutOfBoundsException if the range is outside {@code data}
     */
    public static Chunk fromBytes(ChunkEncoding encoding, byte[] data, int off, int len) {
        Objects.requireNonNull(encoding, "encoding");
        Objects.checkFromIndexSize(off, len, data.length);
        if (len < 2) {
            throw new CorruptChunkException(encoding + " chunk of " + len + " bytes at offset " + off
                    + " is shorter than its 2-byte header");
        }
        return new ReadOnlyChunk(encoding, data, off, len);
    }

    /**
     * The bits a chunk's timestamps take in its stream, for size analysis: PACKED's timestamp column, else first as a
     * varint, the second's delta as a varint, then delta-of-deltas; the rest of the stream is headers and values.
     */
    public static long timestampBits(Chunk chunk) {
        if (chunk.encoding() == ChunkEncoding.PACKED && chunk instanceof ReadOnlyChunk packed) {
            return packed.packedTimestampBits();
        }
        SampleIterator it = chunk.iterator(null);
        long bits = 0;
        long prevT = 0;
        long prevDelta = 0;
        for (int n = 0; it.next() != ValueType.NONE; n++) {
            long t = it.timestamp();
            if (n == 0) {
                bits += BitWriter.varintBits(t);
            } else if (n == 1) {
                bits += BitWriter.varintBits(t - prevT);
            } else {
                bits += Gorilla.dodBits(t - prevT - prevDelta);
            }
            if (n > 0) {
                prevDelta = t - prevT;
            }
            prevT = t;
        }
        return bits;
    }
}
