package dev.sightline.tsdb.wal;

import dev.sightline.core.Labels;
import dev.sightline.tsdb.wal.WalTestSupport.Event;
import dev.sightline.tsdb.wal.WalTestSupport.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.sightline.tsdb.wal.WalTestSupport.eventsOf;
import static dev.sightline.tsdb.wal.WalTestSupport.fastOptions;
import static dev.sightline.tsdb.wal.WalTestSupport.replay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The tombstones record (a delete's intervals): round trip, a reversed interval refused, checkpoint. */
class WalTombstoneRecordTest {
    @TempDir
    Path dir;

    private static WalBatch seriesWithSample(long ref, long t) {
        WalBatch b = new WalBatch();
        b.addSeries(ref, Labels.of("__name__", "m" + ref));
        b.addSample(ref, 0, t, 1);
        return b;
    }

    @Test
    void tombstonesRoundTripAfterTheRestOfTheirBatch() throws IOException {
        List<Event> expected = new ArrayList<>();
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            WalBatch b = seriesWithSample(1, 1000);
            b.addTombstone(1, Long.MIN_VALUE, -5);
            b.addTombstone(1, 0, Long.MAX_VALUE);
            wal.write(b);
            expected.addAll(eventsOf(b));
            WalBatch only = new WalBatch();
            only.addTombstone(7, 1_700_000_000_000L, 1_700_000_000_000L);
            wal.write(only);
            expected.addAll(eventsOf(only));
        }
        assertThat(expected).last().extracting(Event::kind).isEqualTo('T');
        try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            assertThat(replay(wal)).containsExactlyElementsOf(expected);
            assertThat(log.warnings).isEmpty();
        }
    }

    @Test
    void aReversedIntervalIsACorruptRecord() throws IOException {
        WalRecordEncoder enc = new WalRecordEncoder();
        WalBatch b = new WalBatch();
        b.addTombstone(1, 5, 4);
        ByteBuffer data = enc.encode(b);
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        Files.write(dir.resolve("00000001"), bytes);
        try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            assertThat(replay(wal)).isEmpty();
            assertThat(log.warnings).singleElement().asString().contains("reversed");
        }
    }

    @Test
    void checkpointKeepsTombstonesOfKeptSeriesReachingMint() throws IOException {
        WalOptions opts = fastOptions().withSegmentSizeBytes(100);
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            wal.write(seriesWithSample(1, 10));
            wal.write(seriesWithSample(2, 10));
            for (long t = 20; t <= 100; t += 10) {
                WalBatch b = new WalBatch();
                b.addSample(1, 0, t, t);
                b.addTombstone(1, t - 5, t + 5);
                b.addTombstone(2, t - 5, t + 5);
                wal.write(b);
            }
            wal.truncate(50, ref -> ref != 2);
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            List<Event> got = replay(wal);
            // Min in st, max in t: those ending before 50 and those of dropped series are gone.
            assertThat(got).filteredOn(e -> e.kind() == 'T').extracting(Event::ref, Event::st, Event::t)
                    .containsExactly(tuple(1L, 45L, 55L), tuple(1L, 55L, 65L), tuple(1L, 65L, 75L),
                            tuple(1L, 75L, 85L), tuple(1L, 85L, 95L), tuple(1L, 95L, 105L));
            assertThat(got).filteredOn(e -> e.kind() == 'S').extracting(Event::ref).containsExactly(1L);
        }
    }
}
