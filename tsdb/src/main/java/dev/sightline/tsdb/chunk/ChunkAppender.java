package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;

/**
 * Adds samples to a chunk; timestamps must increase (the caller checks order). {@code st} is the sample's start
 * timestamp, 0 for none.
 */
public interface ChunkAppender {
    void append(long st, long t, double v);

    /**
     * Adds a histogram sample. Returns false, appending nothing, when the chunk cannot take it without a new
     * layout (for example a schema change or a counter reset), so the caller must cut a new chunk.
     */
    boolean appendHistogram(long st, long t, Histogram h);

    /** A float sample without a start timestamp. */
    default void append(long t, double v) {
        append(0, t, v);
    }

    /** A histogram sample without a start timestamp; see {@link #appendHistogram(long, long, Histogram)}. */
    default boolean appendHistogram(long t, Histogram h) {
        return appendHistogram(0, t, h);
    }
}
