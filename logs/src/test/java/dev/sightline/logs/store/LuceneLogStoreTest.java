package dev.sightline.logs.store;

import dev.sightline.timeindex.StoreOptions;
import dev.sightline.core.FileTrees;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogSelection;
import dev.sightline.timeindex.Wal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the disk store does beyond the contract: unreadable WAL records, retention, options, compression. */
class LuceneLogStoreTest {
    /** On an hour boundary, so hour h is partition h. */
    private static final long T0 = 1_699_999_200_000_000_000L;
    private static final long HOUR = 3_600_000_000_000L;

    /** The lines here are from 2023: kept forever unless a test says otherwise. */
    private static final StoreOptions KEEP = LuceneLogStore.defaultOptions().withRetention(Duration.ZERO, 0);

    @TempDir
    Path dir;

    private static List<String> lines(LuceneLogStore store) {
        List<String> out = new ArrayList<>();
        store.querier().select(LogSelection.streams(Long.MIN_VALUE, Long.MAX_VALUE, List.of()), e -> out.add(e.line()));
        return out;
    }

    @Test
    void aWalRecordThatIsNotALogRecordIsSkippedAndTheRestReplayed() throws IOException {
        // A record with a good checksum but a payload that is not a log record (a bug, a foreign file), between two
        // good ones written by a store that then crashed (no checkpoint: its lines are only in the WAL).
        try (LuceneLogStore store = LuceneLogStore.open(dir, KEEP)) {
            LogAppender a = store.appender();
            a.append(Labels.of("service", "a"), T0, "before", Labels.EMPTY);
            a.commit();
        }
        try (Wal wal = Wal.open(dir.resolve("wal"), 1 << 20, 0, (seq, payload) -> { })) {
            byte[] junk = {5, 0, 1, 2, 3};
            wal.sync(wal.append(junk, 0, junk.length));
            byte[] truncated = {1, 0}; // one entry, flags, then nothing
            wal.sync(wal.append(truncated, 0, truncated.length));
        }
        try (LuceneLogStore store = LuceneLogStore.open(dir, KEEP)) {
            assertThat(lines(store)).containsExactly("before");
            LogAppender a = store.appender();
            a.append(Labels.of("service", "a"), T0 + 1, "after", Labels.EMPTY);
            a.commit();
        }
        try (LuceneLogStore store = LuceneLogStore.open(dir, KEEP)) {
            assertThat(lines(store)).containsExactly("before", "after");
        }
    }

    @Test
    void retentionDropsWholePartitionsOldestFirstByAgeAndSize() throws IOException {
        StoreOptions o = LuceneLogStore.defaultOptions().withRetention(Duration.ofHours(2), 0);
        try (LuceneLogStore store = LuceneLogStore.open(dir, o)) {
            LogAppender a = store.appender();
            for (int h = 0; h < 5; h++) {
                a.append(Labels.of("service", "a"), T0 + h * HOUR, "hour " + h, Labels.EMPTY);
            }
            a.commit();
            assertThat(store.enforceRetention(T0 + 5 * HOUR)).isEqualTo(3); // those ending at or before now - 2h
            assertThat(lines(store)).containsExactly("hour 3", "hour 4");
        }
        try (LuceneLogStore store = LuceneLogStore.open(dir, o.withRetention(Duration.ZERO, 1))) {
            assertThat(store.enforceRetention(T0)).isEqualTo(1); // over any size: all but the newest go
            assertThat(lines(store)).containsExactly("hour 4");
        }
    }

    @Test
    void partitionsFollowTheConfiguredDuration() throws IOException {
        StoreOptions o = KEEP.withPartition(Duration.ofMinutes(10));
        try (LuceneLogStore store = LuceneLogStore.open(dir, o)) {
            LogAppender a = store.appender();
            a.append(Labels.of("service", "a"), T0, "x", Labels.EMPTY);
            a.append(Labels.of("service", "a"), T0 + HOUR, "y", Labels.EMPTY);
            a.commit();
            assertThat(store.partitions.all()).hasSize(2).allMatch(s -> s.end() - s.start() == 600_000_000_000L);
        }
    }

    @Test
    void optionsRejectNonsense() {
        StoreOptions d = LuceneLogStore.defaultOptions();
        assertThat(d.partition()).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> d.withPartition(Duration.ZERO)).hasMessageContaining("partition duration");
        assertThatThrownBy(() -> d.withRetention(Duration.ofHours(-1), 0)).hasMessageContaining("retention time");
        assertThatThrownBy(() -> d.withRetention(Duration.ZERO, -1)).hasMessageContaining("retention size");
        assertThatThrownBy(() -> d.withCheckpoints(Duration.ZERO, 1)).hasMessageContaining("checkpoint");
    }

    @Test
    void realisticLinesTakeFarLessRoomThanTheirText() throws IOException {
        dev.sightline.logs.LogLines gen = new dev.sightline.logs.LogLines(1);
        long raw = 0;
        try (LuceneLogStore store = LuceneLogStore.open(dir, KEEP)) {
            LogAppender a = store.appender();
            for (int i = 0; i < 40_000; i++) {
                int s = i % gen.streamCount();
                String line = gen.line(s, T0 / 1_000_000 + i);
                raw += line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                a.append(gen.stream(s), T0 + i * 1_000_000L, line, Labels.of(LogEntry.LEVEL, "info"));
                if (i % 1000 == 999) {
                    a.commit();
                }
            }
        }
        double ratio = (double) raw / FileTrees.sizeOf(dir);
        System.out.printf("LuceneLogStoreTest: 40,000 realistic lines, %d bytes of text, %.2fx on disk%n", raw, ratio);
        // The target is 6x on long runs; 40,000 lines over 50 streams fill few blocks.
        assertThat(ratio).isGreaterThan(3.0);
        assertThat(Files.exists(dir.resolve("wal"))).isTrue();
    }

    /**
     * Half the lines of a partition (one of two tenants' streams) deleted: the index shrinks once merged, and what is
     * left reads back whole after a reopen.
     */
    @Test
    void deletingHalfAPartitionShrinksItsIndexOnceMerged() throws IOException {
        StoreOptions options = LuceneLogStore.defaultOptions().withRetention(Duration.ZERO, 0);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        long before;
        long deleted;
        try (LuceneLogStore store = LuceneLogStore.open(dir, options)) {
            for (int batch = 0; batch < 20; batch++) {
                LogAppender a = store.appender();
                for (int i = 0; i < 10_000; i++) {
                    String tenant = i % 2 == 0 ? "a" : "b";
                    a.append(Labels.of("__tenant__", tenant, "service", "svc" + i % 5), T0 + batch * 10_000L + i,
                            "tenant=" + tenant + " id=" + Long.toHexString(r.nextLong()) + " took=" + r.nextInt(1000)
                                    + "ms user=" + Long.toString(r.nextLong(), 36), Labels.EMPTY);
                }
                a.commit();
                store.checkpoint(); // segments of their own, as an hour of checkpoints makes
            }
            before = store.sizeBytes();
            deleted = store.delete(LogSelection.streams(Long.MIN_VALUE, Long.MAX_VALUE,
                    List.of(dev.sightline.core.LabelMatcher.eq("__tenant__", "a"))));
        }
        long after;
        try (LuceneLogStore store = LuceneLogStore.open(dir, options)) {
            after = store.sizeBytes();
            assertThat(store.querier().stats(Long.MIN_VALUE, Long.MAX_VALUE, List.of()).entries()).isEqualTo(100_000);
            assertThat(store.querier().series(Long.MIN_VALUE, Long.MAX_VALUE, List.of()))
                    .allMatch(l -> l.get("__tenant__").equals("b"));
        }
        System.out.printf("LuceneLogStoreTest: 200000 lines, %d deleted (tenant a): %d bytes before, %d after merge"
                + " and reopen (%.0f%%)%n", deleted, before, after, 100.0 * after / before);
        assertThat(deleted).isEqualTo(100_000);
        assertThat(after).isLessThan(before * 7 / 10);
    }
}
