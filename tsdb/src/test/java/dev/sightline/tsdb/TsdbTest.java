package dev.sightline.tsdb;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.block.BlockMeta;
import dev.sightline.tsdb.wal.FsyncPolicy;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TsdbTest {
    @TempDir
    Path dir;

    static TsdbOptions fast() {
        return TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER);
    }

    static Labels series(int i) {
        return Labels.of("__name__", "m", "i", Integer.toString(i));
    }

    /** Every sample of every series, as "labels -> [t=v or t=h<count>]", bit-exact for floats. */
    static Map<String, List<String>> dump(Tsdb db, long mint, long maxt) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Querier q = db.querier(mint, maxt)) {
            SeriesSet set = q.select(true, mint, maxt, LabelMatcher.re("__name__", ".+"));
            while (set.next()) {
                List<String> samples = new ArrayList<>();
                SampleIterator it = set.at().iterator(null);
                for (ValueType ty = it.next(); ty != ValueType.NONE; ty = it.next()) {
                    samples.add(it.timestamp() + "=" + (ty == ValueType.FLOAT
                            ? Long.toHexString(Double.doubleToRawLongBits(it.value())) : "h" + it.histogram().count));
                }
                out.put(set.at().labels().toString(), samples);
            }
        }
        return out;
    }

    /** Appends series 0..n-1 at t = from, from+step, ... < to, value i*1000+t/1000, one commit per timestamp. */
    static void fill(Tsdb db, int n, long from, long to, long step) throws IOException {
        for (long t = from; t < to; t += step) {
            Appender app = db.appender();
            for (int i = 0; i < n; i++) {
                app.append(0, series(i), t, i * 1000 + t / 1000.0);
            }
            app.commit();
        }
    }

    static Map<String, List<String>> expected(int n, long from, long to, long step) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<Labels> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels.add(series(i));
        }
        labels.sort(null);
        for (Labels l : labels) {
            int i = Integer.parseInt(l.get("i"));
            List<String> samples = new ArrayList<>();
            for (long t = from; t < to; t += step) {
                samples.add(t + "=" + Long.toHexString(Double.doubleToRawLongBits(i * 1000 + t / 1000.0)));
            }
            out.put(l.toString(), samples);
        }
        return out;
    }

    static Histogram hist(int i) {
        return new Histogram(null, 0, 0, 0, 2 + i, 1.5 * i, new int[]{0}, new int[]{2}, new double[]{1, 1 + i}, null, null, null, null);
    }

    @Test
    void reopenReplaysTheWalExactly() throws Exception {
        Path data = dir.resolve("data");
        Map<String, List<String>> before;
        long refA;
        try (Tsdb db = Tsdb.open(data, TsdbOptions.defaults())) {
            fill(db, 20, 0, 30_000, 1000);
            Appender app = db.appender();
            refA = app.append(0, Labels.of("__name__", "special"), 1000, Staleness.STALE_NAN);
            app.append(refA, null, 2000, -0.0);
            app.appendHistogram(0, Labels.of("__name__", "hist"), 1000, hist(1));
            app.appendHistogram(0, Labels.of("__name__", "hist"), 2000, hist(2));
            app.commit();
            before = dump(db, Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(before).hasSize(22);
        }
        try (Tsdb db = Tsdb.open(data, TsdbOptions.defaults())) {
            assertThat(dump(db, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(before);
            assertThat(db.headSeries()).isEqualTo(22);
            assertThat(db.head().stats().samplesAppended()).as("replayed samples are not counted again").isZero();
            // Original refs survive the replay, and new series get fresh ones.
            Appender app = db.appender();
            assertThat(app.append(refA, null, 3000, 3)).isEqualTo(refA);
            long fresh = app.append(0, Labels.of("__name__", "new"), 3000, 1);
            assertThat(fresh).isNotEqualTo(refA);
            app.commit();
            assertThat(dump(db, 3000, 3000)).containsEntry("special{}", List.of("3000=" + Long.toHexString(Double.doubleToRawLongBits(3))));
            // Replayed series order checks still hold.
            assertThatThrownBy(() -> db.appender().append(0, series(0), 500, 1))
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.reason()).isEqualTo(ValidationException.Reason.OUT_OF_ORDER_SAMPLE));
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() throws Exception {
        Path data = dir.resolve("data");
        Tsdb db = Tsdb.open(data, fast());
        assertThatThrownBy(() -> Tsdb.open(data, fast())).isInstanceOf(IOException.class).hasMessageContaining("in use");
        db.close();
        db.close(); // idempotent
        assertThatThrownBy(db::appender).isInstanceOf(IllegalStateException.class);
        try (Tsdb again = Tsdb.open(data, fast())) {
            assertThat(again.headSeries()).isZero();
        }
    }

    @Test
    void walDisabledKeepsEverythingInMemory() throws Exception {
        try (Tsdb db = Tsdb.open(null, fast().withWalEnabled(false))) {
            fill(db, 3, 0, 5000, 1000);
            assertThat(dump(db, 0, 10_000)).isEqualTo(expected(3, 0, 5000, 1000));
            assertThatThrownBy(db::flushHead).isInstanceOf(IllegalStateException.class);
        }
        Path data = dir.resolve("nowal");
        try (Tsdb db = Tsdb.open(data, fast().withWalEnabled(false))) {
            fill(db, 3, 0, 5000, 1000);
        }
        assertThat(data.resolve("wal")).doesNotExist();
        try (Tsdb db = Tsdb.open(data, fast().withWalEnabled(false))) {
            assertThat(db.headSeries()).isZero();
        }
    }

    @Test
    void headIsPersistedIntoBlocksAndQueriesSpanBlocksAndHead() throws Exception {
        Path data = dir.resolve("data");
        TsdbOptions opts = fast().withBlockDurationMs(10_000);
        try (Tsdb db = Tsdb.open(data, opts)) {
            fill(db, 5, 0, 47_000, 1000);
            db.maintain();
            // Head spanned 46 s > 15 s: windows [0,10s), [10s,20s), [20s,30s) went to blocks (each leaving > 15 s).
            assertThat(db.blocks()).extracting(BlockMeta::minTime).startsWith(0L);
            assertThat(db.head().minTime()).isGreaterThanOrEqualTo(20_000);
            assertThat(db.head().maxTime() - db.head().minTime()).isLessThanOrEqualTo(15_000);
            assertThat(dump(db, 0, 100_000)).isEqualTo(expected(5, 0, 47_000, 1000));
            assertThat(dump(db, 8000, 12_000)).isEqualTo(expected(5, 8000, 12_001, 1000));
            assertThatThrownBy(() -> db.appender().append(0, series(99), 5000, 1))
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.reason()).isEqualTo(ValidationException.Reason.TOO_OLD_SAMPLE));
        }
        // Reopen: blocks plus the WAL's remainder give back exactly the same data.
        try (Tsdb db = Tsdb.open(data, opts)) {
            assertThat(dump(db, 0, 100_000)).isEqualTo(expected(5, 0, 47_000, 1000));
            fill(db, 5, 47_000, 50_000, 1000);
            db.flushHead();
            assertThat(db.headSeries()).isZero();
            assertThat(dump(db, 0, 100_000)).isEqualTo(expected(5, 0, 50_000, 1000));
            // Appends go on after a flush.
            fill(db, 5, 50_000, 52_000, 1000);
            assertThat(dump(db, 0, 100_000)).isEqualTo(expected(5, 0, 52_000, 1000));
        }
        try (Tsdb db = Tsdb.open(data, opts)) {
            assertThat(dump(db, 0, 100_000)).isEqualTo(expected(5, 0, 52_000, 1000));
        }
    }

    @Test
    void compactBlocksCompactsAFlushedLoadNow() throws Exception {
        // 2-minute blocks, so the background round (every 30 s) does not run first.
        TsdbOptions opts = fast().withWalEnabled(false).withBlockDurationMs(120_000);
        try (Tsdb db = Tsdb.open(dir.resolve("load"), opts)) {
            fill(db, 3, 0, 720_000, 10_000);
            db.flushHead();
            assertThat(db.blocks()).hasSize(6);
            db.compactBlocks();
            // The first 6-minute window is merged; the newest, whose last block the flush cut short at the last
            // sample, is left alone until a newer block exists past it, as Prometheus leaves it.
            assertThat(db.blocks()).extracting(BlockMeta::minTime, BlockMeta::maxTime).containsExactly(tuple(0L, 360_000L),
                    tuple(360_000L, 480_000L), tuple(480_000L, 600_000L), tuple(600_000L, 710_001L));
            db.compactBlocks();
            assertThat(db.blocks()).hasSize(4);
            assertThat(dump(db, 0, 1_000_000)).isEqualTo(expected(3, 0, 720_000, 10_000));
        }
        try (Tsdb db = Tsdb.open(null, fast().withWalEnabled(false))) {
            assertThatThrownBy(db::compactBlocks).isInstanceOf(IllegalStateException.class).hasMessageContaining("no blocks");
        }
    }

    @Test
    void backgroundThreadPersistsAndCompacts() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        try (Tsdb db = Tsdb.open(dir.resolve("data"), fast().withBlockDurationMs(1000).withRegistry(registry))) {
            fill(db, 3, 0, 12_000, 250);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (metric(registry, "sightline_tsdb_compactions") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(metric(registry, "sightline_tsdb_compactions")).isPositive();
            assertThat(db.blocks()).isNotEmpty();
            assertThat(dump(db, 0, 100_000)).isEqualTo(expected(3, 0, 12_000, 250));
            assertThat(metric(registry, "sightline_tsdb_head_series")).isEqualTo(3);
            assertThat(metric(registry, "sightline_tsdb_samples_appended")).isEqualTo(3 * 48);
            assertThat(metric(registry, "sightline_tsdb_blocks_loaded")).isEqualTo(db.blocks().size());
        }
        assertThat(registry.scrape().stream().map(s -> s.getMetadata().getName()))
                .as("metrics are unregistered on close").isEmpty();
    }

    static double metric(PrometheusRegistry registry, String name) {
        for (MetricSnapshot s : registry.scrape()) {
            if (s.getMetadata().getName().equals(name)) {
                if (s instanceof CounterSnapshot c) {
                    return c.getDataPoints().stream().mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
                }
                if (s instanceof GaugeSnapshot g) {
                    return g.getDataPoints().stream().mapToDouble(GaugeSnapshot.GaugeDataPointSnapshot::getValue).sum();
                }
            }
        }
        throw new AssertionError("no metric " + name);
    }

    @Test
    void rejectedSamplesAreCountedByReason() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        try (Tsdb db = Tsdb.open(dir.resolve("data"), fast().withRegistry(registry))) {
            fill(db, 1, 5000, 6000, 1000);
            assertThatThrownBy(() -> db.appender().append(0, series(0), 1000, 1)).isInstanceOf(ValidationException.class);
            assertThatThrownBy(() -> db.appender().append(0, Labels.of("a", "b"), 1000, 1)).isInstanceOf(ValidationException.class);
            CounterSnapshot rejected = (CounterSnapshot) registry.scrape().stream()
                    .filter(s -> s.getMetadata().getName().equals("sightline_tsdb_samples_rejected")).findFirst().orElseThrow();
            Map<String, Double> byReason = new LinkedHashMap<>();
            rejected.getDataPoints().forEach(p -> byReason.put(p.getLabels().get("reason"), p.getValue()));
            assertThat(byReason).containsEntry("out_of_order_sample", 1.0).containsEntry("missing_metric_name", 1.0)
                    .containsEntry("duplicate_sample_for_timestamp", 0.0);
        }
    }

    @Test
    void retentionDeletesOldBlocksButOpenQueriersKeepReadingThem() throws Exception {
        Path data = dir.resolve("data");
        try (Tsdb db = Tsdb.open(data, fast().withBlockDurationMs(10_000).withRetentionMs(20_000))) {
            fill(db, 2, 0, 30_000, 1000);
            db.flushHead();
            List<BlockMeta> blocks = db.blocks();
            assertThat(blocks).hasSize(3);
            Querier old = db.querier(0, 9_999);
            fill(db, 2, 30_000, 45_000, 1000);
            db.flushHead();
            db.maintain();
            // Newest block ends at 45 s: blocks ending at or before 25 s are gone.
            assertThat(db.blocks()).extracting(BlockMeta::minTime).doesNotContain(0L, 10_000L);
            assertThat(dump(db, 0, 19_999)).isEmpty();
            // The querier opened before still reads the deleted block, whose directory goes when it is closed.
            Path firstDir = data.resolve(blocks.get(0).ulid());
            assertThat(firstDir).exists();
            SeriesSet set = old.select(true, 0, 9_999, LabelMatcher.eq("__name__", "m"));
            int n = 0;
            while (set.next()) {
                SampleIterator it = set.at().iterator(null);
                while (it.next() != ValueType.NONE) {
                    n++;
                }
            }
            assertThat(n).isEqualTo(20);
            old.close();
            assertThat(firstDir).doesNotExist();
            assertThat(dump(db, 25_000, 100_000)).isEqualTo(expected(2, 25_000, 45_000, 1000));
        }
    }

    @Test
    void headPersistenceWaitsForQueriersThatStillReadTheHead() throws Exception {
        try (Tsdb db = Tsdb.open(dir.resolve("data"), fast().withBlockDurationMs(10_000))) {
            fill(db, 2, 0, 25_000, 1000);
            Querier q = db.querier(0, 100_000); // sees no block yet: it must read everything from the head
            var pool = Executors.newSingleThreadExecutor();
            try {
                AtomicReference<Thread> flusher = new AtomicReference<>();
                Future<?> flush = pool.submit(() -> {
                    flusher.set(Thread.currentThread());
                    db.flushHead();
                    return null;
                });
                // A positive signal before the absence: the flush seen sleeping in its wait for queriers (a flush that
                // did not wait would never sleep there), not merely not started yet.
                // The sighting is kept, not sampled again: the flush wakes every 5 ms to look, and a second sample can
                // catch it awake (CI saw that under load).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                boolean seenWaiting;
                while (!(seenWaiting = sleepsIn(flusher.get(), "waitForQueriersReading")) && !flush.isDone()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(seenWaiting).as("flush thread waiting for the querier").isTrue();
                assertThat(flush).as("flush waits for the open querier").isNotDone();
                int n = 0;
                SeriesSet set = q.select(true, 0, 100_000, LabelMatcher.eq("__name__", "m"));
                while (set.next()) {
                    SampleIterator it = set.at().iterator(null);
                    while (it.next() != ValueType.NONE) {
                        n++;
                    }
                }
                assertThat(n).isEqualTo(50);
                q.close();
                flush.get(10, TimeUnit.SECONDS);
            } finally {
                pool.shutdown();
            }
            assertThat(db.headSeries()).isZero();
            assertThat(dump(db, 0, 100_000)).isEqualTo(expected(2, 0, 25_000, 1000));
        }
    }

    /** Whether {@code t} is in a timed wait (a sleep) inside a method of that name. */
    private static boolean sleepsIn(Thread t, String method) {
        return t != null && t.getState() == Thread.State.TIMED_WAITING
                && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method));
    }

    @Test
    void outOfOrderSamplesArePersistedWithTheirBlock() throws Exception {
        try (Tsdb db = Tsdb.open(dir.resolve("data"), fast().withBlockDurationMs(10_000).withOutOfOrderWindowMs(5000))) {
            Appender app = db.appender();
            app.append(0, series(0), 8000, 8);
            app.commit();
            app = db.appender();
            app.append(0, series(0), 4000, 4);
            app.append(0, series(0), 6000, 6);
            app.commit();
            assertThatThrownBy(() -> db.appender().append(0, series(0), 2999, 1))
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.reason()).isEqualTo(ValidationException.Reason.TOO_OLD_SAMPLE));
            fill(db, 1, 9000, 40_000, 1000);
            db.maintain();
            assertThat(db.blocks()).isNotEmpty();
            assertThat(db.head().minTime()).isGreaterThanOrEqualTo(10_000);
            assertThat(dump(db, 0, 9000).get("m{i=\"0\"}")).extracting(s -> s.substring(0, s.indexOf('=')))
                    .containsExactly("4000", "6000", "8000", "9000");
        }
    }

    @Test
    void dataDirectoryLayout() throws Exception {
        Path data = dir.resolve("data");
        try (Tsdb db = Tsdb.open(data, fast().withBlockDurationMs(10_000))) {
            fill(db, 1, 0, 12_000, 1000);
            db.flushHead();
            assertThat(data.resolve("lock")).exists();
            assertThat(data.resolve("wal")).isDirectory();
            assertThat(data.resolve(db.blocks().get(0).ulid()).resolve("meta.json")).exists();
        }
        try (var files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).contains("lock", "wal", "chunks_head", "head_snapshot").hasSize(6);
        }
    }

    @Test
    void damagedHeadChunkFileIsRefilledFromTheWalAndPersistenceDeletesTheFiles() throws Exception {
        Path data = dir.resolve("data");
        try (Tsdb db = Tsdb.open(data, fast())) {
            fill(db, 3, 0, 600_000, 1000); // four full chunks per series go to chunks_head/
        }
        Path chunks = data.resolve("chunks_head");
        List<Path> files;
        try (var s = Files.list(chunks)) {
            files = s.sorted().toList();
        }
        assertThat(files).isNotEmpty();
        Path first = files.getFirst();
        byte[] bytes = Files.readAllBytes(first);
        bytes[bytes.length / 3] ^= 0x10;
        Files.write(first, bytes);
        try (Tsdb db = Tsdb.open(data, fast())) {
            assertThat(Files.size(first)).isLessThan(bytes.length);
            assertThat(dump(db, 0, 600_000)).isEqualTo(expected(3, 0, 600_000, 1000));
            db.flushHead();
            assertThat(dump(db, 0, 600_000)).isEqualTo(expected(3, 0, 600_000, 1000));
            try (var s = Files.list(chunks)) {
                assertThat(s.toList()).as("chunk files left after the head was persisted").isEmpty();
            }
        }
    }
}
