package dev.sightline.traces.store;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.conformance.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static dev.sightline.traces.conformance.SpanData.HOUR;
import static dev.sightline.traces.conformance.SpanData.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What only the disk store has: partitions per hour, retention, quarantine, checkpoints and its options. */
class LuceneSpanStoreMaintenanceTest {
    @TempDir
    Path dir;

    private static final SpanResource R = SpanData.resource("svc");

    /** One trace per hour from T0, {@code perHour} spans each. */
    private static void fill(LuceneSpanStore store, int hours, int perHour) throws IOException {
        var a = store.appender();
        for (int h = 0; h < hours; h++) {
            List<StoredSpan> spans = new ArrayList<>();
            for (int i = 0; i < perHour; i++) {
                spans.add(SpanData.stored(R, SpanData.span(h + 1, i + 1, i == 0 ? 0 : 1, "op", SpanKind.SERVER,
                        T0 + h * HOUR + i, 10, StatusCode.OK, SpanData.attrs("payload", "x".repeat(200) + i))));
            }
            SpanData.commit(a, spans);
        }
    }

    private static int traceSize(LuceneSpanStore store, int hour) {
        return store.querier().trace(new TraceId(0x1234, hour + 1), Long.MIN_VALUE, Long.MAX_VALUE).size();
    }

    private List<Path> list(String sub) throws IOException {
        Path p = dir.resolve(sub);
        if (!Files.exists(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.sorted().toList();
        }
    }

    @Test
    void eachHourIsAPartitionAndRetentionByTimeDropsWholeOnes() throws IOException {
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions()
                .withRetention(Duration.ofHours(2), 0))) {
            fill(store, 5, 10);
            assertThat(list("partitions")).hasSize(5);
            // At T0 + 5h, keeping 2h keeps the partitions that end after T0 + 3h: hours 3 and 4.
            assertThat(store.enforceRetention(T0 + 5 * HOUR)).isEqualTo(3);
            assertThat(list("partitions")).hasSize(2);
            assertThat(traceSize(store, 2)).isZero();
            assertThat(traceSize(store, 3)).isEqualTo(10);
            assertThat(store.querier().search(new SpanQuery(Long.MIN_VALUE, Long.MAX_VALUE,
                    List.of(SpanCondition.service("svc")), 10, 1))).hasSize(2);
        }
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions())) {
            assertThat(traceSize(store, 0)).isZero(); // the WAL does not bring dropped partitions back
            assertThat(traceSize(store, 4)).isEqualTo(10);
        }
    }

    @Test
    void retentionBySizeDropsTheOldestPartitionsFirst() throws IOException {
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions()
                .withRetention(Duration.ZERO, 1))) {
            fill(store, 3, 200);
            store.checkpoint();
            assertThat(store.enforceRetention(T0)).isEqualTo(2); // never the newest
            assertThat(traceSize(store, 2)).isEqualTo(200);
            assertThat(traceSize(store, 0)).isZero();
            assertThat(store.sizeBytes()).isPositive();
        }
    }

    @Test
    void aCorruptPartitionIsQuarantinedWithAMessageAndTheRestServes() throws IOException {
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions())) {
            fill(store, 3, 100);
        }
        Path victim = list("partitions").get(1);
        Path biggest;
        try (Stream<Path> s = Files.list(victim)) {
            biggest = s.max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(biggest, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        List<String> warnings = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warnings.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger("dev.sightline.timeindex.TimePartitions");
        log.addHandler(h);
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions())) {
            assertThat(traceSize(store, 0)).isEqualTo(100);
            assertThat(traceSize(store, 1)).isZero();
            assertThat(traceSize(store, 2)).isEqualTo(100);
            assertThat(store.querier().serviceNames(Long.MIN_VALUE, Long.MAX_VALUE)).containsExactly("svc");
        } finally {
            log.removeHandler(h);
        }
        assertThat(warnings).anySatisfy(m -> assertThat(m).contains(victim.toString()).contains("quarantined"));
        assertThat(list("quarantine")).singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString()).startsWith(victim.getFileName() + "."));
    }

    @Test
    void aCheckpointEmptiesTheWalAndNothingIsReplayedTwice() throws IOException {
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions())) {
            fill(store, 2, 50);
            long before = walBytes();
            store.checkpoint();
            assertThat(walBytes()).isLessThan(before);
            fill(store, 2, 50); // the same spans again: stored twice, as appended twice
            assertThat(traceSize(store, 0)).isEqualTo(100);
        }
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions())) {
            assertThat(traceSize(store, 0)).isEqualTo(100);
            assertThat(traceSize(store, 1)).isEqualTo(100);
        }
    }

    private long walBytes() throws IOException {
        long sum = 0;
        for (Path p : list("wal")) {
            sum += Files.size(p);
        }
        return sum;
    }

    @Test
    void optionsAreChecked() {
        var d = LuceneSpanStore.defaultOptions();
        assertThat(d.partition()).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> d.withPartition(Duration.ZERO)).hasMessageContaining("partition duration must be positive");
        assertThatThrownBy(() -> d.withRetention(Duration.ofHours(-1), 0)).hasMessageContaining("retention time");
        assertThatThrownBy(() -> d.withRetention(Duration.ZERO, -1)).hasMessageContaining("retention size");
        assertThatThrownBy(() -> d.withCheckpoints(Duration.ZERO, 1)).hasMessageContaining("checkpoint interval");
    }


    /** One of two services' spans deleted: the index shrinks once merged, and the rest reads back after a reopen. */
    @Test
    void deletingHalfThePartitionsSpansShrinksTheIndexOnceMerged() throws IOException {
        var options = LuceneSpanStore.defaultOptions().withRetention(Duration.ZERO, 0);
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        SpanResource a = SpanData.resource("a");
        SpanResource b = SpanData.resource("b");
        long before;
        long deleted;
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, options)) {
            for (int batch = 0; batch < 10; batch++) {
                var app = store.appender();
                for (int i = 0; i < 5000; i++) {
                    int n = batch * 5000 + i;
                    app.append(n % 2 == 0 ? a : b, dev.sightline.core.span.InstrumentationScope.EMPTY, SpanData.span(
                            n / 8 + 1, n + 1, 0, "op" + n % 20, SpanKind.SERVER, T0 + n * 1000L, r.nextInt(1_000_000),
                            StatusCode.OK, SpanData.attrs("user", Long.toString(r.nextLong(), 36), "n", (long) n)));
                }
                app.commit();
                store.checkpoint();
            }
        }
        // Sizes are read right after an open, when the directory holds the last commit alone: while the store is open
        // it also holds what background merges are writing, which made one run's "before" 3.0 MB and another's 5.7.
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, options)) {
            before = store.sizeBytes();
            deleted = store.delete(List.of(SpanCondition.service("a")), Long.MIN_VALUE, Long.MAX_VALUE);
        }
        long after;
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, options)) {
            after = store.sizeBytes();
            assertThat(store.querier().serviceNames(Long.MIN_VALUE, Long.MAX_VALUE)).containsExactly("b");
            assertThat(store.querier().search(new SpanQuery(Long.MIN_VALUE, Long.MAX_VALUE, List.of(),
                    Integer.MAX_VALUE, Integer.MAX_VALUE)).stream().mapToInt(t -> t.matchedCount()).sum())
                    .isEqualTo(25_000);
        }
        System.out.printf("LuceneSpanStoreMaintenanceTest: 50000 spans, %d deleted (service a): %d bytes before, %d"
                + " after merge and reopen (%.0f%%)%n", deleted, before, after, 100.0 * after / before);
        assertThat(deleted).isEqualTo(25_000);
        // 25-51% measured: the "before" index is either 10 segments or already merged into one.
        assertThat(after).isLessThan(before * 8 / 10);
    }
}
