package dev.sightline.timeindex;

import java.time.Duration;

/**
 * How a partitioned store (spans, log lines) keeps its data: {@code partition}, the time span of one partition;
 * {@code retentionTime} (0: keep forever) and {@code retentionBytes} (0: no limit), which remove whole partitions,
 * oldest first; a checkpoint every {@code checkpointInterval} or once the WAL holds {@code walCheckpointBytes}.
 */
public record StoreOptions(Duration partition, Duration retentionTime, long retentionBytes, Duration checkpointInterval,
                           long walCheckpointBytes) {
    public StoreOptions {
        if (partition.isNegative() || partition.isZero()) {
            throw new IllegalArgumentException("partition duration must be positive, got " + partition);
        }
        if (retentionTime.isNegative()) {
            throw new IllegalArgumentException("retention time must not be negative, got " + retentionTime);
        }
        if (retentionBytes < 0) {
            throw new IllegalArgumentException("retention size must not be negative, got " + retentionBytes);
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero() || walCheckpointBytes <= 0) {
            throw new IllegalArgumentException("checkpoint interval and WAL size must be positive");
        }
    }

    /**
     * One-hour partitions (the usual query, the last minutes to hours, opens one or two; retention frees an hour at a
     * time), {@code retentionTime} kept, no size limit, a checkpoint each minute or 256 MiB of WAL.
     */
    public static StoreOptions hourly(Duration retentionTime) {
        return new StoreOptions(Duration.ofHours(1), retentionTime, 0, Duration.ofMinutes(1), 256L << 20);
    }

    public StoreOptions withPartition(Duration d) {
        return new StoreOptions(d, retentionTime, retentionBytes, checkpointInterval, walCheckpointBytes);
    }

    public StoreOptions withRetention(Duration time, long bytes) {
        return new StoreOptions(partition, time, bytes, checkpointInterval, walCheckpointBytes);
    }

    public StoreOptions withCheckpoints(Duration interval, long walBytes) {
        return new StoreOptions(partition, retentionTime, retentionBytes, interval, walBytes);
    }

    /** The oldest time retention keeps as of {@code nowNanos}: partitions ending at or before it go. */
    public long retainFrom(long nowNanos) {
        if (retentionTime.isZero()) {
            return Long.MIN_VALUE;
        }
        try {
            return Math.subtractExact(nowNanos, retentionTime.toNanos());
        } catch (ArithmeticException longerThanTime) {
            return Long.MIN_VALUE; // a retention of centuries keeps everything
        }
    }
}
