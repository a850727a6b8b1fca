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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Property test: a database reopened with WAL replay workers holds exactly what the single-threaded replay
 * rebuilds (series, every sample and histogram, head chunks, time range, exemplars), on random WALs with
 * histograms, exemplars, out-of-order and refused samples, a checkpoint after a head flush, full chunks in
 * chunks_head, and a torn or corrupted WAL tail.
 */
class TsdbParallelReplayTest {
    private static final long MIN = 60_000;
    private static final List<List<LabelMatcher>> ALL_EXEMPLARS = List.of(List.of(LabelMatcher.re("__name__", ".+")));

    @TempDir
    Path tmp;

    private static TsdbOptions options(long oooWindow, int workers) {
        return TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withBlockDurationMs(120 * MIN)
                .withOutOfOrderWindowMs(oooWindow).withRegistry(new PrometheusRegistry()).withWalReplayWorkers(workers);
    }

    private enum Tail { INTACT, TORN, CORRUPT }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void parallelReplayEqualsSingleThreadedReplay(int seed) throws IOException {
        Random rnd = new Random(seed);
        long oooWindow = seed % 2 == 0 ? 10 * MIN : 0;
        Path src = tmp.resolve("src");
        write(src, rnd, oooWindow);
        Tail tail = Tail.values()[seed % 3];
        damageTail(src, tail, rnd);
        String single = replayed(src, tmp.resolve("single"), oooWindow, 0);
        for (int workers : new int[]{1, 3}) {
            assertThat(replayed(src, tmp.resolve("w" + workers), oooWindow, workers))
                    .as("%d workers, tail %s", workers, tail).isEqualTo(single);
        }
        assertThat(single).contains("series=").contains("h{");
    }

    @Test
    void workerCountIsCheckedAndDefaultsToAtLeastOne() {
        assertThat(TsdbOptions.defaults().walReplayWorkers()).isPositive();
        assertThatThrownBy(() -> TsdbOptions.defaults().withWalReplayWorkers(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("walReplayWorkers must not be negative, got -2");
    }

    /** Random batches over 40 series for 3 hours of data, with a head flush (blocks, WAL checkpoint) midway. */
    private static void write(Path dir, Random rnd, long oooWindow) throws IOException {
        Labels[] series = new Labels[40];
        for (int i = 0; i < series.length; i++) {
            series[i] = Labels.of("__name__", i % 4 == 0 ? "hist" : "m" + (i % 3), "i", Integer.toString(i));
        }
        long[] last = new long[series.length];
        try (Tsdb db = Tsdb.open(dir, options(oooWindow, 0))) {
            long t = 0;
            for (int batch = 0; batch < 1500; batch++) {
                t += rnd.nextInt(1, 15_000);
                if (batch == 700) {
                    db.flushHead(); // blocks for what is there, a checkpoint, and series that come back later
                }
                Appender app = db.appender();
                int n = rnd.nextInt(1, series.length);
                for (int k = 0; k < n; k++) {
                    int i = rnd.nextInt(series.length);
                    // Mostly in order; some late (kept inside the window or refused), some repeated timestamps.
                    long ts = switch (rnd.nextInt(20)) {
                        case 0 -> last[i] - rnd.nextInt(1, 20 * (int) MIN);
                        case 1 -> last[i];
                        default -> Math.max(t, last[i] + 1);
                    };
                    try {
                        if (i % 4 == 0) {
                            app.appendHistogram(0, series[i], ts, histogram(rnd));
                        } else {
                            app.append(0, series[i], ts, rnd.nextInt(8) == 0 ? rnd.nextDouble() : Math.floor(ts / 1000.0));
                        }
                        if (rnd.nextInt(10) == 0) {
                            app.appendExemplar(0, series[i], Labels.of("trace_id", Long.toHexString(rnd.nextLong())), ts, rnd.nextDouble());
                        }
                        last[i] = Math.max(last[i], ts);
                    } catch (ValidationException refused) {
                        // out of order, duplicate or too old: the WAL never sees it
                    }
                }
                app.commit();
            }
        }
    }

    private static Histogram histogram(Random rnd) {
        int c = rnd.nextInt(1, 100);
        return new Histogram(null, 0, 0.001, 1, c + 1, c * 0.5, new int[]{0}, new int[]{2},
                new double[]{c / 2, c - c / 2}, null, null, null, null);
    }

    /** Cuts the last WAL segment inside a record, or flips a byte in its last third. */
    private static void damageTail(Path dir, Tail tail, Random rnd) throws IOException {
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

    /** Opens a copy of {@code src} with the given workers and describes everything the database then holds. */
    private static String replayed(Path src, Path copy, long oooWindow, int workers) throws IOException {
        copyTree(src, copy);
        TsdbOptions options = options(oooWindow, workers);
        ExemplarStore exemplars = new ExemplarStore(1000);
        StringBuilder out = new StringBuilder();
        try (Tsdb db = Tsdb.open(copy, options, exemplars)) {
            out.append("series=").append(db.headSeries()).append(" blocks=").append(db.blocks().size())
                    .append(" chunks=").append(gauge(options.registry(), "sightline_tsdb_head_chunks")).append('\n');
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
            for (ExemplarSeries e : exemplars.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL_EXEMPLARS)) {
                out.append(e.seriesLabels()).append(" exemplars ").append(e.exemplars()).append('\n');
            }
            // Appends continue after the replayed data.
            Appender app = db.appender();
            app.append(0, Labels.of("__name__", "after_replay"), 400 * MIN, 1);
            app.commit();
        }
        return out.toString();
    }

    private static double gauge(PrometheusRegistry registry, String name) {
        for (MetricSnapshot s : registry.scrape()) {
            if (s.getMetadata().getPrometheusName().equals(name)) {
                return ((GaugeSnapshot) s).getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError("no metric " + name);
    }

    private static void copyTree(Path from, Path to) throws IOException {
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
