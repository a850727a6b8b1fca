package dev.sightline.tsdb.wal;

import dev.sightline.tsdb.wal.WalTestSupport.Event;
import dev.sightline.tsdb.wal.WalTestSupport.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.sightline.tsdb.wal.WalTestSupport.eventsOf;
import static dev.sightline.tsdb.wal.WalTestSupport.fastOptions;
import static dev.sightline.tsdb.wal.WalTestSupport.randomBatch;
import static dev.sightline.tsdb.wal.WalTestSupport.replay;
import static dev.sightline.tsdb.wal.WalTestSupport.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WAL positions (what a head snapshot records): replaying from one gives exactly what was written after it. */
class WalPositionTest {
    @TempDir
    Path dir;

    private static WalOptions small() {
        return fastOptions().withSegmentSizeBytes(8 << 10);
    }

    /** Writes {@code n} random batches (after a replay, so the last segment is continued) and returns their events. */
    private static List<Event> write(Path d, Random rnd, int n, long ref0) throws IOException {
        List<Event> events = new ArrayList<>();
        try (SegmentedWal wal = SegmentedWal.open(d, small())) {
            wal.replay(new Recorder());
            for (int i = 0; i < n; i++) {
                WalBatch b = randomBatch(rnd, ref0 + 10L * i, 1000L * i);
                events.addAll(eventsOf(b));
                wal.write(b);
            }
        }
        return events;
    }

    private static WalPosition endOf(Path d) throws IOException {
        try (SegmentedWal wal = SegmentedWal.open(d, small())) {
            wal.replay(new Recorder());
            return wal.end();
        }
    }

    @Test
    void replayFromAPositionGivesExactlyTheRecordsWrittenAfterIt() throws IOException {
        Random rnd = new Random(7);
        List<Event> first = write(dir, rnd, 60, 1);
        WalPosition pos = endOf(dir);
        assertThat(segmentFiles(dir)).hasSizeGreaterThan(1);
        List<Event> second = write(dir, rnd, 60, 10_000);
        try (SegmentedWal wal = SegmentedWal.open(dir, small())) {
            assertThat(wal.checkContinuesFrom(pos)).isNull();
            Recorder r = new Recorder();
            wal.replayFrom(pos, r);
            assertThat(r.events).isEqualTo(second);
        }
        List<Event> all = new ArrayList<>(first);
        all.addAll(second);
        try (SegmentedWal wal = SegmentedWal.open(dir, small())) {
            assertThat(replay(wal)).isEqualTo(all);
        }
    }

    @Test
    void anEmptyLogsEndIsWhereItsFirstSegmentWillStart() throws IOException {
        WalPosition pos = endOf(dir);
        assertThat(pos).isEqualTo(new WalPosition(1, 0, 0));
        List<Event> written = write(dir, new Random(3), 5, 1);
        try (SegmentedWal wal = SegmentedWal.open(dir, small())) {
            assertThat(wal.checkContinuesFrom(pos)).isNull();
            Recorder r = new Recorder();
            wal.replayFrom(pos, r);
            assertThat(r.events).isEqualTo(written);
        }
    }

    @Test
    void saysWhyTheLogNoLongerContinuesFromAPosition() throws IOException {
        Random rnd = new Random(11);
        write(dir, rnd, 60, 1);
        WalPosition pos = endOf(dir);
        Path last = segmentFiles(dir).getLast();
        try (SegmentedWal wal = SegmentedWal.open(dir, small())) {
            assertThat(wal.checkContinuesFrom(new WalPosition(pos.segment(), pos.offset() + 1, pos.tailCrc())))
                    .contains("fewer than the " + (pos.offset() + 1));
            assertThat(wal.checkContinuesFrom(new WalPosition(pos.segment(), pos.offset(), pos.tailCrc() + 1)))
                    .contains("holds other bytes before offset " + pos.offset());
            assertThat(wal.checkContinuesFrom(new WalPosition(pos.segment() + 5, 10, 0))).contains("is missing");
        }
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{42}), pos.offset() - 1);
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, small())) {
            assertThat(wal.checkContinuesFrom(pos)).contains("holds other bytes");
            wal.truncate(Long.MAX_VALUE, ref -> false);
            assertThat(wal.checkContinuesFrom(pos)).contains("WAL checkpoint").contains("truncated since");
        }
        assertThatThrownBy(() -> new WalPosition(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segment -1");
    }
}
