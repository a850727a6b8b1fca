package dev.sightline.tsdb.chunk;

import dev.sightline.tsdb.SampleIterator;

import java.util.Arrays;

/** A view over encoded chunk bytes (from a block file or {@link Chunk#bytes()}); never copied, never appended to. */
final class ReadOnlyChunk implements Chunk {
    private final ChunkEncoding encoding;
    private final byte[] data;
    private final int off;
    private final int len;
    private final int count;

    ReadOnlyChunk(ChunkEncoding encoding, byte[] data, int off, int len) {
        this.encoding = encoding;
        this.data = data;
        this.off = off;
        this.len = len;
        this.count = ((data[off] & 0xFF) << 8) | (data[off + 1] & 0xFF);
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

    @Override
    public SampleIterator iterator(SampleIterator reuse) {
        long limit = (long) len * 8;
        if (encoding == ChunkEncoding.XOR) {
            XorIterator it = reuse instanceof XorIterator x ? x : new XorIterator();
            it.reset(data, off, AppendableChunk.HEADER_BITS, limit, count);
            return it;
        }
        if (encoding == ChunkEncoding.DECIMAL) {
            DecimalIterator it = reuse instanceof DecimalIterator x ? x : new DecimalIterator();
            it.reset(data, off, AppendableChunk.HEADER_BITS, limit, count);
            return it;
        }
        HistogramIterator it = reuse instanceof HistogramIterator x ? x : new HistogramIterator();
        it.reset(data, off, AppendableChunk.HEADER_BITS, limit, count);
        return it;
    }
}
