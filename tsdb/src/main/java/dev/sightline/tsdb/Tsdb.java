package dev.sightline.tsdb;

import dev.sightline.core.FileTrees;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Deletable;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.Storage;
import dev.sightline.tsdb.block.Block;
import dev.sightline.tsdb.block.BlockMeta;
import dev.sightline.tsdb.block.BlockWriter;
import dev.sightline.tsdb.block.Blocks;
import dev.sightline.tsdb.block.Compactor;
import dev.sightline.tsdb.block.Retention;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import dev.sightline.tsdb.head.Head;
import dev.sightline.tsdb.head.HeadCardinality;
import dev.sightline.tsdb.head.HeadReplay;
import dev.sightline.tsdb.head.HeadSnapshot;
import dev.sightline.tsdb.merge.MergeQuerier;
import dev.sightline.tsdb.wal.SegmentedWal;
import dev.sightline.tsdb.wal.WalOptions;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded time-series database: the head (recent samples in memory, made durable by the WAL) and the
 * persisted blocks under one data directory. A background thread moves old head data into blocks, compacts blocks
 * and applies retention.
 *
 * <p>Layout: {@code dataDir/wal/} (WAL segments), {@code dataDir/chunks_head/} (the head's full chunks, memory-mapped;
 * rebuilt from the WAL when damaged), {@code dataDir/head_snapshot} (the head as a clean close left it, see
 * {@link HeadSnapshot}), {@code dataDir/<ULID>/} (blocks), {@code dataDir/corrupted/}
 * (blocks that failed verification), {@code dataDir/lock} (held while open, so two processes never share a
 * directory).
 *
 * <p>Without a WAL ({@link TsdbOptions#walEnabled()} false) the database is purely in memory: nothing is replayed
 * or survives close, the head is persisted only on {@link #flushHead()}, and {@code dataDir} may be null (then
 * flushHead is refused). This mode is for the PromQL test runner and benchmarks.
 *
 * <p>Deletes work as in Prometheus: each block overlapping the range gets tombstones (its {@code tombstones} file),
 * the head marks the series' intervals after logging tombstone records to the WAL; reads leave the deleted samples
 * out, and they are dropped for good when the head is cut into a block, when compaction rewrites the block, or by
 * {@link #cleanTombstones}.
 */
public final class Tsdb implements Storage, Deletable {
    private static final Logger LOG = Logger.getLogger(Tsdb.class.getName());
    private static final long MAX_BLOCK_RANGE_MS = 31L * 24 * 3600_000L;
    /** Full head chunks, memory-mapped (see Head). */
    private static final String CHUNKS_HEAD_DIR = "chunks_head";

    private final Path dataDir;
    private final TsdbOptions options;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SegmentedWal wal;
    private final Head head;
    private final Compactor compactor;
    private final ScheduledExecutorService background;
    /** Serializes head persistence, compaction, retention and close. */
    private final ReentrantLock maintenance = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Open blocks sorted by min time; replaced (never mutated) under the maintenance lock. */
    private volatile List<BlockRef> blocks;

    /** Open database queriers by id, with their {mint, maxt}, so head truncation can wait for older readers. */
    private final ConcurrentHashMap<Long, long[]> openQueriers = new ConcurrentHashMap<>();
    private final AtomicLong querierIds = new AtomicLong();
    private static final long QUERIER_WAIT_SECONDS = 60;

    private final List<Collector> metrics = new ArrayList<>();
    private final Counter compactions;
    /** Where a head snapshot's exemplars come from and go to (may be null). */
    private final ExemplarStore exemplars;
    /** Set once head persistence has deleted the head snapshot (under the maintenance lock). */
    private boolean snapshotDropped;

    private Tsdb(Path dataDir, TsdbOptions options, ExemplarStore exemplars, FileChannel lockChannel, FileLock lock)
            throws IOException {
        this.dataDir = dataDir;
        this.options = options;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.exemplars = exemplars;
        Histogram fsync = Histogram.builder().name("sightline_tsdb_wal_fsync_duration_seconds")
                .help("Duration of WAL fsyncs.").classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .register(options.registry());
        metrics.add(fsync);
        SegmentedWal openedWal = null;
        boolean ok = false;
        try {
            List<BlockRef> opened = new ArrayList<>();
            if (dataDir != null) {
                for (Block b : Blocks.openAll(dataDir)) {
                    opened.add(new BlockRef(b));
                }
            }
            this.blocks = List.copyOf(opened);
            this.compactor = dataDir == null ? null : new Compactor(dataDir, compactionRanges(options));
            if (options.walEnabled()) {
                WalOptions walOptions = WalOptions.defaults().withFsyncPolicy(options.fsyncPolicy())
                        .withFsyncSecondsObserver(fsync::observe);
                openedWal = SegmentedWal.open(dataDir.resolve("wal"), walOptions);
            }
            this.wal = openedWal;
            this.head = wal == null
                    ? new Head(options.labelLimits(), options.blockDurationMs(), options.outOfOrderWindowMs(), null)
                    : restoreHead(exemplars);
            registerMetrics();
            this.compactions = Counter.builder().name("sightline_tsdb_compactions_total")
                    .help("Block compactions completed.").register(options.registry());
            metrics.add(compactions);
            this.background = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sightline-tsdb-maintenance");
                t.setDaemon(true);
                return t;
            });
            long period = Math.clamp(options.blockDurationMs() / 4, 50L, 30_000L);
            background.scheduleWithFixedDelay(this::maintainQuietly, period, period, TimeUnit.MILLISECONDS);
            ok = true;
        } finally {
            if (!ok) {
                metrics.forEach(options.registry()::unregister);
                if (openedWal != null) {
                    openedWal.close();
                }
            }
        }
    }

    private Head newHead() throws IOException {
        return new Head(options.labelLimits(), options.blockDurationMs(), options.outOfOrderWindowMs(), wal,
                dataDir.resolve(CHUNKS_HEAD_DIR));
    }

    /**
     * Rebuilds the head: from the head snapshot plus the WAL written after it when there is a usable one, else from
     * the whole WAL (the snapshot's reason logged).
     */
    private Head restoreHead(ExemplarStore exemplars) throws IOException {
        long newestBlockEnd = Long.MIN_VALUE;
        for (BlockRef b : blocks) {
            newestBlockEnd = Math.max(newestBlockEnd, b.block.meta().maxTime());
        }
        Head h = newHead();
        HeadSnapshot.Loaded snap = null;
        Path file = dataDir.resolve(HeadSnapshot.FILE);
        if (options.headSnapshotOnShutdown()) {
            long t0 = System.nanoTime();
            try {
                snap = HeadSnapshot.load(h, dataDir, wal, exemplars, options.walReplayWorkers());
                if (snap != null) {
                    HeadSnapshot.Loaded s = snap;
                    LOG.info(() -> String.format(Locale.ROOT, "loaded head snapshot %s (%d series) in %.0f ms; replaying the WAL"
                                    + " from segment %d offset %d", file, s.series(), (System.nanoTime() - t0) / 1e6,
                            s.wal().segment(), s.wal().offset()));
                }
            } catch (HeadSnapshot.Unusable e) {
                LOG.warning("head snapshot " + file + " not used: " + e.getMessage() + "; replaying the whole WAL");
                HeadSnapshot.delete(dataDir);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "head snapshot " + file + " failed to load; starting over from the whole WAL", e);
                h.close();
                HeadSnapshot.delete(dataDir);
                h = newHead();
            }
        } else if (HeadSnapshot.delete(dataDir)) {
            LOG.info("deleted head snapshot " + file + ": snapshots are off, and a later start must not load a stale one");
        }
        long minValid = snap == null ? newestBlockEnd : Math.max(newestBlockEnd, snap.minValidTime());
        try (HeadReplay replay = h.replay(minValid, exemplars, options.walReplayWorkers())) {
            if (snap == null) {
                wal.replay(replay);
            } else {
                wal.replayFrom(snap.wal(), replay);
            }
            replay.finish();
        }
        // Series whose samples were all in blocks already come back empty; drop them.
        h.truncateBefore(newestBlockEnd);
        return h;
    }

    /**
     * Opens (creating if needed) the database in {@code dataDir}: takes the directory lock, opens the blocks,
     * replays the WAL into the head and starts background maintenance. Ready for appends and queries on return.
     */
    public static Tsdb open(Path dataDir, TsdbOptions options) throws IOException {
        return open(dataDir, options, null);
    }

    /**
     * Like {@link #open(Path, TsdbOptions)}, and replays the exemplars logged with committed batches into
     * {@code exemplars} (which should be empty; null drops them).
     */
    public static Tsdb open(Path dataDir, TsdbOptions options, ExemplarStore exemplars) throws IOException {
        if (dataDir == null) {
            if (options.walEnabled()) {
                throw new IllegalArgumentException("a data directory is required when the WAL is enabled");
            }
            return new Tsdb(null, options, null, null, null);
        }
        Files.createDirectories(dataDir);
        Path lockFile = dataDir.resolve("lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("data directory " + dataDir.toAbsolutePath() + " is in use by another Sightline"
                    + " (" + lockFile + " is locked); stop it or choose another --data-dir");
        }
        try {
            return new Tsdb(dataDir, options, exemplars, ch, lock);
        } catch (IOException | RuntimeException | Error e) {
            lock.release();
            ch.close();
            throw e;
        }
    }

    /** Compaction levels of 1, 3, 9, ... block durations, the largest within a tenth of retention (and 31 days). */
    private static long[] compactionRanges(TsdbOptions o) {
        long limit = o.retentionMs() > 0 ? Math.min(o.retentionMs() / 10, MAX_BLOCK_RANGE_MS) : MAX_BLOCK_RANGE_MS;
        int levels = 1;
        long r = o.blockDurationMs();
        while (levels < 10 && r <= limit / 3) {
            r *= 3;
            levels++;
        }
        return Compactor.exponentialRanges(o.blockDurationMs(), levels);
    }

    private void registerMetrics() {
        var reg = options.registry();
        metrics.add(CounterWithCallback.builder().name("sightline_tsdb_samples_appended_total")
                .help("Samples stored in the head.")
                .callback(cb -> cb.call(head.stats().samplesAppended())).register(reg));
        metrics.add(CounterWithCallback.builder().name("sightline_tsdb_samples_rejected_total")
                .help("Samples and series refused, by reason.").labelNames("reason")
                .callback(cb -> {
                    for (ValidationException.Reason r : ValidationException.Reason.values()) {
                        cb.call(head.stats().rejected(r), r.name().toLowerCase(Locale.ROOT));
                    }
                }).register(reg));
        metrics.add(GaugeWithCallback.builder().name("sightline_tsdb_head_series")
                .help("Series in the head.").callback(cb -> cb.call(head.numSeries())).register(reg));
        metrics.add(GaugeWithCallback.builder().name("sightline_tsdb_head_chunks")
                .help("Chunks in the head.").callback(cb -> cb.call(head.stats().chunks())).register(reg));
        metrics.add(CounterWithCallback.builder().name("sightline_tsdb_wal_corruptions_total")
                .help("Damaged WAL records found on replay.")
                .callback(cb -> cb.call(wal == null ? 0 : wal.corruptionsDetected())).register(reg));
        metrics.add(GaugeWithCallback.builder().name("sightline_tsdb_blocks_loaded")
                .help("Persisted blocks open.").callback(cb -> cb.call(blocks.size())).register(reg));
    }

    @Override
    public Appender appender() {
        ensureOpen();
        return head.appender();
    }

    /**
     * A querier over the head and every block overlapping [mint, maxt]. The blocks stay readable until the querier
     * is closed, even if compaction or retention replaces them meanwhile.
     */
    @Override
    public Querier querier(long mint, long maxt) {
        ensureOpen();
        // Registered before reading the block list, so a head persistence that publishes a block after this read
        // waits for this querier before dropping the window from the head (see waitForQueriersReading).
        long id = querierIds.incrementAndGet();
        openQueriers.put(id, new long[]{mint, maxt});
        List<BlockRef> held = new ArrayList<>();
        while (true) {
            List<BlockRef> current = blocks;
            boolean all = true;
            for (BlockRef b : current) {
                BlockMeta m = b.block.meta();
                if (m.minTime() <= maxt && m.maxTime() > mint) {
                    if (b.acquire()) {
                        held.add(b);
                    } else {
                        all = false;
                        break;
                    }
                }
            }
            if (all) {
                break;
            }
            // A block was released between reading the list and acquiring it: the list has been replaced; retry.
            held.forEach(BlockRef::release);
            held.clear();
        }
        try {
            List<Querier> qs = new ArrayList<>(held.size() + 1);
            for (BlockRef b : held) {
                qs.add(b.block.querier(mint, maxt));
            }
            qs.add(head.querier(mint, maxt));
            return new DbQuerier(new MergeQuerier(qs), held, () -> openQueriers.remove(id));
        } catch (RuntimeException e) {
            openQueriers.remove(id);
            held.forEach(BlockRef::release);
            throw e;
        }
    }

    public long headSeries() {
        return head.numSeries();
    }

    /** The head's series, label pairs, chunks, time range and top cardinalities (Prometheus's /api/v1/status/tsdb). */
    public HeadCardinality headCardinality(int limit) {
        return head.cardinality(limit);
    }

    /**
     * As {@link #headCardinality(int)} over the head's series holding the label pair {@code name=value} (a tenant's
     * series, by its reserved label), that label left out of the lists.
     */
    public HeadCardinality headCardinality(int limit, String name, String value) {
        return head.cardinality(limit, name, value);
    }

    /** The head, for diagnostics and tests in this module. */
    Head head() {
        return head;
    }

    /** The open blocks' metadata, oldest first. */
    public List<BlockMeta> blocks() {
        return blocks.stream().map(b -> b.block.meta()).toList();
    }

    /** Persists everything in the head into blocks now (a partial last window too) and truncates the WAL. */
    public void flushHead() throws IOException {
        maintainNow("cannot persist its head", () -> persistHead(true));
    }

    /**
     * Compacts the persisted blocks now, as far as background maintenance would, for bulk loaders (benchmarks) that
     * want settled blocks before they query, as Prometheus compacts while loading; a no-op when nothing is due.
     */
    public void compactBlocks() throws IOException {
        maintainNow("has no blocks to compact", this::compact);
    }

    private interface MaintenanceWork {
        void run() throws IOException;
    }

    /** Runs one piece of maintenance now under the maintenance lock; refused for an in-memory database. */
    private void maintainNow(String refusal, MaintenanceWork work) throws IOException {
        ensureOpen();
        if (dataDir == null) {
            throw new IllegalStateException("an in-memory database (no data directory) " + refusal);
        }
        maintenance.lock();
        try {
            work.run();
        } finally {
            maintenance.unlock();
        }
    }

    private void maintainQuietly() {
        try {
            maintain();
        } catch (Throwable t) {
            // Keep the schedule alive: the next round retries, and the data stays in the head and WAL meanwhile.
            LOG.log(Level.WARNING, "tsdb maintenance failed; will retry", t);
        }
    }

    /** One round of background work: persist old head data, compact, apply retention. */
    void maintain() throws IOException {
        if (dataDir == null || !maintenance.tryLock()) {
            return;
        }
        try {
            if (closed.get()) {
                return;
            }
            if (wal != null) {
                persistHead(false);
            }
            compact();
            applyRetention();
        } finally {
            maintenance.unlock();
        }
    }

    /**
     * Writes block-aligned windows of the head to blocks, oldest first. Without {@code force}, only while the head
     * spans more than 1.5 block durations and the window lies wholly before the out-of-order window, as Prometheus
     * does; with it, everything up to the newest sample, the last window cut short at that sample.
     */
    private void persistHead(boolean force) throws IOException {
        long b = options.blockDurationMs();
        long target = head.maxTime();
        while (true) {
            long hmin = head.minTime();
            long hmax = head.maxTime();
            if (hmin == Long.MAX_VALUE || hmin > hmax) {
                return;
            }
            long start = Math.floorDiv(hmin, b) * b;
            long end = start + b;
            if (force) {
                if (hmin > target) {
                    return;
                }
                end = Math.min(end, hmax + 1);
            } else if (hmax - hmin <= b / 2 * 3 || end > hmax - options.outOfOrderWindowMs()) {
                return;
            }
            persistWindow(Math.max(start, head.minValidTime()), end);
        }
    }

    private void persistWindow(long start, long end) throws IOException {
        if (!snapshotDropped) {
            // The head and the WAL are about to lose this window: a snapshot taken before would bring it back.
            HeadSnapshot.delete(dataDir);
            snapshotDropped = true;
        }
        // Refuse new samples for the window first, so the block is written from a view nothing can add to.
        head.raiseMinValidTime(end);
        BlockMeta meta = BlockWriter.write(dataDir, start, end, head.seriesSet(start, end - 1));
        if (meta != null) {
            Block block = Block.open(dataDir.resolve(meta.ulid()));
            List<BlockRef> next = new ArrayList<>(blocks);
            next.add(new BlockRef(block));
            next.sort(Comparator.comparingLong(r -> r.block.meta().minTime()));
            blocks = List.copyOf(next);
        }
        waitForQueriersReading(start, end);
        head.truncateBefore(end);
        if (wal != null) {
            wal.truncate(end, head::hasSeries);
        }
    }

    /**
     * Waits until every querier that may have read the block list before the new block was published, and reads
     * from [start, end), is closed: such a querier reads that window from the head, which is about to drop
     * it. A querier left open too long is logged and no longer waited for.
     */
    private void waitForQueriersReading(long start, long end) {
        long barrier = querierIds.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(QUERIER_WAIT_SECONDS);
        while (true) {
            boolean pending = false;
            for (var e : openQueriers.entrySet()) {
                if (e.getKey() <= barrier && e.getValue()[0] < end && e.getValue()[1] >= start) {
                    pending = true;
                    break;
                }
            }
            if (!pending) {
                return;
            }
            if (System.nanoTime() > deadline) {
                LOG.warning("queriers opened before a head persistence were still open after " + QUERIER_WAIT_SECONDS
                        + " s; dropping the persisted head data anyway (those queriers may miss samples in [" + start + ", " + end + "))");
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void compact() throws IOException {
        for (int round = 0; round < 64; round++) {
            List<BlockRef> current = blocks;
            List<Block> plan = compactor.plan(current.stream().map(r -> r.block).toList());
            if (plan.isEmpty()) {
                return;
            }
            BlockMeta meta = compactor.compact(plan);
            List<BlockRef> next = new ArrayList<>();
            List<BlockRef> sources = new ArrayList<>();
            for (BlockRef r : current) {
                (plan.contains(r.block) ? sources : next).add(r);
            }
            if (meta != null) {
                next.add(new BlockRef(Block.open(dataDir.resolve(meta.ulid()))));
                next.sort(Comparator.comparingLong(r -> r.block.meta().minTime()));
            }
            blocks = List.copyOf(next);
            // Sources go only after the new block is open and published; open queriers keep them until closed.
            sources.forEach(BlockRef::release);
            compactions.inc();
        }
    }

    private void applyRetention() {
        List<BlockRef> current = blocks;
        if (current.isEmpty() || (options.retentionMs() == 0 && options.retentionBytes() == 0)) {
            return;
        }
        long newest = Long.MIN_VALUE;
        for (BlockRef r : current) {
            newest = Math.max(newest, r.block.meta().maxTime());
        }
        List<Block> expired = Retention.expired(current.stream().map(r -> r.block).toList(), newest,
                options.retentionMs(), options.retentionBytes());
        if (expired.isEmpty()) {
            return;
        }
        List<BlockRef> next = new ArrayList<>();
        List<BlockRef> gone = new ArrayList<>();
        for (BlockRef r : current) {
            (expired.contains(r.block) ? gone : next).add(r);
        }
        blocks = List.copyOf(next);
        for (BlockRef r : gone) {
            LOG.info(() -> "retention: deleting " + r.block);
            r.release();
        }
    }

    /**
     * Deletes the samples in [mint, maxt] of the series matching all {@code matchers} (see {@link Deletable}): the
     * tombstones of every block overlapping the range are written durably, then the head's are logged. Under the
     * maintenance lock, so no compaction reads a block while its tombstones change and no persistence cuts the head
     * in between.
     */
    @Override
    public void deleteSeries(long mint, long maxt, LabelMatcher... matchers) throws IOException {
        Querier.requireRestrictingMatcher(matchers);
        if (mint > maxt) {
            throw new IllegalArgumentException("delete start " + mint + " is after its end " + maxt);
        }
        ensureOpen();
        maintenance.lock();
        try {
            ensureOpen();
            int blockSeries = 0;
            for (BlockRef b : blocks) {
                BlockMeta m = b.block.meta();
                if (m.minTime() <= maxt && m.maxTime() > mint) {
                    blockSeries += b.block.delete(mint, maxt, matchers);
                }
            }
            int headSeries = head.delete(mint, maxt, matchers);
            if (blockSeries + headSeries > 0) {
                int bs = blockSeries;
                LOG.info(() -> "deleted [" + mint + ", " + maxt + "] of " + Arrays.toString(matchers) + ": tombstones for "
                        + bs + " block series and " + headSeries + " head series");
            }
        } finally {
            maintenance.unlock();
        }
    }

    /**
     * Rewrites every block with tombstones without the deleted samples (Prometheus's clean_tombstones), one at a
     * time, and drops a block left empty. A rewritten block is of the next compaction level with the same sources, so
     * a crash before the old one is deleted leaves it to be deleted on the next open. The head's deleted samples go
     * when it is cut into a block.
     */
    @Override
    public void cleanTombstones() throws IOException {
        ensureOpen();
        if (dataDir == null) {
            return; // in memory: no blocks
        }
        maintenance.lock();
        try {
            ensureOpen();
            for (BlockRef r : blocks) {
                if (!r.block.tombstones().isEmpty()) {
                    rewrite(r);
                }
            }
        } finally {
            maintenance.unlock();
        }
    }

    /** Replaces a block by its rewrite without deleted samples (none when nothing is left). */
    private void rewrite(BlockRef old) throws IOException {
        long before = old.block.sizeBytes();
        BlockMeta meta = compactor.compact(List.of(old.block));
        List<BlockRef> next = new ArrayList<>();
        for (BlockRef r : blocks) {
            if (r != old) {
                next.add(r);
            }
        }
        Block rewritten = meta == null ? null : Block.open(dataDir.resolve(meta.ulid()));
        if (rewritten != null) {
            next.add(new BlockRef(rewritten));
            next.sort(Comparator.comparingLong(r -> r.block.meta().minTime()));
        }
        blocks = List.copyOf(next);
        old.release();
        LOG.info(() -> "clean tombstones: " + old.block + " (" + before + " bytes) rewritten as "
                + (rewritten == null ? "nothing (every sample was deleted)" : rewritten + " (" + rewritten.sizeBytes() + " bytes)"));
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("database is closed");
        }
    }

    /**
     * Stops background work, closes the WAL (fsyncing it), writes the head snapshot (unless switched off) and releases
     * the directory lock. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        background.shutdown();
        maintenance.lock();
        try {
            background.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                if (wal != null) {
                    wal.close();
                    if (options.headSnapshotOnShutdown()) {
                        writeSnapshot();
                    }
                }
            } finally {
                head.close();
                metrics.forEach(options.registry()::unregister);
                for (BlockRef r : blocks) {
                    r.block.close();
                }
                if (lock != null) {
                    lock.release();
                    lockChannel.close();
                }
                maintenance.unlock();
            }
        }
    }

    /** Writes the head snapshot after the closed WAL; a failure only costs the next start a full WAL replay. */
    private void writeSnapshot() {
        long t0 = System.nanoTime();
        try {
            long bytes = HeadSnapshot.write(head, dataDir, wal.end(), exemplars);
            LOG.info(() -> String.format(Locale.ROOT, "wrote head snapshot (%d series, %d bytes) in %.0f ms", head.numSeries(),
                    bytes, (System.nanoTime() - t0) / 1e6));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not write the head snapshot; the next start replays the whole WAL", e);
            try {
                HeadSnapshot.delete(dataDir);
            } catch (IOException e2) {
                e.addSuppressed(e2);
            }
        }
    }

    /**
     * A block with a reference count: the database holds one reference while the block is current, each querier
     * one while open. The last release closes the block and deletes its directory if it was dropped.
     */
    private final class BlockRef {
        final Block block;
        private final AtomicInteger refs = new AtomicInteger(1);

        BlockRef(Block block) {
            this.block = block;
        }

        boolean acquire() {
            while (true) {
                int n = refs.get();
                if (n == 0) {
                    return false;
                }
                if (refs.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                block.close();
                try {
                    FileTrees.deleteRecursively(block.dir());
                } catch (IOException e) {
                    throw new UncheckedIOException("could not delete block " + block.dir(), e);
                }
            }
        }
    }
    /** The merged querier plus the block references it holds until closed. */
    private static final class DbQuerier implements Querier {
        private final MergeQuerier merged;
        private final List<BlockRef> held;
        private final Runnable onClose;
        private final AtomicBoolean closed = new AtomicBoolean();

        DbQuerier(MergeQuerier merged, List<BlockRef> held, Runnable onClose) {
            this.merged = merged;
            this.held = held;
            this.onClose = onClose;
        }

        @Override
        public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
            return merged.select(sorted, mint, maxt, matchers);
        }

        @Override
        public List<String> labelNames(LabelMatcher... matchers) {
            return merged.labelNames(matchers);
        }

        @Override
        public List<String> labelValues(String name, LabelMatcher... matchers) {
            return merged.labelValues(name, matchers);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    merged.close();
                } finally {
                    onClose.run();
                    held.forEach(BlockRef::release);
                }
            }
        }
    }
}
