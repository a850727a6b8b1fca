package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import dev.sightline.tsdb.wal.WalReplayHandler;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Rebuilds a head from the WAL's records (see {@link Head#replay}). The thread that reads the WAL creates the series
 * and stores the exemplars itself, in write order (the exemplar store's shared ring makes their order global). Float
 * and histogram samples are handed in batches to {@code workers} threads, each owning the series whose ref falls in
 * its shard, as Prometheus's WAL loading shards samples by series ref: one series' samples are stored in WAL order
 * by one thread, different series fill in parallel. With 0 workers everything runs on the reading thread.
 *
 * <p>Use: feed it to {@code WriteAheadLog.replay}, then {@link #finish}; {@link #close} (always) stops the workers.
 */
public final class HeadReplay implements WalReplayHandler, AutoCloseable {
    /** Entries per hand-over: large enough that queue operations cost little per sample, small enough to stay in cache. */
    static final int BATCH = 2048;
    /** Batches in flight per worker: lets the reader run ahead of a worker without holding much memory. */
    private static final int IN_FLIGHT = 8;

    private static final byte SAMPLE = 0;
    private static final byte ATTACH = 1;
    /** Queued after a shard's last batch: the worker stops there. */
    private static final Batch END = new Batch();

    private final Head head;
    private final long minValidTime;
    private final ExemplarStore exemplars;
    private final Map<Long, MemSeries> aliases = new HashMap<>();
    private final Map<Long, long[]> loadedChunks;
    private final Shard[] shards;
    private final Thread[] threads;
    private volatile Throwable failure;
    private boolean finished;

    HeadReplay(Head head, long minValidTime, ExemplarStore exemplars, int workers) {
        if (workers < 0) {
            throw new IllegalArgumentException("WAL replay workers must not be negative, got " + workers);
        }
        this.head = head;
        this.minValidTime = minValidTime;
        this.exemplars = exemplars;
        this.loadedChunks = head.chunkFiles().takeLoaded();
        int n = Math.max(1, workers);
        shards = new Shard[n];
        for (int i = 0; i < n; i++) {
            shards[i] = new Shard(loadedChunks.size() / n, workers > 0);
        }
        threads = new Thread[workers];
        for (int i = 0; i < workers; i++) {
            Shard shard = shards[i];
            threads[i] = Thread.ofPlatform().daemon().name("sightline-wal-replay-" + i).start(() -> work(shard));
        }
    }

    @Override
    public void series(long ref, Labels labels) {
        MemSeries existing = head.seriesByLabels(labels);
        if (existing != null) {
            if (existing.ref != ref) {
                aliases.put(ref, existing);
                // Never hand the alias ref out again: the WAL still names the first series with it, and a
                // checkpoint keeping both records would give that series' samples to the new one.
                head.reserveRef(ref);
            }
            return;
        }
        MemSeries s = head.createReplayed(ref, labels);
        long[] chunks = loadedChunks.remove(ref);
        if (chunks != null) {
            // Through the series' shard, so its worker has the chunks before the series' first sample.
            shardOf(s.ref).add(ATTACH, s.ref, 0, 0, 0, chunks);
        }
    }

    @Override
    public void sample(long ref, long st, long t, double v) {
        queue(ref, st, t, Double.doubleToRawLongBits(v), null);
    }

    @Override
    public void histogram(long ref, long st, long t, Histogram h) {
        queue(ref, st, t, 0, h);
    }

    private void queue(long ref, long st, long t, long bits, Histogram h) {
        if (t < minValidTime) {
            return;
        }
        // Only the ref travels: reading the series object here would cost the reader a cache miss per sample, and
        // storing references into the batch a GC write barrier. byRef holds a series under its own ref.
        long own = head.series(ref) != null ? ref : ownRef(aliases.get(ref));
        if (own != 0) {
            shardOf(own).add(SAMPLE, own, st, t, bits, h);
        }
    }

    private static long ownRef(MemSeries alias) {
        return alias == null ? 0 : alias.ref;
    }

    @Override
    public void exemplar(long ref, long t, double v, Labels labels) {
        MemSeries s = exemplars == null ? null : resolve(ref);
        if (s != null) {
            exemplars.add(head.labels(s), labels, v, t);
        }
    }

    /** Marks the interval on the series at once: it hides samples whenever they were written, so order does not matter. */
    @Override
    public void tombstone(long ref, long mint, long maxt) {
        MemSeries s = resolve(ref);
        if (s != null) {
            head.markDeleted(s, mint, maxt);
        }
    }

    private MemSeries resolve(long ref) {
        MemSeries s = head.series(ref);
        return s != null ? s : aliases.get(ref);
    }

    /**
     * By the series' own ref, so an alias ref's samples go where the series' other samples go. A multiplicative hash
     * scaled to the shard count: spreads consecutive refs and costs no division per sample.
     */
    private Shard shardOf(long ownRef) {
        long h = (ownRef * 0x9E3779B97F4A7C15L) >>> 32;
        return shards[(int) ((h * shards.length) >>> 32)];
    }

    /**
     * Waits until the workers have stored every sample handed to them, then lets series whose newest sample is
     * only in a chunk file learn it from there. Rethrows what a worker failed with.
     */
    public void finish() {
        if (finished) {
            throw new IllegalStateException("replay already finished");
        }
        finished = true;
        stopWorkers(true);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Shard shard : shards) {
            min = Math.min(min, shard.minT);
            max = Math.max(max, shard.maxT);
        }
        if (min <= max) {
            head.noteTime(min);
            head.noteTime(max);
        }
        head.finishReplay();
    }

    /** Stops the workers; after a failed WAL read the head is left as it is and must not be used. */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            stopWorkers(false);
        }
    }

    private void stopWorkers(boolean rethrow) {
        if (threads.length == 0) {
            shards[0].applyPending();
        } else {
            for (Shard shard : shards) {
                shard.handOver(); // pending samples, then the end mark
                putUninterruptibly(shard.full, END);
            }
            for (Thread t : threads) {
                joinUninterruptibly(t);
            }
        }
        Throwable f = failure;
        if (rethrow && f != null) {
            throw new IllegalStateException("WAL replay worker failed: " + f, f);
        }
    }

    private void work(Shard shard) {
        while (true) {
            Batch b = takeUninterruptibly(shard.full);
            if (b == END) {
                return;
            }
            if (failure == null) {
                try {
                    shard.apply(b);
                } catch (Throwable e) {
                    // Keep draining, so the reader never blocks on a full queue; it rethrows at the next hand-over.
                    failure = e;
                }
            }
            b.clear();
            putUninterruptibly(shard.free, b);
        }
    }

    /** Entries for one worker, in struct-of-arrays form, reused. */
    private static final class Batch {
        final byte[] kind = new byte[BATCH];
        /** The series' own ref (never an alias). */
        final long[] ref = new long[BATCH];
        final long[] st = new long[BATCH];
        final long[] t = new long[BATCH];
        final long[] bits = new long[BATCH];
        /** The histogram of a SAMPLE (null for a float), the chunk metadata of an ATTACH. */
        final Object[] obj = new Object[BATCH];
        int size;
        /** Whether obj holds anything to clear: float-only batches skip that. */
        boolean hasObj;

        void clear() {
            if (hasObj) {
                Arrays.fill(obj, 0, size, null);
                hasObj = false;
            }
            size = 0;
        }
    }

    /** One worker's series: the batch being filled by the reader and the state only the worker touches. */
    private final class Shard {
        final BlockingQueue<Batch> full;
        final BlockingQueue<Batch> free;
        Batch filling = new Batch();
        /**
         * Per series ref, the newest time its loaded chunks hold (null with an out-of-order window). Without such a
         * window a sample at or before it is in those chunks or was refused when written, so it is dropped without
         * touching the series.
         */
        final LongLongMap covered;
        long minT = Long.MAX_VALUE;
        long maxT = Long.MIN_VALUE;

        Shard(int expectedLoaded, boolean threaded) {
            covered = head.outOfOrderWindowMs() == 0 ? new LongLongMap(expectedLoaded, Long.MIN_VALUE) : null;
            full = threaded ? new ArrayBlockingQueue<>(IN_FLIGHT + 1) : null;
            free = threaded ? new ArrayBlockingQueue<>(IN_FLIGHT) : null;
            if (threaded) {
                for (int i = 0; i < IN_FLIGHT - 1; i++) {
                    free.add(new Batch());
                }
            }
        }

        void add(byte kind, long ref, long st, long t, long bits, Object obj) {
            Batch b = filling;
            int i = b.size;
            b.kind[i] = kind;
            b.ref[i] = ref;
            b.st[i] = st;
            b.t[i] = t;
            b.bits[i] = bits;
            if (obj != null) {
                b.obj[i] = obj;
                b.hasObj = true;
            }
            if (++b.size == BATCH) {
                if (full == null) {
                    applyPending();
                } else {
                    Throwable f = failure;
                    if (f != null) {
                        throw new IllegalStateException("WAL replay worker failed: " + f, f);
                    }
                    handOver();
                    filling = takeUninterruptibly(free);
                }
            }
        }

        void applyPending() {
            apply(filling);
            filling.clear();
        }

        /** Queues the batch being filled for the worker, unless it is empty; the caller takes the next from free. */
        void handOver() {
            if (filling.size > 0) {
                putUninterruptibly(full, filling);
                filling = null;
            }
        }

        /** Stores a batch's entries in order; on the worker's thread (or the reader's without workers). */
        void apply(Batch b) {
            for (int i = 0, n = b.size; i < n; i++) {
                long ref = b.ref[i];
                if (b.kind[i] == ATTACH) {
                    attach(head.series(ref), (long[]) b.obj[i]);
                    continue;
                }
                long t = b.t[i];
                if (covered != null && t <= covered.get(ref)) {
                    continue;
                }
                MemSeries s = head.series(ref); // series are not dropped during replay
                // Stored without counting: these samples were counted when first appended.
                int c = s.replay(b.st[i], t, b.bits[i], (Histogram) b.obj[i], head);
                if (c == MemSeries.IN_ORDER || c == MemSeries.OUT_OF_ORDER_ACCEPTED) {
                    minT = Math.min(minT, t);
                    maxT = Math.max(maxT, t);
                }
            }
        }

        private void attach(MemSeries s, long[] chunks) {
            int kept = s.attachLoaded(chunks, minValidTime);
            if (kept > 0) {
                head.stats.chunks.add(kept);
                minT = Math.min(minT, s.minTime());
                maxT = Math.max(maxT, s.maxTime());
                if (covered != null) {
                    covered.put(s.ref, s.maxTime());
                }
            }
        }
    }

    static <T> T takeUninterruptibly(BlockingQueue<T> q) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return q.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for {@code t} to end; an interrupt meanwhile is kept for the caller. */
    static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static <T> void putUninterruptibly(BlockingQueue<T> q, T v) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    q.put(v);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
