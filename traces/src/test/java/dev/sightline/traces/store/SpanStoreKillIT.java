package dev.sightline.traces.store;

import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.core.KilledChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a child JVM ({@link SpanStoreKillChild}) with SIGKILL while it commits spans and checkpoints, reopens its
 * store and checks that every acknowledged span is there exactly once (replay neither loses nor doubles).
 */
class SpanStoreKillIT {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedSpanSurvivesKillMinus9ExactlyOnce() throws Exception {
        for (int round = 0; round < 2; round++) { // the second round kills a store that itself replayed a WAL
            Set<Long> acked = runAndKill(round * 1_000_000L);
            try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions())) {
                SpanQuerier q = store.querier();
                for (long b : acked) {
                    List<StoredSpan> spans = q.trace(new TraceId(0x1234, b + 1), Long.MIN_VALUE, Long.MAX_VALUE);
                    assertThat(spans).as("batch %d", b).hasSize(SpanStoreKillChild.SPANS);
                    assertThat(spans.stream().map(s -> s.span().spanId()).distinct()).hasSize(SpanStoreKillChild.SPANS);
                }
                System.out.println("SpanStoreKillIT: round " + round + ": " + acked.size()
                        + " acknowledged batches of " + SpanStoreKillChild.SPANS + " spans all present once");
            }
        }
    }

    /**
     * A child deletes spans committed and spans only in the WAL, acknowledges, commits one more span and is killed:
     * after the reopen the deleted spans stay deleted (replay did not bring back a record none of whose spans is left
     * in the index) and everything else, the later span included, is there.
     */
    @Test
    void anAcknowledgedDeleteSurvivesKillMinus9() throws Exception {
        long deleted = -1;
        for (String line : KilledChild.runUntil("ACK", SpanDeleteKillChild.class, dir.toString())) {
            if (line.startsWith("DELETED ")) {
                deleted = Long.parseLong(line.substring(8));
            }
        }
        assertThat(deleted).isEqualTo(SpanDeleteKillChild.SPANS / 2);
        try (LuceneSpanStore store = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions()
                .withRetention(Duration.ZERO, 0))) {
            SpanQuery all = new SpanQuery(Long.MIN_VALUE, Long.MAX_VALUE, List.of(),
                    Integer.MAX_VALUE, Integer.MAX_VALUE);
            List<String> services = new ArrayList<>();
            store.querier().search(all).forEach(t -> t.matchedSpans().forEach(s -> services.add(s.serviceName()
                    + " " + s.span().name())));
            assertThat(services).hasSize(SpanDeleteKillChild.SPANS / 2 + 1).contains("a later")
                    .filteredOn(x -> x.startsWith("a ")).containsExactly("a later");
            System.out.println("SpanStoreKillIT: " + deleted + " spans deleted and acknowledged, killed: "
                    + services.size() + " spans after replay, none of the deleted");
        }
    }

    private Set<Long> runAndKill(long firstBatch) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SpanStoreKillChild.class.getName(), dir.toString(), Long.toString(firstBatch))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.startsWith("ACK ")) {
                        acked.add(Long.parseLong(line.substring(4)));
                    }
                }
            } catch (java.io.IOException e) {
                // the pipe breaks when the child is killed
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.size() < 200 && System.nanoTime() < deadline && child.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(acked.size()).as("batches acknowledged before the kill").isGreaterThanOrEqualTo(200);
        Thread.sleep(700);
        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        return acked; // acks read after the kill signal count too: each was printed after its commit returned
    }
}
