package dev.sightline.tsdb.wal;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.conformance.StartPatterns;
import dev.sightline.tsdb.wal.WalTestSupport.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.sightline.tsdb.wal.WalTestSupport.eventsOf;
import static dev.sightline.tsdb.wal.WalTestSupport.fastOptions;
import static dev.sightline.tsdb.wal.WalTestSupport.replay;
import static org.assertj.core.api.Assertions.assertThat;

/** Start timestamps in the WAL: written only when a batch has them, replayed and checkpointed exactly. */
class WalStartTimestampTest {
    @TempDir
    Path dir;

    /** The batches of the resource segment, which the encoder of commit 8843237 (before start timestamps) wrote. */
    private static List<WalBatch> batchesBeforeStartTimestamps() {
        List<WalBatch> out = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            WalBatch b = new WalBatch();
            if (k == 0) {
                b.addSeries(1, Labels.of("__name__", "requests_total", "job", "api"));
                b.addSeries(2, Labels.of("__name__", "latency", "job", "api"));
            }
            long t = 1_700_000_000_000L + 15_000L * k;
            b.addSample(1, 0, t, k == 7 ? Double.longBitsToDouble(0x7ff0000000000002L) : k * 1.5);
            if (k % 5 == 0) {
                b.addHistogram(2, 0, t, new Histogram(Histogram.CounterResetHint.UNKNOWN, 2, 0.001, k, 3 * k + 1, k * 0.5,
                        new int[]{0}, new int[]{2}, new double[]{k, 2 * k + 1}, null, null, null, null));
                b.addExemplar(1, t - 1, k, Labels.of("trace_id", "t" + k));
            }
            out.add(b);
        }
        return out;
    }

    @Test
    void aSegmentWrittenBeforeStartTimestampsStillReplaysAndIsWhatWeWriteToday() throws IOException {
        Path old = Files.createDirectories(dir.resolve("old"));
        byte[] segment;
        try (InputStream in = getClass().getResourceAsStream("/wal-before-start-timestamps/00000001")) {
            segment = in.readAllBytes();
        }
        Files.write(old.resolve("00000001"), segment);
        List<Event> want = new ArrayList<>();
        batchesBeforeStartTimestamps().forEach(b -> want.addAll(eventsOf(b)));
        try (SegmentedWal wal = SegmentedWal.open(old, fastOptions())) {
            assertThat(replay(wal)).containsExactlyElementsOf(want);
        }

        Path now = dir.resolve("now");
        try (SegmentedWal wal = SegmentedWal.open(now, fastOptions())) {
            for (WalBatch b : batchesBeforeStartTimestamps()) {
                wal.write(b);
            }
        }
        assertThat(Files.readAllBytes(now.resolve("00000001"))).as("batches without start timestamps keep their bytes")
                .isEqualTo(segment);
    }

    @Test
    void startTimestampsSurviveReplayAndCheckpoints() throws IOException {
        WalOptions opts = fastOptions().withSegmentSizeBytes(600);
        List<Event> all = new ArrayList<>();
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            WalBatch series = new WalBatch();
            StartPatterns[] shapes = StartPatterns.values();
            for (int s = 0; s < shapes.length; s++) {
                series.addSeries(s + 1, Labels.of("__name__", "m", "shape", shapes[s].name()));
            }
            wal.write(series);
            all.addAll(eventsOf(series));
            for (int i = 0; i < 100; i++) {
                WalBatch b = new WalBatch();
                long t = 1_700_000_000_000L + 15_000L * i;
                for (int s = 0; s < shapes.length; s++) {
                    long st = shapes[s].start(i, t, t - 15_000);
                    b.addSample(s + 1, st, t, i * 2.5);
                    if (i % 10 == 0) {
                        b.addHistogram(s + 1, st, t, WalTestSupport.randomHistogram(new java.util.Random(i)));
                    }
                }
                wal.write(b);
                all.addAll(eventsOf(b));
            }
            assertThat(all).filteredOn(e -> e.st() != 0).isNotEmpty();
            assertThat(replay(wal)).containsExactlyElementsOf(all);

            long mint = 1_700_000_000_000L + 15_000L * 60;
            wal.truncate(mint, ref -> true);
            assertThat(dir.toFile().list((d, n) -> n.startsWith("checkpoint."))).hasSize(1);
        }
        List<Event> kept = all.stream().filter(e -> e.kind() == 'S' || e.t() >= 1_700_000_000_000L + 15_000L * 60).toList();
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            assertThat(replay(wal)).containsExactlyElementsOf(kept);
        }
    }
}
