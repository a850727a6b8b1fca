package dev.sightline.tsdb.wal;

import dev.sightline.tsdb.wal.WalTestSupport.Event;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.ByteRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static dev.sightline.tsdb.wal.WalTestSupport.eventsOf;
import static dev.sightline.tsdb.wal.WalTestSupport.fastOptions;
import static dev.sightline.tsdb.wal.WalTestSupport.randomBatch;
import static dev.sightline.tsdb.wal.WalTestSupport.replay;
import static org.assertj.core.api.Assertions.assertThat;

/** Garbage and damaged files never make open or replay throw, and what replays is always a prefix of what was written. */
class WalFuzzTest {

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static WalBatch marker() {
        WalBatch b = new WalBatch();
        b.addSample(42, 0, 4242, 4.2);
        return b;
    }

    /** After whatever replay made of the damage, a new write must replay after it (the log was repaired). */
    private static void assertNewWritesSurvive(Path dir) throws IOException {
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            replay(wal);
            wal.write(marker());
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            List<Event> events = replay(wal);
            assertThat(events).isNotEmpty();
            assertThat(events.getLast()).isEqualTo(eventsOf(marker()).getFirst());
        }
    }

    @Property(tries = 50)
    void randomBatchesRoundTripExactly(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int batches,
                                       @ForAll @IntRange(min = 64, max = 4096) int segmentSize) throws IOException {
        Path dir = Files.createTempDirectory("walfuzz");
        try {
            List<Event> written = new ArrayList<>();
            Random rnd = new Random(seed);
            WalOptions opts = fastOptions().withSegmentSizeBytes(segmentSize);
            try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
                for (int i = 0; i < batches; i++) {
                    WalBatch b = randomBatch(rnd, rnd.nextLong(), rnd.nextLong());
                    wal.write(b);
                    written.addAll(eventsOf(b));
                }
            }
            try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
                assertThat(replay(wal)).containsExactlyElementsOf(written);
                assertThat(wal.corruptionsDetected()).isZero();
            }
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 100)
    void garbageSegmentsNeverThrow(@ForAll @Size(max = 3) List<@Size(max = 3000) byte[]> files) throws IOException {
        Path dir = Files.createTempDirectory("walfuzz");
        try {
            for (int i = 0; i < files.size(); i++) {
                Files.write(dir.resolve(SegmentedWal.segmentName(i + 1)), files.get(i));
            }
            try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
                replay(wal);
            }
            assertNewWritesSurvive(dir);
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 60)
    void damagedLogReplaysAPrefixOfWhatWasWritten(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int kind,
                                                  @ForAll @IntRange(min = 0, max = 100_000) int where,
                                                  @ForAll @ByteRange(min = 1) byte xor) throws IOException {
        Path dir = Files.createTempDirectory("walfuzz");
        try {
            List<Event> written = new ArrayList<>();
            Random rnd = new Random(seed);
            try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
                for (int i = 0; i < 20; i++) {
                    WalBatch b = randomBatch(rnd, i * 10L, i * 1000L);
                    wal.write(b);
                    written.addAll(eventsOf(b));
                }
            }
            Path seg = dir.resolve(SegmentedWal.segmentName(1));
            byte[] bytes = Files.readAllBytes(seg);
            int at = where % bytes.length;
            switch (kind) {
                case 0 -> bytes[at] ^= xor;                                   // a flipped byte
                case 1 -> bytes = java.util.Arrays.copyOf(bytes, at);         // a torn tail
                default -> {                                                  // a zeroed page-sized hole
                    for (int i = at; i < Math.min(bytes.length, at + 4096); i++) {
                        bytes[i] = 0;
                    }
                }
            }
            Files.write(seg, bytes);
            try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
                List<Event> got = replay(wal);
                assertThat(got.size()).isLessThanOrEqualTo(written.size());
                assertThat(got).containsExactlyElementsOf(written.subList(0, got.size()));
            }
            assertNewWritesSurvive(dir);
        } finally {
            deleteTree(dir);
        }
    }

    /** Records whose checksum is right but whose payload is random must be reported as undecodable, not crash replay. */
    @Property(tries = 100)
    void checksummedGarbagePayloadsNeverThrow(@ForAll @IntRange(min = 1, max = 3) int type,
                                              @ForAll @Size(max = 200) byte[] payload) throws IOException {
        Path dir = Files.createTempDirectory("walfuzz");
        try {
            ByteBuffer rec = ByteBuffer.allocate(WalRecordEncoder.HEADER_BYTES + payload.length + WalRecordEncoder.TRAILER_BYTES);
            rec.put((byte) type).putInt(payload.length).put(payload);
            CRC32C crc = new CRC32C();
            crc.update(rec.array(), 0, rec.position());
            rec.putInt((int) crc.getValue());
            Files.write(dir.resolve(SegmentedWal.segmentName(1)), rec.array());
            try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
                replay(wal);
            }
            assertNewWritesSurvive(dir);
        } finally {
            deleteTree(dir);
        }
    }
}
