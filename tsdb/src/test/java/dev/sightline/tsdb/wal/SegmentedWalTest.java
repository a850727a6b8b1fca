package dev.sightline.tsdb.wal;

import dev.sightline.core.Labels;
import dev.sightline.tsdb.wal.WalTestSupport.Event;
import dev.sightline.tsdb.wal.WalTestSupport.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.sightline.tsdb.wal.WalTestSupport.eventsOf;
import static dev.sightline.tsdb.wal.WalTestSupport.fastOptions;
import static dev.sightline.tsdb.wal.WalTestSupport.randomBatch;
import static dev.sightline.tsdb.wal.WalTestSupport.replay;
import static dev.sightline.tsdb.wal.WalTestSupport.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SegmentedWalTest {
    @TempDir
    Path dir;

    private List<Event> writeRandom(SegmentedWal wal, Random rnd, int batches) throws IOException {
        List<Event> expected = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            WalBatch b = randomBatch(rnd, i * 10L, 1_700_000_000_000L + i * 15_000L);
            wal.write(b);
            expected.addAll(eventsOf(b));
        }
        return expected;
    }

    private static WalBatch floats(long ref, long t0, int n) {
        WalBatch b = new WalBatch();
        for (int i = 0; i < n; i++) {
            b.addSample(ref + i, 0, t0 + i, i * 0.5);
        }
        return b;
    }

    @Test
    void roundTripsEveryRecordTypeExactly() throws IOException {
        for (long seed = 1; seed <= 5; seed++) {
            Path d = dir.resolve("seed" + seed);
            List<Event> expected;
            try (SegmentedWal wal = SegmentedWal.open(d, fastOptions())) {
                expected = writeRandom(wal, new Random(seed), 100);
            }
            assertThat(expected).anyMatch(e -> e.kind() == 'H').anyMatch(e -> e.kind() == 'S');
            try (SegmentedWal wal = SegmentedWal.open(d, fastOptions())) {
                assertThat(replay(wal)).containsExactlyElementsOf(expected);
                assertThat(wal.corruptionsDetected()).isZero();
            }
        }
    }

    /**
     * Series and exemplar labels are encoded through a 16 KB array copied into the record in parts: a batch of
     * thousands of series, and single labels far larger than the array (ASCII, accented, astral), round-trip exactly.
     */
    @Test
    void roundTripsLabelsLargerThanTheEncodersArrayAndBatchesOfManySeries() throws IOException {
        Random rnd = new Random(7);
        WalBatch b = new WalBatch();
        for (int i = 0; i < 3000; i++) {
            b.addSeries(1 + i, WalTestSupport.randomLabels(rnd));
        }
        String ascii = "a".repeat(40_000);
        String accented = "é".repeat(20_000);
        String astral = "😀x".repeat(9_000);
        b.addSeries(5000, Labels.of(Labels.METRIC_NAME, "big", "a", ascii, "b", accented, "c", astral));
        b.addSeries(5001, Labels.of(Labels.METRIC_NAME, "small"));
        for (int i = 0; i < 3000; i++) {
            b.addSample(1 + i, 0, 1000 + i, i);
        }
        b.addExemplar(5000, 1000, 1.5, Labels.of("trace_id", astral));
        for (int i = 0; i < 500; i++) {
            b.addExemplar(1 + i, 1000 + i, i, WalTestSupport.randomLabels(rnd));
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            wal.awaitDurable(wal.append(b));
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            assertThat(replay(wal)).containsExactlyElementsOf(eventsOf(b));
            assertThat(wal.corruptionsDetected()).isZero();
        }
    }

    @Test
    void rollsOverToNewSegmentsAndContinuesTheLastAfterReplay() throws IOException {
        WalOptions opts = fastOptions().withSegmentSizeBytes(1024);
        List<Event> expected;
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            expected = new ArrayList<>(writeRandom(wal, new Random(7), 200));
        }
        List<Path> segs = segmentFiles(dir);
        assertThat(segs.size()).isGreaterThan(5);
        assertThat(segs.getFirst().getFileName().toString()).isEqualTo("00000001");
        for (Path p : segs.subList(0, segs.size() - 1)) {
            assertThat(Files.size(p)).isPositive();
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            assertThat(replay(wal)).containsExactlyElementsOf(expected);
            WalBatch b = floats(1, 5, 3);
            wal.write(b);
            expected.addAll(eventsOf(b));
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            assertThat(replay(wal)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void tornLastRecordIsDroppedAtEveryByteOffset() throws IOException {
        Path src = dir.resolve("src");
        List<Event> kept = new ArrayList<>();
        long lastStart;
        try (SegmentedWal wal = SegmentedWal.open(src, fastOptions())) {
            WalBatch first = randomBatch(new Random(3), 0, 1000);
            wal.write(first);
            kept.addAll(eventsOf(first));
            lastStart = Files.size(src.resolve("00000001"));
            wal.write(floats(100, 2000, 5)); // one samples record
        }
        byte[] full = Files.readAllBytes(src.resolve("00000001"));
        WalBatch after = floats(500, 9000, 2);
        for (int cut = (int) lastStart + 1; cut < full.length; cut++) {
            Path d = dir.resolve("cut" + cut);
            Files.createDirectories(d);
            Files.write(d.resolve("00000001"), java.util.Arrays.copyOf(full, cut));
            try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(d, fastOptions())) {
                assertThat(replay(wal)).as("cut at %d", cut).containsExactlyElementsOf(kept);
                assertThat(log.warnings).as("cut at %d", cut).singleElement().asString()
                        .contains(d.resolve("00000001").toString()).contains("offset " + lastStart);
                assertThat(Files.size(d.resolve("00000001"))).isEqualTo(lastStart);
                wal.write(after);
                assertThat(segmentFiles(d)).as("new writes continue the repaired segment").hasSize(1);
            }
            try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(d, fastOptions())) {
                List<Event> expected = new ArrayList<>(kept);
                expected.addAll(eventsOf(after));
                assertThat(replay(wal)).as("cut at %d", cut).containsExactlyElementsOf(expected);
                assertThat(log.warnings).isEmpty();
            }
        }
    }

    @Test
    void flippedByteInLastRecordDropsOnlyThatRecord() throws IOException {
        List<Event> kept;
        long lastStart;
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            kept = writeRandom(wal, new Random(11), 10);
            lastStart = Files.size(dir.resolve("00000001"));
            wal.write(floats(7, 7, 10));
        }
        Path seg = dir.resolve("00000001");
        long size = Files.size(seg);
        for (long at = lastStart; at < size; at += 7) {
            byte[] bytes = Files.readAllBytes(seg);
            bytes[(int) at] ^= 0x10;
            Path d = dir.resolve("flip" + at);
            Files.createDirectories(d);
            Files.write(d.resolve("00000001"), bytes);
            try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(d, fastOptions())) {
                assertThat(replay(wal)).containsExactlyElementsOf(kept);
                assertThat(log.warnings).singleElement().asString().contains("offset " + lastStart);
                assertThat(wal.corruptionsDetected()).isEqualTo(1);
            }
        }
    }

    @Test
    void flippedByteInEarlierSegmentSkipsTheRestOfThatSegmentOnly() throws IOException {
        WalOptions opts = fastOptions().withSegmentSizeBytes(400);
        List<List<Event>> perBatch = new ArrayList<>();
        List<Long> segOfBatch = new ArrayList<>();
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            for (int i = 0; i < 30; i++) {
                WalBatch b = floats(i * 100L, i, 10); // ~125 bytes: three batches per segment
                wal.write(b);
                perBatch.add(eventsOf(b));
                segOfBatch.add((long) segmentFiles(dir).size());
            }
        }
        assertThat(segmentFiles(dir).size()).isGreaterThanOrEqualTo(5);
        Path second = dir.resolve("00000002");
        byte[] bytes = Files.readAllBytes(second);
        bytes[bytes.length / 2] ^= 0x01; // inside the second batch of segment 2
        Files.write(second, bytes);
        List<Event> expected = new ArrayList<>();
        boolean firstOfSegment2 = true;
        for (int i = 0; i < perBatch.size(); i++) {
            if (segOfBatch.get(i) == 2) {
                if (firstOfSegment2) {
                    expected.addAll(perBatch.get(i));
                    firstOfSegment2 = false;
                }
            } else {
                expected.addAll(perBatch.get(i));
            }
        }
        long sizeBefore = Files.size(second);
        try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            assertThat(replay(wal)).containsExactlyElementsOf(expected);
            assertThat(log.warnings).singleElement().asString().contains(second.toString())
                    .contains("offset ").contains("checksum mismatch").contains("later segments are still replayed");
        }
        assertThat(Files.size(second)).as("an earlier segment is left untouched").isEqualTo(sizeBefore);
    }

    @Test
    void damageEarlyInTheLastSegmentTruncatesFromThere() throws IOException {
        List<Event> first;
        long firstEnd;
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            WalBatch b = floats(1, 1, 5);
            wal.write(b);
            first = eventsOf(b);
            firstEnd = Files.size(dir.resolve("00000001"));
            writeRandom(wal, new Random(5), 20);
        }
        Path seg = dir.resolve("00000001");
        byte[] bytes = Files.readAllBytes(seg);
        bytes[(int) firstEnd + 1] ^= (byte) 0xFF; // the length field of the second record
        Files.write(seg, bytes);
        try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            assertThat(replay(wal)).containsExactlyElementsOf(first);
            assertThat(log.warnings).singleElement().asString().contains("offset " + firstEnd);
        }
        assertThat(Files.size(seg)).isEqualTo(firstEnd);
    }

    @Test
    void writeBeforeReplayStartsANewSegmentSoItNeverFollowsATornRecord() throws IOException {
        List<Event> expected = new ArrayList<>();
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            WalBatch b = floats(1, 1, 5);
            wal.write(b);
            expected.addAll(eventsOf(b));
        }
        Path seg = dir.resolve("00000001");
        Files.write(seg, new byte[]{WalRecordEncoder.SAMPLES, 0, 0}, java.nio.file.StandardOpenOption.APPEND);
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            WalBatch b = floats(2, 2, 5);
            wal.write(b);
            expected.addAll(eventsOf(b));
        }
        assertThat(segmentFiles(dir)).hasSize(2);
        try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            assertThat(replay(wal)).containsExactlyElementsOf(expected);
            assertThat(log.warnings).singleElement().asString().contains("torn record header");
        }
    }

    @Test
    void truncateCheckpointsKeptSeriesAndRecentSamplesAndDropsOldSegments() throws IOException {
        WalOptions opts = fastOptions().withSegmentSizeBytes(300);
        Labels a = Labels.of("__name__", "a");
        Labels b = Labels.of("__name__", "b");
        Labels c = Labels.of("__name__", "c");
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            WalBatch s = new WalBatch();
            s.addSeries(1, a);
            s.addSeries(2, b);
            s.addSeries(3, c);
            wal.write(s);
            for (int t = 0; t < 100; t++) {
                WalBatch x = new WalBatch();
                x.addSample(1, 0, t, t);
                x.addSample(2, 0, t, -t);
                x.addSample(3, 0, t, t * 2);
                if (t % 10 == 0) {
                    x.addHistogram(3, 0, t, WalTestSupport.randomHistogram(new Random(t)));
                }
                wal.write(x);
            }
            int before = segmentFiles(dir).size();
            assertThat(before).isGreaterThan(3);
            long sizeBefore = wal.sizeBytes();

            wal.truncate(50, ref -> ref != 2);

            assertThat(segmentFiles(dir)).hasSize(1).allMatch(p -> p.getFileName().toString().equals(String.format("%08d", before + 1)));
            assertThat(dir.resolve("checkpoint." + String.format("%08d", before))).exists();
            assertThat(wal.sizeBytes()).isLessThan(sizeBefore);

            WalBatch late = new WalBatch();
            late.addSeries(4, Labels.of("__name__", "d"));
            late.addSample(4, 0, 200, 1);
            wal.write(late);
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            List<Event> got = replay(wal);
            List<Event> expected = new ArrayList<>();
            expected.add(Event.series(1, a));
            expected.add(Event.series(3, c));
            for (int t = 50; t < 100; t++) {
                expected.add(Event.sample(1, t, t));
                expected.add(Event.sample(3, t, t * 2));
                if (t % 10 == 0) {
                    expected.add(Event.histogram(3, 0, t, WalTestSupport.randomHistogram(new Random(t))));
                }
            }
            expected.add(Event.series(4, Labels.of("__name__", "d")));
            expected.add(Event.sample(4, 200, 1));
            assertThat(got).containsExactlyElementsOf(expected);

            // A second truncation folds the previous checkpoint into the new one.
            wal.truncate(90, ref -> ref != 3);
            List<Event> again = replay(wal);
            assertThat(again).filteredOn(e -> e.kind() == 'S').extracting(Event::ref).containsExactly(1L, 4L);
            assertThat(again).filteredOn(e -> e.kind() != 'S').allMatch(e -> e.t() >= 90 && e.ref() != 3);
            assertThat(again).filteredOn(e -> e.kind() == 'F' && e.ref() == 1).hasSize(10);
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint."))).hasSize(1);
            }
        }
    }

    @Test
    void truncateWhileWritingKeepsEverySampleAtOrAfterMint() throws Exception {
        int batches = 400;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong(-1);
        long lastMint = 0;
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions().withSegmentSizeBytes(2048))) {
            Thread writer = new Thread(() -> {
                try {
                    WalBatch s = new WalBatch();
                    s.addSeries(1, Labels.of("__name__", "x"));
                    wal.write(s);
                    for (int t = 0; t < batches; t++) {
                        wal.write(floats(1, t * 10L, 10));
                        written.set(t);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            while (writer.isAlive()) {
                lastMint = Math.max(0, written.get() - 20) * 10;
                wal.truncate(lastMint, ref -> true);
                Thread.sleep(2);
            }
            writer.join();
        }
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            List<Event> got = replay(wal);
            assertThat(got.getFirst()).isEqualTo(Event.series(1, Labels.of("__name__", "x")));
            List<Event> samples = got.subList(1, got.size());
            assertThat(samples).allMatch(e -> e.kind() == 'F');
            // What survives is, in order, exactly the samples from some point at or before lastMint to the end.
            long firstT = samples.getFirst().t();
            assertThat(firstT).isLessThanOrEqualTo(lastMint);
            for (int i = 0; i < samples.size(); i++) {
                long t = firstT + i;
                assertThat(samples.get(i)).isEqualTo(Event.sample(1 + t % 10, t, (t % 10) * 0.5));
            }
            assertThat(samples.getLast().t()).isEqualTo(batches * 10L - 1);
        }
    }

    @Test
    void openCleansUpAfterATruncateThatCrashedHalfway() throws IOException {
        List<Event> expected;
        Path walDir = dir.resolve("wal");
        try (SegmentedWal wal = SegmentedWal.open(walDir, fastOptions().withSegmentSizeBytes(200))) {
            expected = writeRandom(wal, new Random(9), 30);
        }
        List<Path> segs = segmentFiles(walDir);
        Path keepCopy = dir.resolve("copy-of-first");
        Files.copy(segs.getFirst(), keepCopy);
        try (SegmentedWal wal = SegmentedWal.open(walDir, fastOptions().withSegmentSizeBytes(200))) {
            replay(wal);
            wal.truncate(Long.MIN_VALUE, ref -> true);
        }
        // Crash after the checkpoint rename but before the deletions: an old segment is back, plus a stray temp file.
        Files.copy(keepCopy, segs.getFirst());
        Files.write(walDir.resolve("checkpoint.00000099.tmp"), new byte[]{1, 2, 3});
        try (LogCapture log = new LogCapture(); SegmentedWal wal = SegmentedWal.open(walDir, fastOptions())) {
            assertThat(segs.getFirst()).doesNotExist();
            assertThat(walDir.resolve("checkpoint.00000099.tmp")).doesNotExist();
            assertThat(replay(wal)).containsExactlyElementsOf(expected);
            assertThat(log.warnings).isEmpty();
        }
    }

    @Test
    void alwaysPolicyReportsAnFsyncPerWriteAndNeverReportsNone() throws IOException {
        List<Double> seen = new CopyOnWriteArrayList<>();
        try (SegmentedWal wal = SegmentedWal.open(dir.resolve("always"),
                WalOptions.defaults().withFsyncSecondsObserver(seen::add))) {
            for (int i = 0; i < 5; i++) {
                wal.write(floats(i, i, 3));
            }
            assertThat(seen).hasSize(5).allMatch(s -> s >= 0 && s < 60);
        }
        List<Double> never = new CopyOnWriteArrayList<>();
        try (SegmentedWal wal = SegmentedWal.open(dir.resolve("never"),
                fastOptions().withFsyncSecondsObserver(never::add))) {
            for (int i = 0; i < 5; i++) {
                wal.write(floats(i, i, 3));
            }
            assertThat(never).isEmpty();
        }
    }

    @Test
    void batchPolicyCatchesUpInTheBackground() throws Exception {
        CountDownLatch synced = new CountDownLatch(1);
        WalOptions opts = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.BATCH).withBatchFsyncIntervalMs(20)
                .withFsyncSecondsObserver(s -> synced.countDown());
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            wal.write(floats(1, 1, 3)); // within the first interval: not synced inline
            assertThat(synced.await(10, TimeUnit.SECONDS)).as("background fsync ran").isTrue();
        }
    }

    @Test
    void concurrentWritesAreSerializedWholeBatchesAndShareFsyncs() throws Exception {
        int threads = 4;
        int perThread = 100;
        java.util.concurrent.atomic.AtomicInteger fsyncs = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        WalOptions opts = WalOptions.defaults().withSegmentSizeBytes(4096).withFsyncSecondsObserver(s -> fsyncs.incrementAndGet());
        try (SegmentedWal wal = SegmentedWal.open(dir, opts)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                long base = th * 1_000_000L;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        wal.write(floats(base, i * 10L, 10));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        // Every write returned after an fsync covering it; group commit lets one fsync cover several writers.
        assertThat(fsyncs.get()).isBetween(1, threads * perThread + 200);
        System.out.println("group commit: " + threads * perThread + " ALWAYS writes from " + threads + " threads took " + fsyncs.get() + " fsyncs");
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            List<Event> got = replay(wal);
            assertThat(got).hasSize(threads * perThread * 10);
            for (int i = 0; i < got.size(); i += 10) {
                Event head = got.get(i);
                for (int j = 1; j < 10; j++) { // every batch arrives whole and in order
                    assertThat(got.get(i + j).ref()).isEqualTo(head.ref() + j);
                    assertThat(got.get(i + j).t()).isEqualTo(head.t() + j);
                }
            }
        }
    }

    @Test
    void writingFloatSamplesDoesNotAllocatePerSample() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        WalBatch big = floats(1000, 1_700_000_000_000L, 10_000);
        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            for (int i = 0; i < 5; i++) {
                wal.write(big); // grows buffers and warms up
            }
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 10; i++) {
                wal.write(big);
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            // 100,000 samples written: even one byte per sample would be 100 KB.
            assertThat(allocated).isLessThan(20_000);
        }
    }

    @Test
    void writeAfterCloseFailsAndCloseIsIdempotent() throws IOException {
        SegmentedWal wal = SegmentedWal.open(dir, fastOptions());
        wal.write(floats(1, 1, 1));
        wal.close();
        wal.close();
        assertThatThrownBy(() -> wal.write(floats(1, 2, 1))).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }
}
