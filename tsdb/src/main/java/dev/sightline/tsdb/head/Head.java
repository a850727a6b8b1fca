package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import dev.sightline.tsdb.wal.WalBatch;
import dev.sightline.tsdb.wal.WriteAheadLog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The in-memory head: every series written recently, its index, and its samples in open and closed chunks until
 * they are persisted into a block. Appends go through {@link HeadAppender}; reads through {@link HeadQuerier}.
 */
public final class Head {
    /** Timestamps outside [year 1, year 9999] are refused; they are always a client bug (seconds vs ms, etc.). */
    static final long MIN_TIMESTAMP = -62135596800000L;
    static final long MAX_TIMESTAMP = 253402300799999L;

    private final LabelLimits labelLimits;
    private final long chunkRangeMs;
    private final long outOfOrderWindowMs;
    private final WriteAheadLog wal;
    private final HeadChunkFiles chunkFiles;

    private final LabelSymbols symbols = new LabelSymbols();
    private final SeriesLabelsMap byLabels = new SeriesLabelsMap(symbols);
    private final SeriesRefMap byRef = new SeriesRefMap();
    private final MemPostings postings = new MemPostings();
    private final AtomicLong nextRef = new AtomicLong(1);
    private final AtomicLong minTime = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong maxTime = new AtomicLong(Long.MIN_VALUE);
    /** Samples before this are already in blocks (or are being written to one) and are refused. */
    private volatile long minValidTime = Long.MIN_VALUE;
    /**
     * Commits hold it shared from WAL write to visibility; truncation holds it exclusively to move minValidTime and
     * drop series, so no commit straddles either.
     */
    final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();
    final HeadStats stats = new HeadStats();
    /** Series with deleted intervals: while there are any, label lookups visit series to leave out wholly deleted ones. */
    private final AtomicInteger tombstonedSeries = new AtomicInteger();

    /**
     * A head that keeps its full chunks in heap buffers.
     *
     * @param chunkRangeMs the block duration: chunks are cut at multiples of it, so persisting a block window takes
     *                     whole chunks
     * @param wal          null for a head without durability
     */
    public Head(LabelLimits labelLimits, long chunkRangeMs, long outOfOrderWindowMs, WriteAheadLog wal) {
        this(labelLimits, chunkRangeMs, outOfOrderWindowMs, wal, HeadChunkFiles.inMemory());
    }

    /**
     * A head that writes its full chunks to memory-mapped files in {@code chunksDir} (see {@link HeadChunkFiles}),
     * which WAL replay then reuses. Chunks already there are checked now; a damaged tail is cut off with a warning.
     */
    public Head(LabelLimits labelLimits, long chunkRangeMs, long outOfOrderWindowMs, WriteAheadLog wal,
                Path chunksDir) throws IOException {
        this(labelLimits, chunkRangeMs, outOfOrderWindowMs, wal,
                HeadChunkFiles.open(chunksDir, HeadChunkFiles.DEFAULT_FILE_SIZE));
    }

    Head(LabelLimits labelLimits, long chunkRangeMs, long outOfOrderWindowMs, WriteAheadLog wal,
         HeadChunkFiles chunkFiles) {
        if (chunkRangeMs <= 0) {
            throw new IllegalArgumentException("chunk range must be positive, got " + chunkRangeMs);
        }
        this.labelLimits = labelLimits;
        this.chunkRangeMs = chunkRangeMs;
        this.outOfOrderWindowMs = Math.max(0, outOfOrderWindowMs);
        this.wal = wal;
        this.chunkFiles = chunkFiles;
        // A chunk file may name a series the WAL no longer has: never give its ref to a new series.
        nextRef.accumulateAndGet(chunkFiles.maxLoadedSeriesRef() + 1, Math::max);
    }

    public Appender appender() {
        return new PooledAppender(this);
    }

    /** Idle batch appenders kept for reuse; a few per core cover concurrent scrapes and receivers. */
    private final HeadAppender[] idleAppenders = new HeadAppender[2 * Runtime.getRuntime().availableProcessors() + 2];
    private int numIdleAppenders;

    HeadAppender borrowAppender() {
        synchronized (idleAppenders) {
            if (numIdleAppenders > 0) {
                HeadAppender a = idleAppenders[--numIdleAppenders];
                idleAppenders[numIdleAppenders] = null;
                return a;
            }
        }
        return new HeadAppender(this);
    }

    /** Takes back a cleared appender, unless the pool is full or the appender grew for an unusually large batch. */
    void returnAppender(HeadAppender a) {
        if (a.capacity() > HeadAppender.POOLED_CAPACITY) {
            return;
        }
        synchronized (idleAppenders) {
            if (numIdleAppenders < idleAppenders.length) {
                idleAppenders[numIdleAppenders++] = a;
            }
        }
    }

    public HeadQuerier querier(long mint, long maxt) {
        return new HeadQuerier(this, mint, maxt);
    }

    /** All series with data in [mint, maxt], sorted by labels: what a block is written from. */
    public SeriesSet seriesSet(long mint, long maxt) {
        return HeadQuerier.seriesSet(this, postings.all(), true, mint, maxt);
    }

    public long numSeries() {
        return postings.size();
    }

    /** The index statistics of /api/v1/status/tsdb, top lists of {@code limit} entries. */
    public HeadCardinality cardinality(int limit) {
        return HeadCardinality.of(this, limit);
    }

    /** As {@link #cardinality(int)} over the series holding {@code name=value}, that label left out. */
    public HeadCardinality cardinality(int limit, String name, String value) {
        return HeadCardinality.of(this, limit, name, value);
    }

    public HeadStats stats() {
        return stats;
    }

    /** Smallest sample timestamp in the head, Long.MAX_VALUE when empty. */
    public long minTime() {
        return minTime.get();
    }

    /** Largest sample timestamp in the head, Long.MIN_VALUE when empty. */
    public long maxTime() {
        return maxTime.get();
    }

    public long minValidTime() {
        return minValidTime;
    }

    public long chunkRangeMs() {
        return chunkRangeMs;
    }

    public long outOfOrderWindowMs() {
        return outOfOrderWindowMs;
    }

    WriteAheadLog wal() {
        return wal;
    }

    HeadChunkFiles chunkFiles() {
        return chunkFiles;
    }

    MemPostings postings() {
        return postings;
    }

    MemSeries series(long ref) {
        return byRef.get(ref);
    }

    MemSeries seriesByLabels(Labels labels) {
        return byLabels.get(labels);
    }

    /** Whether the head still holds the series; the WAL keeps series records only for those. */
    public boolean hasSeries(long ref) {
        return byRef.get(ref) != null;
    }

    /** Finds or creates the series, validating a new label set first (a refused one is counted and thrown). */
    MemSeries getOrCreate(Labels labels) {
        MemSeries s = byLabels.get(labels);
        if (s != null) {
            return s;
        }
        try {
            labelLimits.validate(labels);
        } catch (ValidationException e) {
            stats.reject(e.reason());
            throw e;
        }
        return create(nextRef.getAndIncrement(), labels);
    }

    private MemSeries create(long ref, Labels labels) {
        symbols.creation.readLock().lock();
        try {
            String[] kv = new String[2 * labels.size()];
            MemSeries s = new MemSeries(ref, symbols.pack(labels, kv));
            // The postings keep the head's own strings, not the caller's copies.
            Labels shared = Labels.ofSorted(kv);
            MemSeries prev = register(s);
            if (prev != null) {
                return prev;
            }
            postings.add(s.ref, shared);
            return s;
        } finally {
            symbols.creation.readLock().unlock();
        }
    }

    /** Maps the series by labels and ref, unless one with its labels exists: then returns that one (else null). */
    private MemSeries register(MemSeries s) {
        MemSeries prev = byLabels.putIfAbsent(s);
        if (prev == null) {
            byRef.put(s);
        }
        return prev;
    }

    /** Counts {@code n} stored samples spanning [minT, maxT]. */
    void noteAppended(long n, long minT, long maxT) {
        if (n > 0) {
            stats.samplesAppended.add(n);
            noteTime(minT);
            noteTime(maxT);
        }
    }

    void noteTime(long t) {
        if (t < minTime.get()) {
            minTime.accumulateAndGet(t, Math::min);
        }
        if (t > maxTime.get()) {
            maxTime.accumulateAndGet(t, Math::max);
        }
    }

    /**
     * Refuses from now on every sample before {@code t}. Waits for in-flight commits, so once this returns no
     * sample before t can still enter the head and [.., t) can be persisted from a stable view.
     */
    public void raiseMinValidTime(long t) {
        commitLock.writeLock().lock();
        try {
            if (t > minValidTime) {
                minValidTime = t;
            }
        } finally {
            commitLock.writeLock().unlock();
        }
    }

    /**
     * Drops every sample before {@code cut} (persisted into a block by the caller) and the series left empty.
     * Returns the number of series removed.
     */
    public int truncateBefore(long cut) {
        raiseMinValidTime(cut);
        int removed;
        commitLock.writeLock().lock();
        try {
            List<MemSeries> empty = new ArrayList<>();
            long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
            byRef.forEach(s -> {
                if (s.truncateBefore(cut, stats)) {
                    empty.add(s);
                    if (s.deleted() != null) {
                        tombstonedSeries.decrementAndGet();
                    }
                } else {
                    range[0] = Math.min(range[0], s.minTime());
                    range[1] = Math.max(range[1], s.maxTime());
                }
            });
            long[] refs = new long[empty.size()];
            Labels[] labels = new Labels[empty.size()];
            for (int i = 0; i < refs.length; i++) {
                MemSeries s = empty.get(i);
                byLabels.remove(s);
                byRef.remove(s.ref);
                s.markRemoved(symbols);
                refs[i] = s.ref;
                labels[i] = s.labels(symbols);
            }
            postings.removeAll(refs, labels);
            // After every series dropped its chunks before the cut, so no snapshot taken from now on names them.
            chunkFiles.truncateBefore(cut);
            minTime.set(range[0]);
            maxTime.set(range[1]);
            removed = empty.size();
        } finally {
            commitLock.writeLock().unlock();
        }
        if (removed > 0) {
            symbols.collect(byRef);
        }
        return removed;
    }

    /**
     * Starts rebuilding the head from the WAL: series keep their original refs (a label set seen again under a new
     * ref is mapped to the first), samples before {@code minValidTime} (already in blocks) are skipped, and samples
     * the head would refuse now (duplicates, out of order) are dropped as they were when first written. Nothing is
     * re-written to the WAL. Full chunks found in the chunk files are attached to their series as the series come
     * back, and the samples they hold are not decoded again. Exemplars of known series go to {@code exemplars}
     * (null: dropped) in write order, so the store refuses again what it refused when they were written. Samples
     * are stored by {@code workers} threads sharded by series (0: on the thread feeding the records). Call before any
     * append; see {@link HeadReplay} for the rest.
     */
    public HeadReplay replay(long minValidTime, ExemplarStore exemplars, int workers) {
        this.minValidTime = minValidTime;
        return new HeadReplay(this, minValidTime, exemplars, workers);
    }

    /**
     * Deletes the samples in [mint, maxt] of the series matching all {@code matchers}, as Prometheus's head does: a
     * tombstone record per series with a sample there not deleted yet goes to the WAL (durable as a commit is), then
     * the interval is marked on the series; reads leave its samples out from then on, and cutting the head into a
     * block drops them. Returns the number of series marked.
     */
    public int delete(long mint, long maxt, LabelMatcher... matchers) throws IOException {
        if (mint > maxt) {
            throw new IllegalArgumentException("delete start " + mint + " is after its end " + maxt);
        }
        // Shared, as a commit holds it: truncation cannot drop a series between the WAL record and the mark.
        commitLock.readLock().lock();
        try {
            List<MemSeries> hit = new ArrayList<>();
            for (long ref : postings.postingsFor(matchers)) {
                MemSeries s = byRef.get(ref);
                // A series with a sample has been committed, so its series record precedes this tombstone in the WAL.
                if (s != null && s.needsDelete(mint, maxt)) {
                    hit.add(s);
                }
            }
            if (hit.isEmpty()) {
                return 0;
            }
            if (wal != null) {
                WalBatch batch = new WalBatch();
                for (MemSeries s : hit) {
                    batch.addTombstone(s.ref, mint, maxt);
                }
                wal.write(batch);
            }
            for (MemSeries s : hit) {
                markDeleted(s, mint, maxt);
            }
            return hit.size();
        } finally {
            commitLock.readLock().unlock();
        }
    }

    /** Marks [mint, maxt] of {@code s} deleted (a delete, or its tombstone record replayed). */
    void markDeleted(MemSeries s, long mint, long maxt) {
        if (s.delete(mint, maxt)) {
            tombstonedSeries.incrementAndGet();
        }
    }

    /** Whether some series has deleted intervals. */
    boolean hasTombstones() {
        return tombstonedSeries.get() > 0;
    }

    /** A series from the WAL under its logged ref, which is never handed out again. */
    MemSeries createReplayed(long ref, Labels labels) {
        MemSeries s = create(ref, labels);
        s.walLogged = true;
        reserveRef(ref);
        return s;
    }

    /** The head's label strings (series keep their labels as ids of these). */
    LabelSymbols symbols() {
        return symbols;
    }

    /** The series' labels. */
    Labels labels(MemSeries s) {
        return s.labels(symbols);
    }

    /**
     * Adds a series read back from a head snapshot (its labels packed with {@link #symbols()}), unless one with its labels
     * is there: then returns false. Call before any replay or append. The caller adds it to the postings (see
     * {@link MemPostings#addSorted}).
     */
    boolean restoreSeries(MemSeries s) {
        if (register(s) != null) {
            return false;
        }
        if (s.deleted() != null) {
            tombstonedSeries.incrementAndGet();
        }
        reserveRef(s.ref);
        stats.chunks.add(s.numChunks());
        long min = s.minTime();
        if (min != Long.MAX_VALUE) {
            noteTime(min);
            noteTime(s.maxTime());
        }
        return true;
    }

    /** Before restoring {@code n} series: sizes the label map once (see {@link SeriesLabelsMap#ensureCapacity}). */
    void expectSeries(long n) {
        byLabels.ensureCapacity((int) Math.min(n, 1 << 29));
    }

    /** After a snapshot: new series get refs from {@code next} on at least (refs the WAL used stay unused). */
    void restoreRefs(long next) {
        nextRef.accumulateAndGet(next, Math::max);
    }

    long nextRef() {
        return nextRef.get();
    }

    void forEachSeries(Consumer<MemSeries> action) {
        byRef.forEach(action);
    }

    /** Makes sure new series get refs above {@code ref}. */
    void reserveRef(long ref) {
        nextRef.accumulateAndGet(ref + 1, Math::max);
    }

    /** Ends a replay: series whose newest sample is only in a chunk file learn it from there. */
    void finishReplay() {
        HeadChunkFiles.Table table = chunkFiles.table();
        byRef.forEach(s -> s.settleAfterReplay(table));
    }

    /** Releases the chunk files (the one being written is trimmed). The head must not be used afterwards. */
    public void close() {
        chunkFiles.close();
    }

    /**
     * Stores one sample; returns the classification (see MemSeries). Counts refused samples; the caller reports
     * the stored ones per batch through {@link #noteAppended}, sparing two shared-counter updates per sample.
     */
    int store(MemSeries s, long st, long t, long bits, Histogram h) {
        int c = s.add(st, t, bits, h, this);
        switch (c) {
            case MemSeries.IN_ORDER, MemSeries.OUT_OF_ORDER_ACCEPTED -> {
            }
            case MemSeries.REJECT_OUT_OF_ORDER -> stats.reject(ValidationException.Reason.OUT_OF_ORDER_SAMPLE);
            case MemSeries.REJECT_DUPLICATE -> stats.reject(ValidationException.Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP);
            case MemSeries.REJECT_TOO_OLD -> stats.reject(ValidationException.Reason.TOO_OLD_SAMPLE);
            default -> {
            }
        }
        return c;
    }

    /** Approximate count of label strings, for memory diagnostics. */
    int internedStrings() {
        return symbols.size();
    }
}
