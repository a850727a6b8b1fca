package dev.sightline.tsdb.chunk;

import dev.sightline.metricstore.SampleIterator;

/**
 * A compressed run of one series' samples, all of one value type, in increasing timestamp order. The head appends
 * to its open chunk; full chunks are immutable and are written to disk byte for byte as {@link #bytes()} gives them.
 */
public interface Chunk {
    ChunkEncoding encoding();

    /** The encoded bytes (a view or copy; length exactly {@link #byteLength()}). */
    byte[] bytes();

    int byteLength();

    int numSamples();

    /**
     * Reads this chunk's state and the start of its bytes, so that an append soon after finds them in the CPU cache
     * (the head prefetches a batch's open chunks); the result means nothing. Safe on any thread.
     */
    default int touch() {
        return numSamples();
    }

    /** An appender that continues this chunk. Only the head appends, from one writer at a time per series. */
    ChunkAppender appender();

    /** An iterator over the samples; {@code reuse} (may be null) may be recycled. Safe while another thread appends. */
    SampleIterator iterator(SampleIterator reuse);
}
