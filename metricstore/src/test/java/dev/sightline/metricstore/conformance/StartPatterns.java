package dev.sightline.metricstore.conformance;

import java.util.SplittableRandom;

/**
 * The start-timestamp shapes storage must keep exactly, as functions of a sample's index and timestamps: shared by
 * the chunk tests and the conformance suite.
 */
public enum StartPatterns {
    /** No start timestamps at all. */
    NONE,
    /** A cumulative counter: one start for every sample. */
    CONSTANT,
    /** A cumulative counter that resets every 40 samples, its start moving to the reset sample's time. */
    CUMULATIVE_WITH_RESETS,
    /** Delta samples: each starts where the previous one ended. */
    DELTA,
    /** The start equals the sample's own time. */
    AT_T,
    /** The start lies after the sample's time (bad input that storage still keeps as given). */
    AFTER_T,
    /** A different, unrelated start on every sample. */
    CHANGING,
    /** Every third sample without a start. */
    MIXED_WITH_ZERO,
    /** No starts for the first 50 samples, then a constant one: the series gains them mid-chunk. */
    GAINED_MIDWAY;

    /** The start timestamp of sample {@code i} at {@code t}, after one at {@code prevT} (i > 0). */
    public long start(int i, long t, long prevT) {
        long origin = 1_600_000_000_000L;
        return switch (this) {
            case NONE -> 0;
            case CONSTANT -> origin;
            case CUMULATIVE_WITH_RESETS -> i < 40 ? origin : t - (i % 40) * (t - prevT);
            case DELTA -> i == 0 ? t - 15_000 : prevT;
            case AT_T -> t;
            case AFTER_T -> t + 500 + i;
            case CHANGING -> origin + new SplittableRandom(t).nextLong(1, 1L << 40);
            case MIXED_WITH_ZERO -> i % 3 == 0 ? 0 : origin + i / 7;
            case GAINED_MIDWAY -> i < 50 ? 0 : origin;
        };
    }

    /** The starts of samples at {@code ts}. */
    public long[] starts(long[] ts, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = start(i, ts[i], i == 0 ? 0 : ts[i - 1]);
        }
        return out;
    }
}
