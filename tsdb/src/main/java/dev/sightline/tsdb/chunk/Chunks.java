package dev.sightline.tsdb.chunk;

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
            case DECIMAL -> throw new IllegalArgumentException("DECIMAL chunks are encoded whole (see encodeFloats), not appended to");
        };
    }

    /**
     * The smaller of the XOR chunk holding these float samples and their DECIMAL encoding (when every value is a
     * short decimal), for chunks written whole. Timestamps must increase. {@code startTimestamps} (null: none) go
     * to a start-timestamp column that either encoding carries alike.
     */
    public static Chunk encodeFloats(long[] timestamps, double[] values, long[] startTimestamps, int n) {
        XorChunk xor = new XorChunk();
        for (int i = 0; i < n; i++) {
            xor.append(startTimestamps == null ? 0 : startTimestamps[i], timestamps[i], values[i]);
        }
        byte[] decimal = DecimalChunks.encode(timestamps, values, n, xor.mainByteLength());
        if (decimal == null) {
            return xor;
        }
        byte[] bytes = xor.withStartColumn(decimal, n);
        return new ReadOnlyChunk(ChunkEncoding.DECIMAL, bytes, 0, bytes.length);
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
}
