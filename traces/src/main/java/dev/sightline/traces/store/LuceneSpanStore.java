package dev.sightline.traces.store;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;
import dev.sightline.timeindex.StoreOptions;
import dev.sightline.timeindex.StoreUpkeep;
import dev.sightline.timeindex.TimePartitions;
import dev.sightline.timeindex.Wal;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanCondition;
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
 * size; {@link #delete} removes spans within them (one tenant's retention). A partition that cannot be opened or read
 * is quarantined and the others keep serving.
 */
public final class LuceneSpanStore implements SpanStore {
    private static final System.Logger LOG = System.getLogger(LuceneSpanStore.class.getName());
    private static final long WAL_SEGMENT_BYTES = 64L << 20;

    /** Tempo's default block retention: 14 days, in hourly partitions, no size limit. */
    public static StoreOptions defaultOptions() {
        return StoreOptions.hourly(Duration.ofDays(14));
    }

    final TimePartitions<SpanPartition> partitions;
    /** Read: commits and queries; write: taking a checkpoint's WAL mark, removing partitions. */
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final StoreUpkeep<SpanPartition> upkeep;
    private Wal wal;

    private LuceneSpanStore(StoreOptions options, TimePartitions<SpanPartition> partitions) {
        this.partitions = partitions;
        this.upkeep = new StoreUpkeep<>("span store", options, partitions, lock);
    }

    /** Opens (creating) the store in {@code dir}, replaying its WAL. */
    public static LuceneSpanStore open(Path dir, StoreOptions options) throws IOException {
        TimePartitions<SpanPartition> partitions = TimePartitions.open(dir, options.partition().toNanos(),
                (d, start, end) -> SpanPartition.open(d));
        LuceneSpanStore store = new LuceneSpanStore(options, partitions);
        store.wal = store.upkeep.openWal(dir.resolve("wal"), WAL_SEGMENT_BYTES, SpanPartition::maxSeq, store::replay);
        store.upkeep.start(store::checkpoint);
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
            SpanBatch batch = SpanBatch.encode(resources, scopes, spans, out);
            upkeep.commit(batch.record, batch.recordLength, seq -> index(seq, batch, false));
            rollback();
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
            commitAll();
        } finally {
            lock.readLock().unlock();
        }
        wal.deleteThrough(mark);
    }

    private void commitAll() throws IOException {
        for (var slot : partitions.all()) {
            slot.partition().commit();
        }
    }

    /**
     * Under the write lock: a checkpoint that also deletes the WAL it covers (replay skips a record only while one of
     * its spans is in the index, so a record whose spans were all deleted would come back), then the matching spans
     * deleted from the partitions the range touches and those committed: a delete that returned survives kill -9.
     * Then merges away deleted spans where Lucene finds it worth it; the next checkpoint commits that.
     */
    @Override
    public long delete(List<SpanCondition> conditions, long fromNanos, long toNanos) throws IOException {
        long deleted = 0;
        List<TimePartitions.Slot<SpanPartition>> touched = new ArrayList<>();
        lock.writeLock().lock();
        try {
            long mark = wal.lastSeq();
            wal.rotate();
            commitAll();
            wal.deleteThrough(mark);
            for (var slot : partitions.overlapping(fromNanos, toNanos)) {
                long n = slot.partition().delete(conditions, fromNanos, toNanos);
                if (n > 0) {
                    slot.partition().commit();
                    touched.add(slot);
                    deleted += n;
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
        upkeep.reclaim(touched, SpanPartition::reclaim);
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
    void reportBroken(TimePartitions.Slot<SpanPartition> slot, Exception cause) {
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
