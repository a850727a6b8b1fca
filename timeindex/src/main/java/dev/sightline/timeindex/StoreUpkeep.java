package dev.sightline.timeindex;

import dev.sightline.core.FileTrees;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.ToLongFunction;

/**
 * The upkeep every partitioned store with a WAL needs (the span store, the log store): a maintenance thread that
 * checkpoints each {@link StoreOptions#checkpointInterval} and then applies retention, a checkpoint queued once the
 * WAL outgrows {@link StoreOptions#walCheckpointBytes}, quarantine of a partition a query found broken (once no query
 * holds it), the size on disk, and the close sequence. The store keeps what differs: what its checkpoint does. The
 * store's read-write lock guards partitions: commits and queries hold it for reading, removals take it for writing.
 */
public final class StoreUpkeep<P extends Closeable> {
    private static final System.Logger LOG = System.getLogger(StoreUpkeep.class.getName());

    /** A store's checkpoint: make what the WAL holds durable in the partitions, then free the WAL. */
    @FunctionalInterface
    public interface Checkpoint {
        void run() throws IOException;
    }

    private final String name;
    private final StoreOptions options;
    private final TimePartitions<P> partitions;
    private final ReentrantReadWriteLock lock;
    private final ScheduledExecutorService maintenance;
    private final AtomicBoolean checkpointQueued = new AtomicBoolean();
    private Wal wal;
    private Checkpoint checkpoint;
    private volatile boolean closed;

    /** {@code name} names the store in the thread's name and in log messages ("span store", "log store"). */
    public StoreUpkeep(String name, StoreOptions options, TimePartitions<P> partitions, ReentrantReadWriteLock lock) {
        this.name = name;
        this.options = options;
        this.partitions = partitions;
        this.lock = lock;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name.replace(' ', '-') + "-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /** What a commit does once its WAL record has a number: add the record's content to the partitions. */
    @FunctionalInterface
    public interface Indexing {
        void index(long seq) throws IOException;
    }

    /**
     * Opens the store's WAL in {@code dir} once the partitions are open, replaying every record into {@code replay}.
     * New records are numbered above the highest one any partition committed ({@code committedSeq}), so a lost WAL
     * folder never reuses a number. The partitions are closed again if it fails.
     */
    public Wal openWal(Path dir, long segmentBytes, ToLongFunction<P> committedSeq, Wal.RecordHandler replay)
            throws IOException {
        try {
            long floor = 0;
            for (var slot : partitions.all()) {
                floor = Math.max(floor, committedSeq.applyAsLong(slot.partition()));
            }
            wal = Wal.open(dir, segmentBytes, floor, replay);
            return wal;
        } catch (IOException | RuntimeException e) {
            partitions.close();
            throw e;
        }
    }

    /**
     * Takes the store's first checkpoint (what the replay indexed) and starts the periodic checkpoint and retention;
     * closes the partitions and the WAL again if that checkpoint fails.
     */
    public void start(Checkpoint storeCheckpoint) throws IOException {
        try {
            storeCheckpoint.run();
        } catch (IOException | RuntimeException e) {
            try {
                partitions.close();
            } finally {
                wal.close();
            }
            throw e;
        }
        this.checkpoint = storeCheckpoint;
        long every = options.checkpointInterval().toMillis();
        maintenance.scheduleWithFixedDelay(this::maintain, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * A store's commit: appends the encoded record to the WAL and indexes it under the read lock (so a checkpoint's
     * WAL mark never falls between the two), waits for its fsync, and queues a checkpoint when the WAL has grown past
     * its bound. Fails once the store is closed.
     */
    public void commit(byte[] record, int length, Indexing indexing) throws IOException {
        if (closed) {
            throw new IOException(name + " is closed");
        }
        long seq;
        lock.readLock().lock();
        try {
            seq = wal.append(record, 0, length);
            indexing.index(seq);
        } finally {
            lock.readLock().unlock();
        }
        wal.sync(seq);
        afterCommit();
    }

    private void afterCommit() {
        if (wal.sizeBytes() > options.walCheckpointBytes() && checkpointQueued.compareAndSet(false, true)) {
            maintenance.execute(() -> {
                checkpointQueued.set(false);
                try {
                    checkpoint.run();
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, name + " checkpoint failed; the WAL keeps the data: " + e, e);
                }
            });
        }
    }

    /** Removes the partitions retention no longer keeps as of {@code nowNanos}; returns how many. */
    public int enforceRetention(long nowNanos) throws IOException {
        lock.writeLock().lock();
        try {
            return partitions.retain(options.retainFrom(nowNanos), options.retentionBytes()).size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** What a store does to a partition a delete touched: merge the deleted entries away, if worth it. */
    @FunctionalInterface
    public interface Reclaim<P> {
        void run(P partition) throws IOException;
    }

    /**
     * Runs {@code reclaim} on the partitions a delete touched, under the read lock, so retention cannot remove one
     * meanwhile while commits and queries go on; one removed since the delete is skipped. The next checkpoint commits
     * what the merges wrote.
     */
    public void reclaim(List<TimePartitions.Slot<P>> touched, Reclaim<P> reclaim) throws IOException {
        lock.readLock().lock();
        try {
            for (TimePartitions.Slot<P> slot : touched) {
                if (partitions.contains(slot)) {
                    reclaim.run(slot.partition());
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Quarantines a partition a query found unreadable, once no query uses it. */
    public void reportBroken(TimePartitions.Slot<P> slot, Exception cause) {
        LOG.log(System.Logger.Level.ERROR, name + " partition " + slot.dir() + " failed a read: " + cause, cause);
        maintenance.execute(() -> {
            lock.writeLock().lock();
            try {
                partitions.quarantine(slot, cause);
            } finally {
                lock.writeLock().unlock();
            }
        });
    }

    private void maintain() {
        try {
            checkpoint.run();
            Instant now = Instant.now();
            enforceRetention(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, name + " maintenance failed: " + e, e);
        }
    }

    /** Bytes on disk: the partitions and the WAL. */
    public long sizeBytes() throws IOException {
        long sum = wal.sizeBytes();
        for (var slot : partitions.all()) {
            sum += FileTrees.sizeOf(slot.dir());
        }
        return sum;
    }

    /** Stops maintenance, takes a last checkpoint and closes the partitions and the WAL; later calls do nothing. */
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            checkpoint.run();
        } finally {
            try {
                partitions.close();
            } finally {
                wal.close();
            }
        }
    }
}
