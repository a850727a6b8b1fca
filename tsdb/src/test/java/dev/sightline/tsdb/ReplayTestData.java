package dev.sightline.tsdb;

import dev.sightline.core.FileTrees;
import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.ExemplarSeries;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import dev.sightline.tsdb.wal.FsyncPolicy;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Random heads for the restart property tests (TsdbParallelReplayTest, TsdbHeadSnapshotTest): writing them, damaging a
 * WAL tail, copying a data directory as a crash would leave it, and describing everything a database holds.
 */
final class ReplayTestData {
    static final long MIN = 60_000;
    static final int SERIES = 40;
    private static final List<List<LabelMatcher>> ALL_EXEMPLARS = List.of(List.of(LabelMatcher.re("__name__", ".+")));

    enum Tail { INTACT, TORN, CORRUPT }

    private ReplayTestData() {
    }

    /** Fsync off, 2 h blocks, the given out-of-order window and replay workers, a fresh registry. */
    static TsdbOptions options(long oooWindow, int workers) {
        return TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withBlockDurationMs(120 * MIN)
                .withOutOfOrderWindowMs(oooWindow).withRegistry(new PrometheusRegistry()).withWalReplayWorkers(workers);
    }

    static Labels series(int i) {
        return Labels.of("__name__", i % 4 == 0 ? "hist" : "m" + (i % 3), "i", Integer.toString(i));
    }

    /**
     * {@code batches} random batches over {@link #SERIES} series from time {@code t0} (histograms, exemplars, late,
     * refused and repeated samples), with a head flush (blocks, WAL checkpoint) at batch {@code flushAt} (-1: none).
     * Committed exemplars also go to {@code mirror} (may be null), as the server's ingest path adds them to its store.
     * Returns the newest timestamp written.
     */
    static long fill(Tsdb db, Random rnd, long t0, int batches, int flushAt, ExemplarStore mirror) throws IOException {
        long[] last = new long[SERIES];
        long t = t0;
        List<Object[]> exemplars = new ArrayList<>();
        for (int batch = 0; batch < batches; batch++) {
            t += rnd.nextInt(1, 15_000);
            if (batch == flushAt) {
                db.flushHead(); // blocks for what is there, a checkpoint, and series that come back later
            }
            Appender app = db.appender();
            exemplars.clear();
            int n = rnd.nextInt(1, SERIES);
            for (int k = 0; k < n; k++) {
                int i = rnd.nextInt(SERIES);
                // Mostly in order; some late (kept inside the window or refused), some repeated timestamps.
                long ts = switch (rnd.nextInt(20)) {
                    case 0 -> last[i] - rnd.nextInt(1, 20 * (int) MIN);
                    case 1 -> last[i];
                    default -> Math.max(t, last[i] + 1);
                };
                try {
                    if (i % 4 == 0) {
                        app.appendHistogram(0, series(i), ts, histogram(rnd));
                    } else {
                        app.append(0, series(i), ts, rnd.nextInt(8) == 0 ? rnd.nextDouble() : Math.floor(ts / 1000.0));
                    }
                    if (rnd.nextInt(10) == 0) {
                        Labels trace = Labels.of("trace_id", Long.toHexString(rnd.nextLong()));
                        double v = rnd.nextDouble();
                        if (app.appendExemplar(0, series(i), trace, ts, v)) {
                            exemplars.add(new Object[]{series(i), trace, v, ts});
                        }
                    }
                    last[i] = Math.max(last[i], ts);
                } catch (ValidationException refused) {
                    // out of order, duplicate or too old: the WAL never sees it
                }
            }
            app.commit();
            if (mirror != null) {
                for (Object[] e : exemplars) {
                    mirror.add((Labels) e[0], (Labels) e[1], (double) e[2], (long) e[3]);
                }
            }
        }
        return t;
    }

    private static Histogram histogram(Random rnd) {
        int c = rnd.nextInt(1, 100);
        return new Histogram(null, 0, 0.001, 1, c + 1, c * 0.5, new int[]{0}, new int[]{2},
                new double[]{c / 2, c - c / 2}, null, null, null, null);
    }

    /** Cuts the last WAL segment inside a record, or flips a byte in its last third. */
    static void damageTail(Path dir, Tail tail, Random rnd) throws IOException {
        if (tail == Tail.INTACT) {
            return;
        }
        Path last;
        try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
            last = s.filter(p -> p.getFileName().toString().matches("\\d+")).max(Path::compareTo).orElseThrow();
        }
        long size = Files.size(last);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (tail == Tail.TORN) {
                ch.truncate(size - rnd.nextInt(1, (int) Math.min(size, 500)));
            } else {
                long at = size - 1 - rnd.nextInt((int) (size / 3));
                var b = java.nio.ByteBuffer.allocate(1);
                ch.read(b, at);
                b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
                ch.write(b, at);
            }
        }
    }

    /**
     * Everything the database holds: head series, blocks, head chunks and time range, every sample of every series,
     * and the exemplars in {@code exemplars}.
     */
    static String describe(Tsdb db, PrometheusRegistry registry, ExemplarStore exemplars) {
        StringBuilder out = new StringBuilder();
        out.append("series=").append(db.headSeries()).append(" blocks=").append(db.blocks().size())
                .append(" chunks=").append(gauge(registry, "sightline_tsdb_head_chunks"))
                .append(" head=[").append(db.head().minTime()).append(", ").append(db.head().maxTime()).append("]\n");
        SeriesSet set = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)
                .select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.re("__name__", ".+"));
        while (set.next()) {
            out.append(set.at().labels()).append(':');
            SampleIterator it = set.at().iterator(null);
            for (ValueType ty = it.next(); ty != ValueType.NONE; ty = it.next()) {
                out.append(' ').append(it.timestamp()).append('=')
                        .append(ty == ValueType.FLOAT ? Double.toString(it.value()) : "h" + it.histogram());
            }
            out.append('\n');
        }
        if (exemplars != null) {
            for (ExemplarSeries e : exemplars.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL_EXEMPLARS)) {
                out.append(e.seriesLabels()).append(" exemplars ").append(e.exemplars()).append('\n');
            }
        }
        return out.toString();
    }

    static double gauge(PrometheusRegistry registry, String name) {
        for (MetricSnapshot s : registry.scrape()) {
            if (s.getMetadata().getPrometheusName().equals(name)) {
                return ((GaugeSnapshot) s).getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError("no metric " + name);
    }

    /** Copies a data directory but its lock, as a crash leaves it (replacing {@code to}). */
    static void copyTree(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            FileTrees.deleteRecursively(to);
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(from)) {
            s.forEach(all::add);
        }
        for (Path p : all) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else if (!p.getFileName().toString().equals("lock")) {
                Files.copy(p, target);
            }
        }
    }
}
