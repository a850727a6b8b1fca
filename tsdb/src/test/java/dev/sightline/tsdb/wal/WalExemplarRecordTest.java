package dev.sightline.tsdb.wal;

import dev.sightline.core.Labels;
import dev.sightline.tsdb.wal.WalTestSupport.Event;
import dev.sightline.tsdb.wal.WalTestSupport.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.sightline.tsdb.wal.WalTestSupport.eventsOf;
import static dev.sightline.tsdb.wal.WalTestSupport.fastOptions;
import static dev.sightline.tsdb.wal.WalTestSupport.randomBatch;
import static dev.sightline.tsdb.wal.WalTestSupport.randomLabels;
import static dev.sightline.tsdb.wal.WalTestSupport.randomValue;
import static dev.sightline.tsdb.wal.WalTestSupport.replay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The exemplars record: round trip, torn tail, checkpoint. */
class WalExemplarRecordTest {
    @TempDir
    Path dir;

    private static final Labels TRACE = Labels.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");

    /** A commit as the head writes it: a new series, its sample and an exemplar of it. */
    private static WalBatch withExemplar(long ref, long t, Labels exemplar) {
        WalBatch b = new WalBatch();
        b.addSeries(ref, Labels.of("__name__", "m" + ref));
        b.addSample(ref, 0, t, 1);
        b.addExemplar(ref, t, 0.25, exemplar);
        return b;
    }

    @Test
    void exemplarsRoundTripExactlyAfterTheirBatchSamples() throws IOException {
        Random rnd = new Random(7);
        List<Event> expected = new ArrayList<>();
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            for (int i = 0; i < 20; i++) {
                WalBatch b = randomBatch(rnd, i * 10L, 1_700_000_000_000L + i * 1000L);
                int n = rnd.nextInt(4);
                for (int j = 0; j < n; j++) {
                    // Empty, unicode and special-valued exemplars; refs and times far apart exercise the deltas.
                    Labels l = j == 0 ? Labels.EMPTY : randomLabels(rnd);
                    b.addExemplar(i * 10L + rnd.nextInt(1000) - 500, rnd.nextLong(), randomValue(rnd), l);
                }
                wal.write(b);
                expected.addAll(eventsOf(b));
            }
        }
        assertThat(expected).anyMatch(e -> e.kind() == 'E');
        try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            assertThat(replay(wal)).containsExactlyElementsOf(expected);
            assertThat(log.warnings).isEmpty();
        }
    }

    @Test
    void tornExemplarRecordIsDroppedWithAWarningAtEveryByteOffset() throws IOException {
        Path src = dir.resolve("src");
        List<Event> kept;
        long exemplarStart;
        try (SegmentedWal wal = SegmentedWal.open(src, fastOptions())) {
            WalBatch first = withExemplar(1, 1000, TRACE);
            wal.write(first);
            kept = new ArrayList<>(eventsOf(first));
            WalBatch last = new WalBatch();
            last.addSample(1, 0, 2000, 2);
            long before = Files.size(src.resolve("00000001"));
            wal.write(last);
            kept.addAll(eventsOf(last));
            exemplarStart = Files.size(src.resolve("00000001"));
            assertThat(exemplarStart).isGreaterThan(before);
            WalBatch onlyExemplar = new WalBatch();
            onlyExemplar.addExemplar(1, 2000, 3, TRACE);
            wal.write(onlyExemplar);
        }
        byte[] full = Files.readAllBytes(src.resolve("00000001"));
        for (int cut = (int) exemplarStart + 1; cut < full.length; cut++) {
            Path d = dir.resolve("cut" + cut);
            Files.createDirectories(d);
            Files.write(d.resolve("00000001"), Arrays.copyOf(full, cut));
            try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(d, fastOptions())) {
                assertThat(replay(wal)).as("cut at %d", cut).containsExactlyElementsOf(kept);
                assertThat(log.warnings).as("cut at %d", cut).singleElement().asString()
                        .contains(d.resolve("00000001").toString()).contains("offset " + exemplarStart);
                assertThat(Files.size(d.resolve("00000001"))).isEqualTo(exemplarStart);
            }
        }
    }

    @Test
    void checkpointKeepsExemplarsOfKeptSeriesFromMint() throws IOException {
        WalOptions opts = fastOptions().withSegmentSizeBytes(200);
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            wal.write(withExemplar(1, 10, TRACE));
            wal.write(withExemplar(2, 10, TRACE));
            for (long t = 20; t <= 100; t += 10) {
                WalBatch b = new WalBatch();
                b.addSample(1, 0, t, t);
                b.addSample(2, 0, t, t);
                b.addExemplar(1, t, t, Labels.of("trace_id", "a" + t));
                b.addExemplar(2, t, t, Labels.of("trace_id", "b" + t));
                wal.write(b);
            }
            wal.truncate(50, ref -> ref != 2);
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            List<Event> got = replay(wal);
            assertThat(got).filteredOn(e -> e.kind() == 'E').extracting(Event::ref, Event::t)
                    .containsExactly(
                            tuple(1L, 50L), tuple(1L, 60L),
                            tuple(1L, 70L), tuple(1L, 80L),
                            tuple(1L, 90L), tuple(1L, 100L));
            assertThat(got).filteredOn(e -> e.kind() == 'E' && e.t() == 70).singleElement()
                    .extracting(Event::labels).isEqualTo(Labels.of("trace_id", "a70"));
        }
    }
}
