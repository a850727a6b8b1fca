package dev.sightline.tsdb;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static dev.sightline.tsdb.ReplayTestData.MIN;
import static dev.sightline.tsdb.ReplayTestData.SERIES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The head snapshot written on clean close: a restart from it holds exactly what the database held before close and
 * what a full WAL replay rebuilds (random heads with histograms, exemplars, out-of-order and refused samples, a head
 * flush, full chunks in chunks_head), and appends continue alike; a snapshot in any doubt is ignored for a full replay
 * with the reason logged; writes after a snapshot was loaded survive a crash through the WAL written after it.
 */
class TsdbHeadSnapshotTest {
    @TempDir
    Path tmp;

    private LogMessages log;
    private List<String> logged;

    @BeforeEach
    void captureLog() {
        log = new LogMessages(Tsdb.class);
        logged = log.messages();
    }

    @AfterEach
    void releaseLog() {
        log.close();
    }

    private static TsdbOptions options(long oooWindow, boolean snapshot) {
        return options(oooWindow, snapshot, 1);
    }

    private static TsdbOptions options(long oooWindow, boolean snapshot, int workers) {
        return ReplayTestData.options(oooWindow, workers).withHeadSnapshotOnShutdown(snapshot);
    }

    /** What a reopened copy held at open (with and without its exemplars) and after one more sample per series. */
    private record Reopened(String atOpen, String samplesAtOpen, String afterAppend) {
    }

    /** Opens a copy of {@code src}, describes it, appends a sample and an exemplar to every series and a new one. */
    private Reopened reopen(Path src, String name, long oooWindow, boolean snapshot, long t) throws IOException {
        return reopen(src, name, oooWindow, snapshot, 1, t);
    }

    /** As above with {@code workers} replay workers (0: the snapshot's series indexed on the opening thread). */
    private Reopened reopen(Path src, String name, long oooWindow, boolean snapshot, int workers, long t) throws IOException {
        Path copy = tmp.resolve(name);
        ReplayTestData.copyTree(src, copy);
        log.clear();
        TsdbOptions o = options(oooWindow, snapshot, workers);
        ExemplarStore store = new ExemplarStore(1000);
        try (Tsdb db = Tsdb.open(copy, o, store)) {
            String atOpen = ReplayTestData.describe(db, o.registry(), store);
            String samples = ReplayTestData.describe(db, o.registry(), null);
            Appender app = db.appender();
            for (int i = 0; i < SERIES; i++) {
                if (i % 4 == 0) {
                    app.appendHistogram(0, ReplayTestData.series(i), t + MIN, new dev.sightline.core.Histogram(null, 0,
                            0.001, 0, 3, 1.5, new int[]{0}, new int[]{2}, new double[]{1, 2}, null, null, null, null));
                } else {
                    app.append(0, ReplayTestData.series(i), t + MIN, i);
                }
            }
            app.append(0, Labels.of("__name__", "after_restart"), t + MIN, 1);
            app.commit();
            return new Reopened(atOpen, samples, ReplayTestData.describe(db, o.registry(), null));
        }
    }

    private boolean loggedSnapshotLoad() {
        return logged.stream().anyMatch(m -> m.startsWith("loaded head snapshot"));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void restartFromSnapshotEqualsBeforeCloseAndFullReplay(int seed) throws IOException {
        Random rnd = new Random(seed);
        long oooWindow = seed % 2 == 0 ? 10 * MIN : 0;
        Path src = tmp.resolve("src");
        TsdbOptions o = options(oooWindow, true);
        ExemplarStore live = new ExemplarStore(1000);
        String before;
        String beforeSamples;
        long end;
        try (Tsdb db = Tsdb.open(src, o, live)) {
            end = ReplayTestData.fill(db, rnd, 0, 1000, seed % 3 == 0 ? -1 : 500, live);
            before = ReplayTestData.describe(db, o.registry(), live);
            beforeSamples = ReplayTestData.describe(db, o.registry(), null);
        }
        assertThat(src.resolve("head_snapshot")).exists();
        assertThat(logged).anyMatch(m -> m.startsWith("wrote head snapshot"));

        Reopened snap = reopen(src, "snap", oooWindow, true, end);
        assertThat(loggedSnapshotLoad()).as("the snapshot was loaded").isTrue();
        Reopened inline = reopen(src, "snap-inline", oooWindow, true, 0, end);
        assertThat(loggedSnapshotLoad()).as("the snapshot was loaded without workers").isTrue();
        assertThat(inline).isEqualTo(snap);
        Reopened full = reopen(src, "full", oooWindow, false, end);
        assertThat(loggedSnapshotLoad()).as("snapshots off: a full replay").isFalse();
        assertThat(tmp.resolve("full").resolve("head_snapshot")).as("deleted when snapshots are off").doesNotExist();

        assertThat(snap.atOpen()).isEqualTo(before);
        assertThat(full.samplesAtOpen()).isEqualTo(beforeSamples);
        assertThat(snap.afterAppend()).isEqualTo(full.afterAppend()).contains("after_restart");
        assertThat(before).contains("h{").contains("exemplars");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void writesAfterASnapshotLoadSurviveACrashThroughTheWal(int seed) throws IOException {
        Random rnd = new Random(seed);
        long oooWindow = seed % 2 == 0 ? 10 * MIN : 0;
        boolean flushAfterLoad = seed == 3; // persisting the head deletes the snapshot: the crash restart replays it all
        Path src = tmp.resolve("src");
        TsdbOptions o = options(oooWindow, true);
        long end;
        try (Tsdb db = Tsdb.open(src, o, new ExemplarStore(1000))) {
            end = ReplayTestData.fill(db, rnd, 0, 600, -1, null);
        }
        ExemplarStore live = new ExemplarStore(1000);
        TsdbOptions o2 = options(oooWindow, true);
        String before;
        String beforeSamples;
        Path crashed = tmp.resolve("crashed");
        log.clear();
        try (Tsdb db = Tsdb.open(src, o2, live)) {
            assertThat(loggedSnapshotLoad()).isTrue();
            end = ReplayTestData.fill(db, rnd, end, 500, flushAfterLoad ? 100 : -1, live);
            Appender app = db.appender();
            app.append(0, Labels.of("__name__", "new_after_load"), end, 7);
            app.commit();
            before = ReplayTestData.describe(db, o2.registry(), live);
            beforeSamples = ReplayTestData.describe(db, o2.registry(), null);
            // What kill -9 leaves: the files as they are now, without close (and so without a new snapshot).
            ReplayTestData.copyTree(src, crashed);
        }
        assertThat(Files.exists(crashed.resolve("head_snapshot"))).isEqualTo(!flushAfterLoad);

        Reopened snap = reopen(crashed, "snap", oooWindow, true, end);
        assertThat(loggedSnapshotLoad()).isEqualTo(!flushAfterLoad);
        Reopened full = reopen(crashed, "full", oooWindow, false, end);
        if (!flushAfterLoad) {
            assertThat(snap.atOpen()).isEqualTo(before);
        }
        assertThat(snap.samplesAtOpen()).isEqualTo(beforeSamples).contains("new_after_load");
        assertThat(full.samplesAtOpen()).isEqualTo(beforeSamples);
        assertThat(snap.afterAppend()).isEqualTo(full.afterAppend());
    }

    enum Doubt {
        TORN("checksum mismatch"),
        FLIPPED_BYTE("checksum mismatch"),
        OTHER_VERSION("version 9, this build reads version 2"),
        WAL_TRUNCATED("fewer than"),
        WAL_REWRITTEN("other bytes before offset"),
        WAL_SEGMENT_GONE("is missing"),
        CHUNK_FILE_LOST("head chunk file"),
        NO_EXEMPLARS("holds no exemplars"),
        UNDECODABLE_WITH_GOOD_CHECKSUM("failed to load");

        final String reason;

        Doubt(String reason) {
            this.reason = reason;
        }
    }

    @ParameterizedTest
    @EnumSource(Doubt.class)
    void aSnapshotInDoubtFallsBackToAFullReplayAndSaysWhy(Doubt doubt) throws IOException {
        Random rnd = new Random(doubt.ordinal());
        Path src = tmp.resolve("src");
        long end;
        try (Tsdb db = doubt == Doubt.NO_EXEMPLARS ? Tsdb.open(src, options(0, true))
                : Tsdb.open(src, options(0, true), new ExemplarStore(1000))) {
            end = ReplayTestData.fill(db, rnd, 0, 1000, -1, null);
        }
        damage(src, doubt);
        Reopened expected = reopen(src, "expected", 0, false, end);
        Reopened got = reopen(src, "got", 0, true, end);
        assertThat(loggedSnapshotLoad()).isFalse();
        assertThat(logged).anyMatch(m -> m.startsWith("head snapshot ") && m.contains(doubt.reason));
        assertThat(got).isEqualTo(expected);
        if (doubt != Doubt.WAL_SEGMENT_GONE) { // that took every sample with it, from either restart
            assertThat(got.samplesAtOpen()).contains("h{");
        }
    }

    private static void damage(Path dir, Doubt doubt) throws IOException {
        Path snap = dir.resolve("head_snapshot");
        Path wal = lastFile(dir.resolve("wal"));
        switch (doubt) {
            case TORN -> truncate(snap, Files.size(snap) / 2);
            case FLIPPED_BYTE -> flip(snap, Files.size(snap) / 2);
            case OTHER_VERSION -> {
                byte[] b = Files.readAllBytes(snap);
                b[4] = 9;
                Files.write(snap, withCrc(b, b.length - 4));
            }
            case WAL_TRUNCATED -> truncate(wal, Files.size(wal) - 3);
            case WAL_REWRITTEN -> flip(wal, Files.size(wal) - 100);
            case WAL_SEGMENT_GONE -> Files.delete(wal);
            case CHUNK_FILE_LOST -> Files.delete(lastFile(dir.resolve("chunks_head")));
            case NO_EXEMPLARS -> {
                // written by a database opened without an exemplar store
            }
            case UNDECODABLE_WITH_GOOD_CHECKSUM -> {
                // The header and a third of the rest, sealed with a valid checksum: it passes every check but decoding.
                byte[] b = Files.readAllBytes(snap);
                Files.write(snap, withCrc(b, 60 + (b.length - 60) / 3));
            }
        }
    }

    private static Path lastFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+")).max(Path::compareTo).orElseThrow();
        }
    }

    private static byte[] withCrc(byte[] b, int n) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, n);
        return ByteBuffer.allocate(n + 4).put(b, 0, n).putInt((int) crc.getValue()).array();
    }

    private static void truncate(Path p, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static void flip(Path p, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, at);
        }
    }

    @Test
    void snapshotsCanBeSwitchedOffAndAreOnByDefault() throws IOException {
        assertThat(TsdbOptions.defaults().headSnapshotOnShutdown()).isTrue();
        Path dir = tmp.resolve("off");
        try (Tsdb db = Tsdb.open(dir, options(0, false))) {
            ReplayTestData.fill(db, new Random(1), 0, 50, -1, null);
        }
        assertThat(dir.resolve("head_snapshot")).doesNotExist();
    }

    /**
     * The snapshot writes the head's symbol ids as its series use them: after two flushes dropped series and freed
     * their label strings' ids, new series (accented and astral-plane strings) take those ids, and a restart from the
     * snapshot must give every series its own labels back.
     */
    @Test
    void aSnapshotAfterFreedAndReusedLabelIdsRestoresEveryLabel() throws IOException {
        Path dir = tmp.resolve("reused");
        TsdbOptions o = options(0, true);
        String before;
        try (Tsdb db = Tsdb.open(dir, o)) {
            long t = 0;
            for (String round : List.of("gone", "x")) {
                Appender app = db.appender();
                for (int i = 0; i < 20; i++) {
                    app.append(0, Labels.of("__name__", round, "id", round + "-" + i, "only_" + round, "v" + i), t, i);
                }
                app.commit();
                t += MIN;
                db.flushHead(); // drops the series; the second flush frees the ids the first left unused
            }
            Appender app = db.appender();
            for (int i = 0; i < 30; i++) {
                app.append(0, Labels.of("__name__", "fresh", "id", "é-" + i + "-😀", "zone", i % 2 == 0 ? "north" : "süd"), t, i);
            }
            app.append(0, Labels.of("__name__", "keep", "id", "k"), t, 7);
            app.commit();
            before = ReplayTestData.describe(db, o.registry(), null);
        }
        assertThat(before).contains("series=31").contains("é-29-😀").contains("süd");
        log.clear();
        try (Tsdb db = Tsdb.open(dir, o)) {
            assertThat(loggedSnapshotLoad()).as("the snapshot was loaded").isTrue();
            assertThat(ReplayTestData.describe(db, o.registry(), null)).isEqualTo(before);
        }
    }

    /**
     * A head flushed into blocks (its chunk files emptied) and then given less than a full chunk: the snapshot names
     * no chunk file, and loading it must keep working (it failed with a NullPointerException and fell back to a full
     * replay).
     */
    @Test
    void aSnapshotNamingNoChunkFileLoads() throws IOException {
        Path dir = tmp.resolve("nochunks");
        TsdbOptions o = TsdbOptions.defaults().withBlockDurationMs(3600_000L);
        try (Tsdb db = Tsdb.open(dir, o)) {
            Appender app = db.appender();
            for (long t = 0; t < 7200_000L; t += 15_000) {
                app.append(0, Labels.of("__name__", "m"), t, t);
            }
            app.commit();
            db.flushHead();
            app = db.appender();
            app.append(0, Labels.of("__name__", "m"), 7200_000L, 1);
            app.commit();
        }
        log.clear();
        try (Tsdb db = Tsdb.open(dir, o)) {
            assertThat(db.headSeries()).isEqualTo(1);
        }
        assertThat(logged).anyMatch(m -> m.startsWith("loaded head snapshot"));
        assertThat(logged).noneMatch(m -> m.contains("failed to load"));
    }
}
