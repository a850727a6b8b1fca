package dev.sightline.tsdb;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import static dev.sightline.tsdb.ReplayTestData.MIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Property test: a database reopened with WAL replay workers holds exactly what the single-threaded replay
 * rebuilds (series, every sample and histogram, head chunks, time range, exemplars), on random WALs with
 * histograms, exemplars, out-of-order and refused samples, a checkpoint after a head flush, full chunks in
 * chunks_head, and a torn or corrupted WAL tail. Head snapshots are off: this is about the WAL replay.
 */
class TsdbParallelReplayTest {
    @TempDir
    Path tmp;

    private static TsdbOptions options(long oooWindow, int workers) {
        return ReplayTestData.options(oooWindow, workers).withHeadSnapshotOnShutdown(false);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void parallelReplayEqualsSingleThreadedReplay(int seed) throws IOException {
        Random rnd = new Random(seed);
        long oooWindow = seed % 2 == 0 ? 10 * MIN : 0;
        Path src = tmp.resolve("src");
        try (Tsdb db = Tsdb.open(src, options(oooWindow, 0))) {
            ReplayTestData.fill(db, rnd, 0, 1500, 700, null);
        }
        ReplayTestData.Tail tail = ReplayTestData.Tail.values()[seed % 3];
        ReplayTestData.damageTail(src, tail, rnd);
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

    /** Opens a copy of {@code src} with the given workers and describes everything the database then holds. */
    private static String replayed(Path src, Path copy, long oooWindow, int workers) throws IOException {
        ReplayTestData.copyTree(src, copy);
        TsdbOptions options = options(oooWindow, workers);
        ExemplarStore exemplars = new ExemplarStore(1000);
        try (Tsdb db = Tsdb.open(copy, options, exemplars)) {
            String out = ReplayTestData.describe(db, options.registry(), exemplars);
            // Appends continue after the replayed data.
            Appender app = db.appender();
            app.append(0, Labels.of("__name__", "after_replay"), 400 * MIN, 1);
            app.commit();
            return out;
        }
    }
}
