package dev.sightline.traces.store;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;
import dev.sightline.timeindex.StoreOptions;
import dev.sightline.timeindex.TimePartitions;
import dev.sightline.timeindex.Wal;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanStore;
import org.apache.lucene.document.Document;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The durable span store: time partitions ({@link TimePartitions}), each a Lucene index of span documents
 * ({@link SpanFields}), behind a WAL ({@link Wal}).
 *
 * <p>A commit writes its spans as one WAL record, adds them to their partitions' index writers (visible to the next
 * search) and returns after the record's fsync, shared with concurrent commits: an acknowledged span survives
 * kill -9. A checkpoint (every {@link StoreOptions#checkpointInterval}, or when the WAL outgrows
 * {@link StoreOptions#walCheckpointBytes}) commits the Lucene indexes and deletes the WAL segments they now hold; at open
 * the WAL is replayed, skipping records a partition already committed (each document carries its record's number),
 * so a crash between the two neither loses nor doubles a span. Retention removes whole partitions by age and total
 * size; a partition that cannot be opened or read is quarantined and the others keep serving.
 */
public final class LuceneSpanStore implements SpanStore {
    private static final System.Logger LOG = System.getLogger(LuceneSpanStore.class.getName());
    private static final long WAL_SEGMENT_BYTES = 64L << 20;

    /** Tempo's default block retention: 14 days, in hourly partitions, no size limit. */
    public static StoreOptions defaultOptions() {
        return StoreOptions.hourly(Duration.ofDays(14));
    }

    private final StoreOptions options;
    final TimePartitions<SpanPartition> partitions;
    /** Read: commits and queries; write: taking a checkpoint's WAL mark, removing partitions. */
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Wal wal;
    private final ScheduledExecutorService maintenance;
    private final AtomicBoolean checkpointQueued = new AtomicBoolean();
    private volatile boolean closed;

    private LuceneSpanStore(StoreOptions options, TimePartitions<SpanPartition> partitions) {
        this.options = options;
        this.partitions = partitions;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "span-store-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens (creating) the store in {@code dir}, replaying its WAL. */
    public static LuceneSpanStore open(Path dir, StoreOptions options) throws IOException {
        TimePartitions<SpanPartition> partitions = TimePartitions.open(dir, options.partition().toNanos(),
                (d, start, end) -> SpanPartition.open(d));
        LuceneSpanStore store = new LuceneSpanStore(options, partitions);
        try {
            long floor = 0;
            for (var slot : partitions.all()) {
                floor = Math.max(floor, slot.partition().maxSeq());
            }
            store.wal = Wal.open(dir.resolve("wal"), WAL_SEGMENT_BYTES, floor, store::replay);
            store.checkpoint();
        } catch (IOException | RuntimeException e) {
            partitions.close();
            throw e;
        }
        long every = options.checkpointInterval().toMillis();
        store.maintenance.scheduleWithFixedDelay(store::maintain, every, every, TimeUnit.MILLISECONDS);
        return store;
    }

    private void replay(long seq, ByteBuffer payload) throws IOException {
        SpanBatch batch;
        try {
            batch = SpanBatch.decode(payload);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "span WAL record " + seq + " cannot be read and is skipped: " + e);
            return;
        }
        index(seq, batch, true);
    }

    /** Adds a batch's documents to their partitions (the caller holds the read lock, or is the replay at open). */
    private void index(long seq, SpanBatch batch, boolean replaying) throws IOException {
        Map<TimePartitions.Slot<SpanPartition>, List<Integer>> byPartition = new LinkedHashMap<>();
        TimePartitions.Slot<SpanPartition> last = null;
        for (int i = 0; i < batch.spans.size(); i++) {
            long start = batch.spans.get(i).startUnixNano();
            if (last == null || start < last.start() || start >= last.end()) {
                last = partitions.forTime(start);
            }
            byPartition.computeIfAbsent(last, k -> new ArrayList<>()).add(i);
        }
        for (var e : byPartition.entrySet()) {
            SpanPartition p = e.getKey().partition();
            if (replaying && p.holdsRecord(seq)) {
                continue;
            }
            List<Integer> members = e.getValue();
            List<Document> docs = new ArrayList<>(members.size());
            long[] keys = new long[members.size()];
            for (int j = 0; j < members.size(); j++) {
                batch.seqs.get(members.get(j)).setLongValue(seq);
                docs.add(batch.docs.get(members.get(j)));
                Span s = batch.spans.get(members.get(j));
                keys[j] = SpanFields.traceKey(s.traceIdHi(), s.traceIdLo());
            }
            p.add(docs, keys, keys.length);
        }
    }

    @Override
    public SpanAppender appender() {
        return new Appender();
    }

    @Override
    public SpanQuerier querier() {
        return new LuceneSpanQuerier(this);
    }

    private final class Appender implements SpanAppender {
        private final List<SpanResource> resources = new ArrayList<>();
        private final List<InstrumentationScope> scopes = new ArrayList<>();
        private final List<Span> spans = new ArrayList<>();
        private final SpanCodec.Writer out = new SpanCodec.Writer();

        @Override
        public void append(SpanResource resource, InstrumentationScope scope, Span span) {
            resources.add(resource);
            scopes.add(scope);
            spans.add(span);
        }

        @Override
        public void commit() throws IOException {
            if (spans.isEmpty()) {
                return;
            }
            if (closed) {
                throw new IOException("span store is closed");
            }
            SpanBatch batch = SpanBatch.encode(resources, scopes, spans, out);
            long seq;
            lock.readLock().lock();
            try {
                seq = wal.append(batch.record, 0, batch.recordLength);
                index(seq, batch, false);
            } finally {
                lock.readLock().unlock();
            }
            wal.sync(seq);
            rollback();
            if (wal.sizeBytes() > options.walCheckpointBytes() && checkpointQueued.compareAndSet(false, true)) {
                maintenance.execute(this::queuedCheckpoint);
            }
        }

        private void queuedCheckpoint() {
            checkpointQueued.set(false);
            try {
                checkpoint();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "span store checkpoint failed; the WAL keeps the spans: " + e, e);
            }
        }

        @Override
        public void rollback() {
            resources.clear();
            scopes.clear();
            spans.clear();
            if (out.array().length > 4 << 20) {
                out.reset(); // do not keep a huge request's buffer for the appender's life
            }
        }
    }

    /**
     * Commits every partition's index and deletes the WAL segments that only hold what they now hold. Records
     * appended meanwhile may land in the commit too; replay skips them by number.
     */
    void checkpoint() throws IOException {
        long mark;
        lock.writeLock().lock();
        try {
            mark = wal.lastSeq(); // every record up to here is in an index writer
            wal.rotate();
        } finally {
            lock.writeLock().unlock();
        }
        lock.readLock().lock();
        try {
            for (var slot : partitions.all()) {
                slot.partition().commit();
            }
        } finally {
            lock.readLock().unlock();
        }
        wal.deleteThrough(mark);
    }

    /**
     * Removes the partitions that retention no longer keeps, as of {@code nowNanos}; returns how many. Called each
     * checkpoint interval with the wall clock.
     */
    public int enforceRetention(long nowNanos) throws IOException {
        long minTime = options.retainFrom(nowNanos);
        lock.writeLock().lock();
        try {
            return partitions.retain(minTime, options.retentionBytes()).size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Quarantines a partition a query found unreadable, once no query uses it. */
    void reportBroken(TimePartitions.Slot<SpanPartition> slot, IOException cause) {
        LOG.log(System.Logger.Level.ERROR, "span partition " + slot.dir() + " failed a read: " + cause, cause);
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
            checkpoint();
            java.time.Instant now = java.time.Instant.now();
            enforceRetention(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "span store maintenance failed: " + e, e);
        }
    }

    /** Bytes on disk: the partitions' indexes and the WAL. */
    public long sizeBytes() throws IOException {
        long sum = wal.sizeBytes();
        for (var slot : partitions.all()) {
            sum += dev.sightline.core.FileTrees.sizeOf(slot.dir());
        }
        return sum;
    }

    @Override
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
            checkpoint();
        } finally {
            try {
                partitions.close();
            } finally {
                wal.close();
            }
        }
    }
}
