package dev.sightline.tsdb.wal;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;

/** Receives the WAL's records in the order they were written, on start-up. */
public interface WalReplayHandler {
    void series(long ref, Labels labels);

    /** A float sample; {@code startTimestampMs} is its start timestamp, 0 for none. */
    void sample(long ref, long startTimestampMs, long timestampMs, double value);

    /** A histogram sample; {@code startTimestampMs} is its start timestamp, 0 for none. */
    void histogram(long ref, long startTimestampMs, long timestampMs, Histogram histogram);

    /** An exemplar of series {@code ref}, with its own labels (typically {@code trace_id}). */
    void exemplar(long ref, long timestampMs, double value, Labels labels);

    /** Samples of series {@code ref} in [mint, maxt] were deleted (whenever they were or are written). */
    void tombstone(long ref, long mint, long maxt);
}
