package dev.sightline.tsdb.wal;

import java.io.Closeable;
import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * The write-ahead log: every committed batch is written here, checksummed, before it is acknowledged, and replayed
 * on start-up to rebuild the head. Segmented so that old segments can be dropped once the head has been persisted.
 */
public interface WriteAheadLog extends Closeable {
    /** Appends one commit's records (new series first, then samples, then exemplars) and returns when durable per the fsync policy. */
    default void write(WalBatch batch) throws IOException {
        awaitDurable(append(batch));
    }

    /**
     * Appends one commit's records, in the order of the calls, without waiting for them to be durable; returns the
     * batch's sequence number for {@link #awaitDurable} (0 for an empty batch). A caller may do other work meanwhile,
     * but must not acknowledge the batch before awaitDurable returns.
     */
    long append(WalBatch batch) throws IOException;

    /**
     * Returns once the batch {@link #append} numbered {@code seq} is durable per the fsync policy; throws when it
     * cannot be (its fsync failed, or its segment was abandoned after a failed write before it was synced).
     */
    void awaitDurable(long seq) throws IOException;

    /**
     * Replays every record in write order. A torn or corrupt record at the tail of the last segment (a crash
     * mid-write) is dropped with a logged warning and everything before it is kept; the log is repaired so that
     * new writes follow the last good record.
     */
    void replay(WalReplayHandler handler) throws IOException;

    /**
     * Drops what the head no longer needs after it has persisted everything before {@code mint}: samples older than
     * mint go, series records are kept (in a checkpoint) for series that {@code keepSeries} still wants.
     */
    void truncate(long mint, LongPredicate keepSeries) throws IOException;

    /** Bytes currently on disk, for self-metrics and size-based retention. */
    long sizeBytes();
}
