package dev.sightline.logs.store;

import dev.sightline.core.Deadline;
import dev.sightline.core.Labels;
import dev.sightline.logs.DeadlineLogQuerier;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.timeindex.StoreOptions;
import dev.sightline.timeindex.StoreUpkeep;
import dev.sightline.timeindex.TimePartitions;
import dev.sightline.timeindex.Wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The durable log store: time partitions ({@link TimePartitions}) of per-stream blocks ({@link LogPartition},
 * {@link LogBlock}, {@link BlockSummary}) behind a WAL ({@link Wal}).
 *
 * <p>A commit writes its lines as one WAL record, adds them to their streams' heads (visible to the next query) and
 * returns after the record's fsync, shared with concurrent commits: an acknowledged line survives kill -9. A full
 * head is stored as a block document at once. A checkpoint (every {@link StoreOptions#checkpointInterval}, or when the
 * WAL outgrows {@link StoreOptions#walCheckpointBytes}) stores every head, commits the indexes with the WAL position they
 * hold, and deletes the WAL segments before it; at open the WAL is replayed into the heads, skipping records a
 * partition already committed. A record that cannot be read is skipped with a warning; a torn tail is cut by the WAL.
 * Retention removes whole partitions, oldest first, by age and total size; {@link #delete} removes lines within them
 * (one tenant's retention, Loki's deletion API). A partition that cannot be opened or read is quarantined and the
 * others keep serving.
 */
public final class LuceneLogStore implements LogStore {
    private static final System.Logger LOG = System.getLogger(LuceneLogStore.class.getName());
    private static final long WAL_SEGMENT_BYTES = 64L << 20;

    /** 31 days (Grafana Cloud's default log retention), in hourly partitions (Loki's index period), no size limit. */
    public static StoreOptions defaultOptions() {
        return StoreOptions.hourly(Duration.ofDays(31));
    }

    final TimePartitions<LogPartition> partitions;
    /** Read: commits and queries; write: checkpoints, removing partitions. */
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final StoreUpkeep<LogPartition> upkeep;
    private Wal wal;

    private LuceneLogStore(StoreOptions options, TimePartitions<LogPartition> partitions) {
        this.partitions = partitions;
        this.upkeep = new StoreUpkeep<>("log store", options, partitions, lock);
    }

    /** Opens (creating) the store in {@code dir}, replaying its WAL. */
    public static LuceneLogStore open(Path dir, StoreOptions options) throws IOException {
        TimePartitions<LogPartition> partitions = TimePartitions.open(dir, options.partition().toNanos(),
                (d, start, end) -> LogPartition.open(d));
        LuceneLogStore store = new LuceneLogStore(options, partitions);
        store.wal = store.upkeep.openWal(dir.resolve("wal"), WAL_SEGMENT_BYTES, p -> p.committedSeq, store::replay);
        store.upkeep.start(store::checkpoint);
        return store;
    }

    private void replay(long seq, ByteBuffer payload) throws IOException {
        byte[] b = new byte[payload.remaining()];
        payload.get(b);
        LogRecord r;
        try {
            r = LogRecord.decode(b, 0, b.length);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "log WAL record " + seq + " cannot be read and is skipped: " + e);
            return;
        }
        index(seq, r, true);
    }

    /** Adds a record's lines to their streams (the caller holds the read lock, or is the replay at open). */
    private void index(long seq, LogRecord r, boolean replaying) throws IOException {
        TimePartitions.Slot<LogPartition> slot = null;
        LogPartition.Stream stream = null;
        Labels streamLabels = null;
        for (int i = 0; i < r.count; i++) {
            long t = r.times[i];
            if (slot == null || t < slot.start() || t >= slot.end()) {
                slot = partitions.forTime(t);
                stream = null;
            }
            LogPartition p = slot.partition();
            if (replaying && seq <= p.committedSeq) {
                continue;
            }
            if (stream == null || r.streams[i] != streamLabels && !r.streams[i].equals(streamLabels)) {
                streamLabels = r.streams[i];
                stream = p.stream(streamLabels);
            }
            p.add(stream, t, r.metadata[i], r.lines[i], r.bytes, r.lineOffset[i], r.lineLength[i]);
        }
    }

    @Override
    public LogAppender appender() {
        return new Appender();
    }

    @Override
    public LogQuerier querier() {
        return new LuceneLogQuerier(this, null);
    }

    @Override
    public LogQuerier querier(Deadline deadline) {
        return new DeadlineLogQuerier(new LuceneLogQuerier(this, deadline), deadline);
    }

    private final class Appender implements LogAppender {
        private final LogRecord pending = new LogRecord();

        @Override
        public void append(Labels stream, long timeNanos, String line, Labels metadata) {
            if (stream == null || line == null || metadata == null) {
                throw new NullPointerException("log line needs stream labels, metadata and a line (empty ones allowed)");
            }
            pending.add(stream, timeNanos, line, metadata);
        }

        @Override
        public void commit() throws IOException {
            if (pending.count == 0) {
                return;
            }
            pending.encode();
            upkeep.commit(pending.bytes, pending.length, seq -> index(seq, pending, false));
            pending.clear();
        }

        @Override
        public void rollback() {
            pending.clear();
        }
    }

    /**
     * Stores every head and commits every partition with the WAL position it now holds, then deletes the WAL
     * segments before it. Appends wait meanwhile, so a commit holds exactly the records up to its position.
     */
    void checkpoint() throws IOException {
        long mark;
        lock.writeLock().lock();
        try {
            mark = checkpointLocked();
        } finally {
            lock.writeLock().unlock();
        }
        wal.deleteThrough(mark);
    }

    /** The checkpoint's work under the write lock; returns the WAL mark every partition now holds. */
    private long checkpointLocked() throws IOException {
        long mark = wal.lastSeq();
        for (var slot : partitions.all()) {
            slot.partition().storeHeads();
            slot.partition().commit(mark);
        }
        wal.rotate();
        return mark;
    }

    /**
     * Takes a checkpoint (so every line is in a stored block and no WAL record the replay would read holds one),
     * deletes the matching lines from the blocks of the partitions the range touches and commits those with the
     * checkpoint's mark, all under the write lock: a delete that returned survives kill -9, and replay cannot bring a
     * line back. Then merges away deleted blocks where Lucene finds it worth it; the next checkpoint commits that.
     */
    @Override
    public long delete(LogSelection selection) throws IOException {
        long deleted = 0;
        long mark;
        List<TimePartitions.Slot<LogPartition>> touched = new ArrayList<>();
        lock.writeLock().lock();
        try {
            mark = checkpointLocked();
            for (var slot : partitions.overlapping(selection.fromNanos(), selection.toNanos())) {
                long n = slot.partition().delete(selection);
                if (n > 0) {
                    slot.partition().commit(mark);
                    touched.add(slot);
                    deleted += n;
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
        wal.deleteThrough(mark);
        upkeep.reclaim(touched, LogPartition::reclaim);
        return deleted;
    }

    /**
     * Removes the partitions that retention no longer keeps, as of {@code nowNanos}; returns how many. Called each
     * checkpoint interval with the wall clock.
     */
    public int enforceRetention(long nowNanos) throws IOException {
        return upkeep.enforceRetention(nowNanos);
    }

    /** Quarantines a partition a query found unreadable, once no query uses it. */
    void reportBroken(TimePartitions.Slot<LogPartition> slot, Exception cause) {
        upkeep.reportBroken(slot, cause);
    }

    /** Bytes on disk: the partitions' indexes and the WAL. */
    public long sizeBytes() throws IOException {
        return upkeep.sizeBytes();
    }

    @Override
    public void close() throws IOException {
        upkeep.close();
    }
}
