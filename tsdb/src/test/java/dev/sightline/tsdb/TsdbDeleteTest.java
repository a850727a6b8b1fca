package dev.sightline.tsdb;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.block.BlockMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Deletes (tombstones) in the head, in blocks and across both; durability; removal by compaction and clean. */
class TsdbDeleteTest {
    private static final long HOUR = 3600_000L;
    private static final long STEP = 15_000L;
    private static final LabelMatcher JOB_A = LabelMatcher.eq("job", "a");
    private static final LabelMatcher ANY = LabelMatcher.re("__name__", ".+");

    @TempDir
    Path dir;

    private TsdbOptions options() {
        return TsdbOptions.defaults().withBlockDurationMs(HOUR);
    }

    private static Labels series(int i) {
        return Labels.of("__name__", "m", "i", Integer.toString(i), "job", i % 2 == 0 ? "a" : "b");
    }

    /** Series 0..n-1, a sample every 15 s in [from, to); value = time / 1000. */
    private static void append(Tsdb db, int n, long from, long to) throws IOException {
        Appender app = db.appender();
        for (int i = 0; i < n; i++) {
            for (long t = from; t < to; t += STEP) {
                app.append(0, series(i), t, t / 1000.0);
            }
        }
        app.commit();
    }

    /** Timestamps per series (by its "i" label) of select over everything. */
    private static Map<String, List<Long>> read(Tsdb db, LabelMatcher... matchers) {
        Map<String, List<Long>> out = new TreeMap<>();
        try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet ss = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, matchers);
            SampleIterator it = null;
            while (ss.next()) {
                List<Long> ts = new ArrayList<>();
                it = ss.at().iterator(it);
                while (it.next() != ValueType.NONE) {
                    assertThat(it.value()).isEqualTo(it.timestamp() / 1000.0);
                    ts.add(it.timestamp());
                }
                out.put(ss.at().labels().get("i"), ts);
            }
        }
        return out;
    }

    private static List<Long> range(long from, long to) {
        List<Long> ts = new ArrayList<>();
        for (long t = from; t < to; t += STEP) {
            ts.add(t);
        }
        return ts;
    }

    private static List<Long> without(List<Long> ts, long mint, long maxt) {
        return ts.stream().filter(t -> t < mint || t > maxt).toList();
    }

    private static long bytes(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private long blockBytes(Tsdb db) throws IOException {
        long sum = 0;
        for (BlockMeta m : db.blocks()) {
            sum += bytes(dir.resolve(m.ulid()));
        }
        return sum;
    }

    @Test
    void partialDeleteInTheHeadSurvivesRestartWithAndWithoutSnapshot() throws Exception {
        for (boolean snapshot : new boolean[]{true, false}) {
            Path path = dir.resolve("db-" + snapshot);
            TsdbOptions o = options().withHeadSnapshotOnShutdown(snapshot);
            try (Tsdb db = Tsdb.open(path, o)) {
                append(db, 4, 0, HOUR);
                db.deleteSeries(600_000, 899_999, JOB_A);
                db.deleteSeries(1_200_000, 1_200_000, JOB_A);
                assertHeadDeleted(db);
            }
            assertThat(Files.exists(path.resolve("head_snapshot"))).isEqualTo(snapshot);
            try (Tsdb db = Tsdb.open(path, o)) {
                assertHeadDeleted(db);
            }
        }
    }

    private static void assertHeadDeleted(Tsdb db) {
        Map<String, List<Long>> got = read(db, ANY);
        List<Long> all = range(0, HOUR);
        List<Long> deleted = without(without(all, 600_000, 899_999), 1_200_000, 1_200_000);
        assertThat(got).containsOnlyKeys("0", "1", "2", "3");
        assertThat(got.get("0")).isEqualTo(deleted);
        assertThat(got.get("2")).isEqualTo(deleted);
        assertThat(got.get("1")).isEqualTo(all);
        assertThat(got.get("3")).isEqualTo(all);
    }

    @Test
    void deleteAcrossBlocksAndHeadAndThroughBulkReads() throws Exception {
        try (Tsdb db = Tsdb.open(dir, options())) {
            append(db, 4, 0, 2 * HOUR);
            db.flushHead();
            assertThat(db.blocks()).hasSize(2);
            append(db, 4, 2 * HOUR, 2 * HOUR + 1_800_000);
            // From the middle of the first block to the middle of the head.
            long mint = 1_800_000;
            long maxt = 2 * HOUR + 600_000;
            db.deleteSeries(mint, maxt, JOB_A);
            List<Long> all = range(0, 2 * HOUR + 1_800_000);
            Map<String, List<Long>> got = read(db, ANY);
            assertThat(got.get("0")).isEqualTo(without(all, mint, maxt));
            assertThat(got.get("1")).isEqualTo(all);
            // The bulk path (appendFloats) skips the deleted stretch too.
            try (Querier q = db.querier(0, Long.MAX_VALUE)) {
                SeriesSet ss = q.select(true, 0, Long.MAX_VALUE, LabelMatcher.eq("i", "0"));
                assertThat(ss.next()).isTrue();
                SampleIterator it = ss.at().iterator(null);
                FloatSamples out = new FloatSamples(16);
                assertThat(it.next()).isEqualTo(ValueType.FLOAT);
                assertThat(it.appendFloats(Long.MAX_VALUE, out)).isEqualTo(ValueType.NONE);
                List<Long> ts = new ArrayList<>();
                for (int k = 0; k < out.n; k++) {
                    ts.add(out.t[k]);
                }
                assertThat(ts).isEqualTo(without(all, mint, maxt));
            }
        }
        try (Tsdb db = Tsdb.open(dir, options())) {
            assertThat(read(db, ANY).get("2")).isEqualTo(without(range(0, 2 * HOUR + 1_800_000), 1_800_000, 2 * HOUR + 600_000));
        }
    }

    @Test
    void whollyDeletedSeriesLeaveSelectSeriesAndLabelLookups() throws Exception {
        try (Tsdb db = Tsdb.open(dir, options())) {
            append(db, 4, 0, HOUR);
            db.flushHead();
            append(db, 4, HOUR, HOUR + 600_000);
            Appender app = db.appender();
            app.append(0, Labels.of("__name__", "only_head", "job", "c"), HOUR + 1000, 1);
            app.append(0, Labels.of("__name__", "only_block", "job", "d"), HOUR - 1000, 1);
            app.commit();
            db.deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, JOB_A);
            db.deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("job", "c"));
            db.deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("job", "d"));
            assertThat(read(db, ANY)).containsOnlyKeys("1", "3");
            try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                assertThat(q.labelValues("job")).containsExactly("b");
                assertThat(q.labelValues("__name__")).containsExactly("m");
                assertThat(q.labelValues("i", ANY)).containsExactly("1", "3");
                assertThat(q.labelValues("job", LabelMatcher.eq("i", "0"))).isEmpty();
                assertThat(q.labelNames(LabelMatcher.eq("job", "a"))).isEmpty();
                assertThat(q.labelNames()).containsExactly("__name__", "i", "job");
            }
            // A querier over a range where the series still has samples lists it.
            db.deleteSeries(0, HOUR / 2, LabelMatcher.eq("i", "1"));
            try (Querier q = db.querier(0, HOUR / 2)) {
                assertThat(q.labelValues("i")).containsExactly("3");
            }
            try (Querier q = db.querier(0, HOUR)) {
                assertThat(q.labelValues("i")).containsExactly("1", "3");
            }
        }
    }

    @Test
    void refusesUnrestrictedMatchersAndReversedRanges() throws Exception {
        try (Tsdb db = Tsdb.open(dir, options())) {
            assertThatThrownBy(() -> db.deleteSeries(0, 1, LabelMatcher.re("job", ".*")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty matcher");
            assertThatThrownBy(() -> db.deleteSeries(0, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.deleteSeries(2, 1, JOB_A))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after its end");
        }
    }

    @Test
    void cleanTombstonesRewritesBlocksWithoutTheDeletedBytes() throws Exception {
        try (Tsdb db = Tsdb.open(dir, options())) {
            append(db, 40, 0, 2 * HOUR);
            db.flushHead();
            long before = blockBytes(db);
            List<String> ulidsBefore = db.blocks().stream().map(BlockMeta::ulid).toList();
            db.deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, JOB_A);
            db.deleteSeries(0, HOUR - 1, LabelMatcher.eq("job", "b"));
            assertThat(dir.resolve(ulidsBefore.get(0)).resolve("tombstones")).exists();
            Map<String, List<Long>> expected = read(db, ANY);
            long withTombstones = blockBytes(db);
            db.cleanTombstones();
            long after = blockBytes(db);
            System.out.printf("TsdbDeleteTest: block bytes %d before delete, %d with tombstones, %d after clean_tombstones%n",
                    before, withTombstones, after);
            // The first block had everything deleted, the second half of its series.
            assertThat(db.blocks()).hasSize(1);
            assertThat(after).isLessThan(before / 2 + before / 10);
            for (String u : ulidsBefore) {
                assertThat(dir.resolve(u)).doesNotExist();
            }
            BlockMeta m = db.blocks().get(0);
            assertThat(dir.resolve(m.ulid()).resolve("tombstones")).doesNotExist();
            assertThat(m.numSeries()).isEqualTo(20);
            assertThat(m.compactionLevel()).isEqualTo(2);
            assertThat(read(db, ANY)).isEqualTo(expected);
            // Nothing left to delete: no new tombstones, so a second clean rewrites nothing.
            db.deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, JOB_A);
            assertThat(dir.resolve(m.ulid()).resolve("tombstones")).doesNotExist();
        }
    }

    @Test
    void compactionDropsDeletedSamples() throws Exception {
        TsdbOptions o = options();
        try (Tsdb db = Tsdb.open(dir, o)) {
            // Three one-hour blocks fill a level-2 range (3 h): compaction merges them; a fourth is left alone.
            append(db, 4, 0, 3 * HOUR + 600_000);
            db.flushHead();
            assertThat(db.blocks()).hasSize(4);
            db.deleteSeries(HOUR / 2, 2 * HOUR, JOB_A);
            long numSamples = db.blocks().stream().limit(3).mapToLong(BlockMeta::numSamples).sum();
            db.compactBlocks();
            assertThat(db.blocks()).hasSize(2);
            BlockMeta m = db.blocks().get(0);
            assertThat(m.maxTime()).isEqualTo(3 * HOUR);
            assertThat(dir.resolve(m.ulid()).resolve("tombstones")).doesNotExist();
            long deleted = 2 * ((2 * HOUR - HOUR / 2) / STEP + 1);
            assertThat(m.numSamples()).isEqualTo(numSamples - deleted);
            assertThat(read(db, ANY).get("0")).isEqualTo(without(range(0, 3 * HOUR + 600_000), HOUR / 2, 2 * HOUR));
        }
    }

    @Test
    void compactionRewritesABlockWhoseTombstonesTouchMoreThanFivePercentOfItsSeries() throws Exception {
        try (Tsdb db = Tsdb.open(dir, options())) {
            append(db, 40, 0, HOUR + 600_000);
            db.flushHead();
            assertThat(db.blocks()).hasSize(2);
            BlockMeta first = db.blocks().get(0);
            // One series of 40 is 2.5%: not worth a rewrite yet.
            db.deleteSeries(0, HOUR / 2, LabelMatcher.eq("i", "0"));
            db.compactBlocks();
            assertThat(db.blocks().get(0).ulid()).isEqualTo(first.ulid());
            db.deleteSeries(0, HOUR / 2, LabelMatcher.eq("i", "1"), LabelMatcher.eq("job", "b"));
            db.deleteSeries(0, HOUR / 2, LabelMatcher.eq("i", "2"));
            db.compactBlocks();
            BlockMeta rewritten = db.blocks().get(0);
            assertThat(rewritten.ulid()).isNotEqualTo(first.ulid());
            assertThat(rewritten.numSamples()).isEqualTo(first.numSamples() - 3 * (HOUR / 2 / STEP + 1));
            assertThat(dir.resolve(first.ulid())).doesNotExist();
            assertThat(dir.resolve(rewritten.ulid()).resolve("tombstones")).doesNotExist();
            assertThat(read(db, ANY).get("1")).isEqualTo(range(HOUR / 2 + STEP, HOUR + 600_000));
        }
    }

    @Test
    void cuttingTheHeadIntoABlockDropsItsDeletedSamples() throws Exception {
        try (Tsdb db = Tsdb.open(dir, options())) {
            append(db, 4, 0, HOUR);
            db.deleteSeries(0, HOUR / 2 - 1, JOB_A);
            db.deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("i", "3"));
            db.flushHead();
            BlockMeta m = db.blocks().get(0);
            assertThat(m.numSeries()).isEqualTo(3);
            assertThat(m.numSamples()).isEqualTo(HOUR / STEP + 2 * (HOUR / 2 / STEP));
            assertThat(dir.resolve(m.ulid()).resolve("tombstones")).doesNotExist();
            assertThat(read(db, ANY).get("0")).isEqualTo(range(HOUR / 2, HOUR));
        }
    }

    @Test
    void aCrashBetweenRewriteAndDeletionKeepsOnlyTheRewrite() throws Exception {
        Path copy = dir.resolve("copy");
        Path db1 = dir.resolve("db");
        String oldUlid;
        try (Tsdb db = Tsdb.open(db1, options())) {
            append(db, 4, 0, HOUR);
            db.flushHead();
            oldUlid = db.blocks().get(0).ulid();
            db.deleteSeries(0, HOUR / 2, JOB_A);
            // The block as a crash would leave it: still there, tombstones and all, beside its rewrite.
            Files.createDirectories(copy);
            try (Stream<Path> files = Files.list(db1.resolve(oldUlid))) {
                for (Path f : files.toList()) {
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(copy.resolve(f.getFileName()));
                        try (Stream<Path> inner = Files.list(f)) {
                            for (Path g : inner.toList()) {
                                Files.copy(g, copy.resolve(f.getFileName()).resolve(g.getFileName()));
                            }
                        }
                    } else {
                        Files.copy(f, copy.resolve(f.getFileName()));
                    }
                }
            }
            db.cleanTombstones();
        }
        Files.move(copy, db1.resolve(oldUlid));
        try (Tsdb db = Tsdb.open(db1, options())) {
            assertThat(db.blocks()).hasSize(1);
            assertThat(db.blocks().get(0).ulid()).isNotEqualTo(oldUlid);
            assertThat(db1.resolve(oldUlid)).doesNotExist();
            assertThat(read(db, ANY).get("0")).isEqualTo(range(HOUR / 2 + STEP, HOUR));
        }
    }

    @Test
    void inMemoryDatabaseDeletesInItsHead() throws Exception {
        try (Tsdb db = Tsdb.open(null, options().withWalEnabled(false))) {
            append(db, 2, 0, 600_000);
            db.deleteSeries(0, 299_999, JOB_A);
            db.cleanTombstones();
            assertThat(read(db, ANY).get("0")).isEqualTo(range(300_000, 600_000));
        }
    }
}
