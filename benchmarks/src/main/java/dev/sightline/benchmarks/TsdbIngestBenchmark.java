package dev.sightline.benchmarks;

import dev.sightline.core.FileTrees;
import dev.sightline.core.Labels;
import dev.sightline.core.text.PromDurations;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.chunk.Chunk;
import dev.sightline.tsdb.chunk.ChunkEncoding;
import dev.sightline.tsdb.chunk.Chunks;
import dev.sightline.tsdb.wal.FsyncPolicy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Appends a node_exporter-shaped data set through the {@link Tsdb} API the way a scraper does (one appender and
 * one commit per scrape of one instance, series refs reused after the first scrape) and prints, one per line:
 * append throughput on one thread, heap per active series, WAL replay time, and bytes per sample on disk.
 *
 * <pre>
 * --series N        active series (default 100000)
 * --duration D      data span, e.g. 2h, 30m (default 2h)
 * --interval D      scrape interval (default 15s)
 * --fsync P         ALWAYS | BATCH | NEVER (default: the database default, ALWAYS)
 * --data-dir PATH   where to write (default: a fresh temporary directory, deleted afterwards)
 * --keep            keep the data directory
 * --cumulative-start every sample gets its series' start timestamp, constant as a cumulative counter's (default: none)
 * --class-histogram N  after the heap figure, print the N classes holding the most heap (as jcmd GC.class_histogram)
 * </pre>
 */
public final class TsdbIngestBenchmark {
    private static final double TARGET_SAMPLES_PER_SEC = 2_000_000;
    private static final double TARGET_BYTES_PER_SAMPLE = 1.3;
    private static final double TARGET_HEAP_PER_SERIES = 1024;

    private TsdbIngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int numSeries = 100_000;
        long durationMs = 2 * 3_600_000L;
        long intervalMs = 15_000;
        FsyncPolicy fsync = null;
        Path dataDir = null;
        boolean keep = false;
        boolean cumulativeStart = false;
        int histogramRows = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--series" -> numSeries = Integer.parseInt(Bench.value(args, ++i, a));
                case "--duration" -> durationMs = parseDuration(Bench.value(args, ++i, a), a);
                case "--interval" -> intervalMs = parseDuration(Bench.value(args, ++i, a), a);
                case "--fsync" -> fsync = FsyncPolicy.valueOf(Bench.value(args, ++i, a).toUpperCase(Locale.ROOT));
                case "--data-dir" -> dataDir = Path.of(Bench.value(args, ++i, a));
                case "--keep" -> keep = true;
                case "--cumulative-start" -> cumulativeStart = true;
                case "--class-histogram" -> histogramRows = Integer.parseInt(Bench.value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown flag " + a + " (see the class comment for flags)");
            }
        }
        if (numSeries <= 0 || durationMs < intervalMs || intervalMs <= 0) {
            throw new IllegalArgumentException("need --series > 0 and --duration >= --interval > 0");
        }
        boolean tempDir = dataDir == null;
        if (tempDir) {
            dataDir = Files.createTempDirectory("sightline-ingest-bench");
        } else {
            Files.createDirectories(dataDir);
        }
        try {
            run(numSeries, durationMs, intervalMs, fsync, dataDir, cumulativeStart, histogramRows);
        } finally {
            if (tempDir && !keep) {
                FileTrees.deleteRecursively(dataDir);
            }
        }
    }

    private static void run(int numSeries, long durationMs, long intervalMs, FsyncPolicy fsync, Path dataDir,
                            boolean cumulativeStart, int histogramRows) throws IOException {
        TsdbOptions options = TsdbOptions.defaults();
        if (fsync != null) {
            options = options.withFsyncPolicy(fsync);
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long heapBefore = usedHeapAfterGc(memory);

        NodeExporterSet set = new NodeExporterSet(numSeries, 42);
        int scrapes = (int) (durationMs / intervalMs);
        long samples = (long) scrapes * numSeries;
        // An aligned start, so a 2h run fills exactly one 2h block window as a real server's head would.
        long start = Math.floorDiv(System.currentTimeMillis() - 4 * durationMs, 7_200_000L) * 7_200_000L;
        set.printHeader(scrapes, intervalMs);
        System.out.printf(Locale.ROOT, "options: fsync=%s, one commit per instance scrape (%d commits), start timestamps: %s, data dir %s%n",
                options.fsyncPolicy(), (long) scrapes * set.instances(), cumulativeStart ? "cumulative (constant per series)" : "none",
                dataDir);
        long startBase = cumulativeStart ? start - 86_400_000L : 0;

        Tsdb db = Tsdb.open(dataDir, options);
        long[] refs = new long[numSeries];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long elapsedNs = load(db, set, refs, scrapes, start, intervalMs, startBase);
        long cpuNs = threads.getCurrentThreadCpuTime() - cpu0;
        double perSec = samples / (elapsedNs / 1e9);
        report("append throughput (1 thread, wall clock)", perSec, "samples/s", ">=", TARGET_SAMPLES_PER_SEC,
                perSec >= TARGET_SAMPLES_PER_SEC);
        // On a shared machine the wall clock also counts time spent waiting for a core (and for fsync); the
        // appending thread's own CPU time says what one core can do.
        double perCpuSec = samples / (cpuNs / 1e9);
        report("append throughput (per CPU-second)", perCpuSec, "samples/s", ">=", TARGET_SAMPLES_PER_SEC,
                perCpuSec >= TARGET_SAMPLES_PER_SEC);
        System.out.printf(Locale.ROOT, "  (%d samples in %.2f s wall, %.2f s CPU of the appending thread: %.0f ns/sample wall,"
                + " %.0f ns/sample CPU)%n", samples, elapsedNs / 1e9, cpuNs / 1e9, elapsedNs / (double) samples,
                cpuNs / (double) samples);

        long headSeries = db.headSeries();
        // Drop everything the benchmark itself holds, so what stays on the heap is the database's.
        set = null;
        refs = null;
        long heapAfter = usedHeapAfterGc(memory);
        double heapPerSeries = (heapAfter - heapBefore) / (double) numSeries;
        report("heap per active series", heapPerSeries, "bytes", "<=", TARGET_HEAP_PER_SERIES,
                heapPerSeries <= TARGET_HEAP_PER_SERIES);
        System.out.printf(Locale.ROOT, "  (MemoryMXBean heap used after System.gc(), loaded minus before opening: %d - %d bytes,"
                + " over %d series; head series reported: %d)%n", heapAfter, heapBefore, numSeries, headSeries);
        if (histogramRows > 0) {
            printClassHistogram(histogramRows, numSeries);
        }

        db.close();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long t0 = System.nanoTime();
        long threadCpu0 = threads.getCurrentThreadCpuTime();
        long processCpu0 = os.getProcessCpuTime();
        db = Tsdb.open(dataDir, options);
        double replaySec = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "WAL replay (close, then Tsdb.open): %.2f s wall, %.2f s CPU of the opening thread, %.2f s CPU"
                        + " of the process, for %d series, %d samples (head series after replay: %d)%n", replaySec,
                (threads.getCurrentThreadCpuTime() - threadCpu0) / 1e9, (os.getProcessCpuTime() - processCpu0) / 1e9,
                numSeries, samples, db.headSeries());

        long walBytes = Bench.sizeOnDisk(dataDir.resolve("wal"));
        long headChunkBytes = Bench.sizeOnDisk(dataDir.resolve("chunks_head"));
        long tf = System.nanoTime();
        db.flushHead();
        double flushSec = (System.nanoTime() - tf) / 1e9;
        long blockBytes = Bench.blockBytes(dataDir);
        double perSample = blockBytes / (double) samples;
        report("bytes per sample on disk (blocks, no WAL)", perSample, "bytes", "<=", TARGET_BYTES_PER_SAMPLE,
                perSample <= TARGET_BYTES_PER_SAMPLE);
        System.out.printf(Locale.ROOT, "  (%d block bytes for %d samples; flushHead took %.2f s; before flush: WAL %d bytes = %.2f"
                + " bytes/sample, chunks_head %d bytes)%n", blockBytes, samples, flushSec, walBytes, walBytes / (double) samples,
                headChunkBytes);
        db.close();
        double[] bare = chunkBytesPerSample(numSeries, scrapes, intervalMs, startBase);
        System.out.printf(Locale.ROOT, "  (the same values in bare chunks: %.2f bytes/sample in the head's 120-sample XOR chunks, %.2f as"
                + " blocks encode them (480 samples, PACKED); the rest is index and block overhead)%n", bare[0], bare[1]);
        System.out.printf(Locale.ROOT, "machine load average at the end: %s%n", Bench.loadAverage());
    }

    /**
     * Encodes a fresh copy of the data set straight into chunks, to separate the encoding's share of the disk figure:
     * {XOR in the head's 120-sample chunks, PACKED in the blocks' 480-sample chunks}, in
     * bytes per sample.
     */
    private static double[] chunkBytesPerSample(int numSeries, int scrapes, long intervalMs, long startBase) {
        NodeExporterSet set = new NodeExporterSet(numSeries, 42);
        SplittableRandom rnd = new SplittableRandom(7);
        long xor = 0;
        long best = 0;
        long[] t = new long[scrapes];
        double[] v = new double[scrapes];
        long[] bt = new long[480];
        double[] bv = new double[480];
        long[] bst = new long[480];
        for (int s = 0; s < numSeries; s++) {
            long st = seriesStart(startBase, s);
            java.util.Arrays.fill(bst, st);
            Chunk c = null;
            for (int k = 0; k < scrapes; k++) {
                if (k % 120 == 0) {
                    xor += c == null ? 0 : c.byteLength();
                    c = Chunks.newChunk(ChunkEncoding.XOR);
                }
                t[k] = k * intervalMs;
                v[k] = set.next(s, rnd);
                c.appender().append(st, t[k], v[k]);
            }
            xor += c.byteLength();
            for (int from = 0; from < scrapes; from += bt.length) {
                int n = Math.min(bt.length, scrapes - from);
                System.arraycopy(t, from, bt, 0, n);
                System.arraycopy(v, from, bv, 0, n);
                best += Chunks.encodeFloats(bt, bv, st == 0 ? null : bst, n).byteLength();
            }
        }
        double samples = (double) numSeries * scrapes;
        return new double[]{xor / samples, best / samples};
    }

    /** One appender and one commit per instance per scrape, as a scrape loop does; refs reused after the first. */
    static long load(Tsdb db, NodeExporterSet set, long[] refs, int scrapes, long start, long intervalMs,
                     long startBase) throws IOException {
        Labels[] labels = set.labels;
        double[] value = set.value;
        long t0 = System.nanoTime();
        set.scrapes(scrapes, start, intervalMs, (i, t) -> {
            Appender app = db.appender();
            for (int s = set.instanceStart[i], end = set.instanceStart[i + 1]; s < end; s++) {
                refs[s] = app.append(refs[s], labels[s], seriesStart(startBase, s), t, value[s]);
            }
            app.commit();
        });
        return System.nanoTime() - t0;
    }

    /** Series s's start timestamp: 0 when there are none, else a distinct one per series before the data. */
    private static long seriesStart(long startBase, int s) {
        return startBase == 0 ? 0 : startBase - s * 1000L;
    }

    private static void report(String what, double value, String unit, String op, double target, boolean ok) {
        System.out.printf(Locale.ROOT, "%-42s %,14.2f %-9s target %s %,.1f  %s%n", what + ":", value, unit, op, target,
                ok ? "MET" : "NOT MET");
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        // Several rounds: one System.gc() may leave garbage that a later round frees (finalization, soft refs).
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /**
     * Prints the first {@code rows} classes of the live heap's histogram (the JVM's own GC.class_histogram, as jcmd
     * prints it) with bytes per series beside each, to show which objects the heap per series is made of.
     */
    private static void printClassHistogram(int rows, int numSeries) {
        String histogram;
        try {
            histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[]{new String[0]}, new String[]{String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("GC.class_histogram failed: " + e.getMessage(), e);
        }
        System.out.printf(Locale.ROOT, "  heap by class (GC.class_histogram, top %d; bytes/series = bytes / %d):%n", rows,
                numSeries);
        String[] lines = histogram.split("\n");
        int shown = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            // Rows read "num: instances bytes class (module)"; the header and the Total line do not start with "N:".
            if (f.length < 4 || !f[0].endsWith(":") || shown++ >= rows) {
                continue;
            }
            long bytes = Long.parseLong(f[2]);
            System.out.printf(Locale.ROOT, "    %,12d instances %,14d bytes %8.1f B/series  %s%n", Long.parseLong(f[1]),
                    bytes, bytes / (double) numSeries, f[3]);
        }
        System.out.printf(Locale.ROOT, "    %s%n", lines[lines.length - 1].trim());
    }

    /** Durations as Prometheus writes them: 15s, 30m, 2h, 1d, 500ms. */
    static long parseDuration(String s, String flag) {
        try {
            return PromDurations.parseMillis(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }
}
