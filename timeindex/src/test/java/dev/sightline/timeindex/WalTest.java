package dev.sightline.timeindex;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SuppressWarnings("try") // some tests open a log only to replay it
class WalTest {
    @TempDir
    Path dir;

    private final List<String> replayed = new ArrayList<>();
    private final List<Long> seqs = new ArrayList<>();

    private Wal open(long segmentBytes, long floor) throws IOException {
        replayed.clear();
        seqs.clear();
        return Wal.open(dir, segmentBytes, floor, (seq, payload) -> {
            seqs.add(seq);
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            replayed.add(new String(b, StandardCharsets.UTF_8));
        });
    }

    private static long append(Wal w, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return w.append(b, 0, b.length);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void recordsComeBackInOrderAcrossSegmentsAndRestarts() throws IOException {
        try (Wal w = open(64, 0)) {
            for (int i = 0; i < 20; i++) {
                long seq = append(w, "record " + i);
                assertThat(seq).isEqualTo(i + 1);
                w.sync(seq);
            }
        }
        assertThat(segments()).hasSizeGreaterThan(3);
        try (Wal w = open(64, 0)) {
            assertThat(replayed).hasSize(20).startsWith("record 0").endsWith("record 19");
            assertThat(seqs).isSorted().first().isEqualTo(1L);
            assertThat(append(w, "after")).isEqualTo(21);
        }
        try (Wal w = open(64, 0)) {
            assertThat(replayed).hasSize(21).endsWith("after");
            assertThat(w.lastSeq()).isEqualTo(21);
        }
    }

    @Test
    void emptyAndBinaryRecordsRoundTrip() throws IOException {
        try (Wal w = open(1 << 20, 0)) {
            w.append(new byte[0], 0, 0);
            w.append(new byte[] {0, -1, 7, 0}, 1, 2);
        }
        try (Wal w = open(1 << 20, 0)) {
            assertThat(replayed).containsExactly("", new String(new byte[] {-1, 7}, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aTornTailIsCutOffAndAppendsFollowTheLastWholeRecord() throws IOException {
        try (Wal w = open(1 << 20, 0)) {
            append(w, "one");
            append(w, "two");
            append(w, "three");
        }
        Path seg = segments().get(0);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 2); // a crash in the middle of "three"
        }
        try (Wal w = open(1 << 20, 0)) {
            assertThat(replayed).containsExactly("one", "two");
            assertThat(append(w, "four")).isEqualTo(3);
        }
        try (Wal w = open(1 << 20, 0)) {
            assertThat(replayed).containsExactly("one", "two", "four");
        }
    }

    @Test
    void aFlippedByteFailsTheChecksumAndEndsThatSegmentOnly() throws IOException {
        try (Wal w = open(40, 0)) {
            for (int i = 0; i < 6; i++) {
                append(w, "r" + i + "-0123456789");
            }
        }
        List<Path> segs = segments();
        assertThat(segs).hasSizeGreaterThan(2);
        try (FileChannel ch = FileChannel.open(segs.get(0), StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, 20);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, 20);
        }
        try (Wal w = open(40, 0)) {
            assertThat(replayed).doesNotContain("r0-0123456789").contains("r5-0123456789");
        }
    }

    @Test
    void deleteThroughFreesOnlySegmentsWhollyCoveredAndNeverTheCurrentOne() throws IOException {
        try (Wal w = open(1 << 20, 0)) {
            append(w, "a");
            append(w, "b");
            w.rotate();
            long c = append(w, "c");
            w.rotate();
            w.deleteThrough(1); // the first segment also holds 2
            assertThat(segments()).hasSize(3);
            w.deleteThrough(c);
            assertThat(segments()).hasSize(1);
            w.deleteThrough(Long.MAX_VALUE);
            assertThat(segments()).hasSize(1);
            assertThat(w.sizeBytes()).isZero();
            assertThat(append(w, "d")).isEqualTo(4);
        }
        try (Wal w = open(1 << 20, 0)) {
            assertThat(replayed).containsExactly("d");
            assertThat(seqs).containsExactly(4L);
        }
    }

    @Test
    void numbersContinueAboveTheFloorTheOwnerKnows() throws IOException {
        try (Wal w = open(1 << 20, 0)) {
            append(w, "a");
        }
        try (Wal w = open(1 << 20, 100)) {
            assertThat(replayed).containsExactly("a");
            assertThat(append(w, "b")).isEqualTo(101);
        }
        try (Wal w = open(1 << 20, 0)) {
            assertThat(replayed).containsExactly("a", "b");
            assertThat(seqs).containsExactly(1L, 101L);
        }
    }

    @Test
    void concurrentAppendersAllSyncAndNothingIsLost() throws Exception {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        try (Wal w = open(4096, 0)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 200; i++) {
                            w.sync(append(w, id + ":" + i));
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        assertThat(errors).isEmpty();
        try (Wal w = open(4096, 0)) {
            assertThat(replayed).hasSize(800).doesNotHaveDuplicates();
            assertThat(seqs).isSorted();
        }
    }

    @Test
    void aTinySegmentSizeIsRejected() {
        assertThatThrownBy(() -> open(3, 0)).hasMessageContaining("segment size 3");
    }
}
