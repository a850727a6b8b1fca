package dev.sightline.tsdb.head;

import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.LogMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

import static dev.sightline.tsdb.head.HeadTest.HOUR;
import static dev.sightline.tsdb.head.HeadTest.samples;
import static org.assertj.core.api.Assertions.assertThat;

/** Full head chunks in chunks_head/: written once, reused by replay, cut back when damaged, deleted when old. */
class HeadChunkFilesTest {
    private static final int SERIES = 20;
    private static final int SAMPLES = 500; // four full chunks and an open one per series
    private static final long STEP = 1000;

    @TempDir
    Path dir;

    private static Labels series(int i) {
        return Labels.of("__name__", "c", "s", Integer.toString(i));
    }

    private static double value(int i, int k) {
        return i * 1e6 + k * 1.5;
    }

    private Head newHead() throws IOException {
        return new Head(LabelLimits.DEFAULT, 2 * HOUR, 0, null, dir);
    }

    /** Appends every series' samples, one batch per timestamp (series i gets ref i + 1), checking after each. */
    private static void appendAll(Head head, IntConsumer afterBatch) throws Exception {
        for (int k = 0; k < SAMPLES; k++) {
            Appender app = head.appender();
            for (int i = 0; i < SERIES; i++) {
                app.append(0, series(i), k * STEP, value(i, k));
            }
            app.commit();
            afterBatch.accept(k);
        }
    }

    /** Appends every series' samples and closes the head, leaving its chunk files. */
    private void writeAndClose() throws Exception {
        Head head = newHead();
        appendAll(head, k -> {
        });
        assertThat(chunkFiles()).isNotEmpty();
        head.close();
    }

    /**
     * Replays the samples into a new head as the WAL would, with {@code walValue} as the value of every sample at or
     * before {@code distortUpTo}: when those come back unchanged, they were read from the chunk files.
     */
    private Head replay(long distortUpTo, double walValue) throws IOException {
        Head head = newHead();
        HeadReplay r = head.replay(Long.MIN_VALUE, null, 2);
        for (int i = 0; i < SERIES; i++) {
            r.series(i + 1, series(i));
        }
        for (int k = 0; k < SAMPLES; k++) {
            for (int i = 0; i < SERIES; i++) {
                long t = k * STEP;
                r.sample(i + 1, 0, t, t <= distortUpTo ? walValue : value(i, k));
            }
        }
        r.finish();
        return head;
    }

    private static List<String> expected(int i) {
        return java.util.stream.IntStream.range(0, SAMPLES).mapToObj(k -> k * STEP + "=" + value(i, k)).toList();
    }

    private List<Path> chunkFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void replayTakesFullChunksFromTheFilesInsteadOfTheWal() throws Exception {
        writeAndClose();
        // Every sample the files hold (the first four chunks, up to 479 s) is given a wrong value in the "WAL".
        Head head = replay(479 * STEP, -1);
        for (int i = 0; i < SERIES; i++) {
            assertThat(samples(head, series(i), 0, Long.MAX_VALUE)).as("series %d", i).isEqualTo(expected(i));
        }
        assertThat(head.stats().chunks()).isEqualTo(SERIES * 5L);
        // Appends go on after the replayed data, and order checks see the newest sample.
        Appender app = head.appender();
        app.append(0, series(0), SAMPLES * STEP, 7);
        app.commit();
        assertThat(samples(head, series(0), SAMPLES * STEP, Long.MAX_VALUE)).containsExactly(SAMPLES * STEP + "=7.0");
        head.close();
    }

    @Test
    void withAnOutOfOrderWindowReplayStillTakesOutOfOrderSamplesThatChunksDoNotHold() throws Exception {
        long window = 60_000;
        // The WAL's order: every in-order sample, and after each 50th one a sample 2.5 steps back.
        List<long[]> wal = new java.util.ArrayList<>();
        for (int k = 0; k < SAMPLES; k++) {
            wal.add(new long[]{k * STEP, Double.doubleToRawLongBits(value(0, k))});
            if (k % 50 == 49) {
                wal.add(new long[]{k * STEP - 2500, Double.doubleToRawLongBits(-k)});
            }
        }
        Head head = new Head(LabelLimits.DEFAULT, 2 * HOUR, window, null, dir);
        for (long[] w : wal) {
            Appender app = head.appender();
            app.append(0, series(0), w[0], Double.longBitsToDouble(w[1]));
            app.commit();
        }
        List<String> want = samples(head, series(0), 0, Long.MAX_VALUE);
        assertThat(want).hasSize(SAMPLES + SAMPLES / 50);
        head.close();
        head = new Head(LabelLimits.DEFAULT, 2 * HOUR, window, null, dir);
        HeadReplay r = head.replay(Long.MIN_VALUE, null, 2);
        r.series(1, series(0));
        for (long[] w : wal) {
            r.sample(1, 0, w[0], Double.longBitsToDouble(w[1]));
        }
        r.finish();
        assertThat(head.stats().chunks()).isEqualTo(5);
        assertThat(samples(head, series(0), 0, Long.MAX_VALUE)).isEqualTo(want);
        head.close();
    }

    @Test
    void damagedChunkFileIsCutBackWithAWarningAndTheWalRefillsIt() throws Exception {
        writeAndClose();
        Path file = chunkFiles().getFirst();
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, size / 2);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, size / 2);
        }
        List<String> warnings;
        Head head;
        try (LogMessages log = new LogMessages(HeadChunkFiles.class)) {
            head = replay(Long.MIN_VALUE, 0);
            warnings = log.messages();
        }
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains(file.getFileName().toString()).contains("damaged"));
        assertThat(Files.size(file)).isLessThan(size);
        for (int i = 0; i < SERIES; i++) {
            assertThat(samples(head, series(i), 0, Long.MAX_VALUE)).as("series %d", i).isEqualTo(expected(i));
        }
        head.close();
        // The refilled chunks were written again: a second replay needs nothing of the covered samples from the WAL.
        head = replay(479 * STEP, -1);
        for (int i = 0; i < SERIES; i++) {
            assertThat(samples(head, series(i), 0, Long.MAX_VALUE)).as("series %d", i).isEqualTo(expected(i));
        }
        head.close();
    }

    @Test
    void chunksGoToTheHeapWhenAFileCannotBeCreated() throws Exception {
        Files.createDirectories(dir.resolve("000001")); // where the first segment file would go
        Head head = newHead();
        appendAll(head, k -> {
        });
        for (int i = 0; i < SERIES; i++) {
            assertThat(samples(head, series(i), 0, Long.MAX_VALUE)).as("series %d", i).isEqualTo(expected(i));
        }
        head.close();
        // Nothing of them is on disk: the next replay takes every sample from the WAL, and the odd entry is ignored.
        head = replay(Long.MIN_VALUE, 0);
        assertThat(samples(head, series(0), 0, Long.MAX_VALUE)).isEqualTo(expected(0));
        head.close();
    }

    @Test
    void truncationDeletesFilesWhoseChunksAreAllOld() throws Exception {
        writeAndClose();
        Head head = replay(Long.MIN_VALUE, 0);
        List<Path> before = chunkFiles();
        head.truncateBefore(SAMPLES * STEP);
        assertThat(head.numSeries()).isZero();
        assertThat(chunkFiles()).doesNotContainAnyElementsOf(before);
        head.close();
    }

    @Test
    void queriesReadFullChunksWhileAppendsGoOn() throws Exception {
        Head head = newHead();
        appendAll(head, k -> {
            if (k % 97 == 0) {
                assertThat(samples(head, series(3), 0, Long.MAX_VALUE)).hasSize(k + 1).last()
                        .isEqualTo(k * STEP + "=" + value(3, k));
            }
        });
        assertThat(samples(head, series(3), 0, Long.MAX_VALUE)).isEqualTo(expected(3));
        head.close();
    }
}
