package dev.sightline.tsdb.chunk;

import dev.sightline.metricstore.SampleIterator;

import java.util.Arrays;

/** A view over encoded chunk bytes (from a block file or {@link Chunk#bytes()}); never copied, never appended to. */
final class ReadOnlyChunk implements Chunk {
    private final ChunkEncoding encoding;
    private final byte[] data;
    private final int off;
    private final int len;
    private final int count;
    /** Where the encoding's own stream starts, after the header and any start-timestamp column (bits from off). */
    private final long mainBit;
    /** Where the start-timestamp column starts (bits from off); 0 when there is none. */
    private final long startBit;

    ReadOnlyChunk(ChunkEncoding encoding, byte[] data, int off, int len) {
        this.encoding = encoding;
        this.data = data;
        this.off = off;
        this.len = len;
        int header = ((data[off] & 0xFF) << 8) | (data[off + 1] & 0xFF);
        this.count = header & AppendableChunk.MAX_SAMPLES;
        if ((header & StartColumn.FLAG) == 0) {
            this.startBit = 0;
            this.mainBit = AppendableChunk.HEADER_BITS;
            return;
        }
        int p = 2;
        long colLen = 0;
        for (int shift = 0; ; shift += 7) {
            if (p >= len || shift > 28) {
                throw new CorruptChunkException(encoding + " chunk of " + len + " bytes at offset " + off
                        + " has a start-timestamp column whose length does not decode");
            }
            int b = data[off + p++];
            colLen |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        if (colLen > len - p) {
            throw new CorruptChunkException(encoding + " chunk of " + len + " bytes at offset " + off
                    + " declares a start-timestamp column of " + colLen + " bytes at byte " + p + ", past its end");
        }
        this.startBit = 8L * p;
        this.mainBit = 8L * (p + colLen);
    }

    @Override
    public ChunkEncoding encoding() {
        return encoding;
    }

    @Override
    public byte[] bytes() {
        return Arrays.copyOfRange(data, off, off + len);
    }

    @Override
    public int byteLength() {
        return len;
    }

    @Override
    public int numSamples() {
        return count;
    }

    @Override
    public ChunkAppender appender() {
        throw new UnsupportedOperationException("a chunk read from bytes is read-only");
    }

    /** A PACKED chunk's timestamp column length in bits, as its stream states it. */
    long packedTimestampBits() {
        BitReader r = new BitReader();
        r.reset(data, off, mainBit, (long) len * 8);
        return r.readUvarint();
    }

    @Override
    public SampleIterator iterator(SampleIterator reuse) {
        long limit = (long) len * 8;
        DodIterator it;
        if (encoding == ChunkEncoding.XOR) {
            XorIterator x = reuse instanceof XorIterator r ? r : new XorIterator();
            x.reset(data, off, mainBit, limit, count);
            it = x;
        } else if (encoding == ChunkEncoding.DECIMAL) {
            DecimalIterator d = reuse instanceof DecimalIterator r ? r : new DecimalIterator();
            d.reset(data, off, mainBit, limit, count);
            it = d;
        } else if (encoding == ChunkEncoding.PACKED) {
            PackedIterator p = reuse instanceof PackedIterator r ? r : new PackedIterator();
            p.reset(data, off, mainBit, limit, count);
            it = p;
        } else {
            HistogramIterator h = reuse instanceof HistogramIterator r ? r : new HistogramIterator();
            h.reset(data, off, mainBit, limit, count);
            it = h;
        }
        if (startBit != 0) {
            it.resetStart(data, off, startBit, mainBit);
        }
        return it;
    }
}
