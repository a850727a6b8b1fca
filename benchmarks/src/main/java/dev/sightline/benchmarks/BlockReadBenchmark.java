package dev.sightline.benchmarks;

import dev.sightline.core.LabelMatcher;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.block.Block;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Read speed of persisted blocks, whatever chunk encodings they hold: opens every block under a Sightline data
 * directory (such as the one {@code DiskBenchmark --keep} leaves) and times, median of {@code --reps} after two
 * warm-ups, (1) every sample of every series bulk-read, (2) one hour in the middle of each block for all series,
 * (3) one metric ({@code node_load1}) over the whole range. Run it on data written by an older build to compare
 * encodings: the decoders of older chunk encodings are unchanged.
 *
 * <pre>
 * BlockReadBenchmark DATA_DIR [--reps R (7)]
 * </pre>
 */
public final class BlockReadBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private BlockReadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: BlockReadBenchmark DATA_DIR [--reps R]");
        }
        Path data = Path.of(args[0]);
        int reps = 7;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--reps")) {
                reps = Bench.positive(args[i], Bench.value(args, ++i, args[i]));
            } else {
                throw new IllegalArgumentException("unknown flag " + args[i] + " (see the class comment for flags)");
            }
        }
        List<Block> blocks = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(data)) {
            for (Path d : dirs.filter(d -> Files.exists(d.resolve("meta.json"))).sorted().toList()) {
                blocks.add(Block.open(d));
            }
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no blocks under " + data);
        }
        long samples = blocks.stream().mapToLong(b -> b.meta().numSamples()).sum();
        System.out.printf(Locale.ROOT, "%d blocks, %,d samples; load average %s%n", blocks.size(), samples, Bench.loadAverage());
        FloatSamples buf = new FloatSamples(1024);
        LabelMatcher all = LabelMatcher.re("__name__", ".+");
        time("all samples, whole range", reps, samples, () -> {
            long n = 0;
            for (Block b : blocks) {
                n += read(b, b.meta().minTime(), b.meta().maxTime() - 1, buf, all);
            }
            return n;
        });
        time("one hour mid-block, all series", reps, 0, () -> {
            long n = 0;
            for (Block b : blocks) {
                long mid = (b.meta().minTime() + b.meta().maxTime()) / 2;
                n += read(b, mid, mid + 3_600_000 - 1, buf, all);
            }
            return n;
        });
        LabelMatcher one = LabelMatcher.eq("__name__", "node_load1");
        time("node_load1, whole range", reps, 0, () -> {
            long n = 0;
            for (Block b : blocks) {
                n += read(b, b.meta().minTime(), b.meta().maxTime() - 1, buf, one);
            }
            return n;
        });
        System.out.printf(Locale.ROOT, "load average at the end %s%n", Bench.loadAverage());
    }

    /** Bulk-reads every float sample of the matching series in [mint, maxt]; returns how many. */
    private static long read(Block b, long mint, long maxt, FloatSamples buf, LabelMatcher m) throws Exception {
        long n = 0;
        try (Querier q = b.querier(mint, maxt)) {
            SeriesSet set = q.select(false, mint, maxt, m);
            SampleIterator it = null;
            while (set.next()) {
                it = set.at().iterator(it);
                ValueType vt = it.seek(mint);
                while (vt == ValueType.FLOAT) {
                    buf.clear();
                    vt = it.appendFloats(maxt, buf);
                    n += buf.n;
                }
            }
        }
        return n;
    }

    @FunctionalInterface
    private interface Run {
        long run() throws Exception;
    }

    /**
     * Prints the median wall time and the median CPU time of the reading thread: on a loaded machine the wall time
     * mostly measures the wait for a core, the CPU time what the read costs.
     */
    private static void time(String what, int reps, long expected, Run run) throws Exception {
        long[] wall = new long[reps];
        long[] cpu = new long[reps];
        long got = 0;
        for (int r = -2; r < reps; r++) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            got = run.run();
            if (r >= 0) {
                cpu[r] = THREADS.getCurrentThreadCpuTime() - c0;
                wall[r] = System.nanoTime() - t0;
            }
        }
        if (expected > 0 && got != expected) {
            throw new IOException(what + ": read " + got + " samples, the blocks hold " + expected);
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "  %-32s %,12d samples  wall median %8.2f ms [%.2f-%.2f]  cpu median %8.2f ms [%.2f-%.2f]"
                        + "  %6.2f cpu ns/sample%n", what, got, wall[reps / 2] / 1e6, wall[0] / 1e6, wall[reps - 1] / 1e6,
                cpu[reps / 2] / 1e6, cpu[0] / 1e6, cpu[reps - 1] / 1e6, cpu[reps / 2] / (double) Math.max(1, got));
    }
}
