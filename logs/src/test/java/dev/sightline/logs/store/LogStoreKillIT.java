package dev.sightline.logs.store;

import dev.sightline.logs.LogSelection;
import dev.sightline.core.KilledChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a child JVM ({@link LogStoreKillChild}) with SIGKILL while it commits lines and checkpoints, leaves half a
 * record of garbage at the WAL's end (as a crash mid-write does), reopens its store and checks that every
 * acknowledged line is there exactly once (replay neither loses nor doubles) and that the torn tail did not fail the
 * open.
 */
class LogStoreKillIT {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedLineSurvivesKillMinus9ExactlyOnce() throws Exception {
        for (int round = 0; round < 2; round++) { // the second round kills a store that itself replayed a WAL
            Set<Long> acked = runAndKill(round * 1_000_000L);
            tearWalTail();
            try (LuceneLogStore store = LuceneLogStore.open(dir, LuceneLogStore.defaultOptions()
                    .withRetention(Duration.ZERO, 0))) {
                Map<Long, Set<String>> batches = new HashMap<>();
                Map<Long, Integer> counts = new HashMap<>();
                store.querier().select(LogSelection.streams(Long.MIN_VALUE, Long.MAX_VALUE, List.of()), e -> {
                    long b = Long.parseLong(e.line().substring(6, e.line().indexOf(' ')));
                    batches.computeIfAbsent(b, k -> new HashSet<>()).add(e.line());
                    counts.merge(b, 1, Integer::sum);
                    return true;
                });
                for (long b : acked) {
                    assertThat(batches.get(b)).as("batch %d", b).hasSize(LogStoreKillChild.LINES);
                }
                // A commit is one WAL record: a batch is there whole or not at all, and never twice.
                assertThat(counts.values()).allMatch(n -> n == LogStoreKillChild.LINES);
                System.out.println("LogStoreKillIT: round " + round + ": " + acked.size() + " acknowledged batches of "
                        + LogStoreKillChild.LINES + " lines all present once (" + counts.size() + " batches stored)");
            }
        }
    }

    /**
     * A child deletes lines from stored blocks and open heads (their WAL records not yet checkpointed), acknowledges,
     * commits one more line and is killed: after the reopen the deleted lines stay deleted (replay did not bring them
     * back) and everything else, the later line included, is there.
     */
    @Test
    void anAcknowledgedDeleteSurvivesKillMinus9() throws Exception {
        long deleted = -1;
        for (String line : KilledChild.runUntil("ACK", LogDeleteKillChild.class, dir.toString())) {
            if (line.startsWith("DELETED ")) {
                deleted = Long.parseLong(line.substring(8));
            }
        }
        // Lines i with i % 2 == 0 are a's; those with i % 4 < 2 say "secret": i % 4 == 0, a quarter of them.
        assertThat(deleted).isEqualTo(LogDeleteKillChild.LINES / 4);
        try (LuceneLogStore store = LuceneLogStore.open(dir, LuceneLogStore.defaultOptions()
                .withRetention(Duration.ZERO, 0))) {
            List<String> lines = new java.util.ArrayList<>();
            store.querier().select(LogSelection.streams(Long.MIN_VALUE, Long.MAX_VALUE, List.of()),
                    e -> lines.add(e.stream().get("service") + " " + e.line()));
            assertThat(lines).hasSize(LogDeleteKillChild.LINES * 3 / 4 + 1).contains("a later secret=kept")
                    .noneMatch(l -> l.startsWith("a i=") && l.contains("secret"));
            System.out.println("LogStoreKillIT: " + deleted + " lines deleted and acknowledged, killed: " + lines.size()
                    + " lines after replay, none of the deleted");
        }
    }

    /** Appends a record header promising more bytes than follow, to the newest WAL segment. */
    private void tearWalTail() throws Exception {
        Path last;
        try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
            last = s.filter(p -> p.toString().endsWith(".wal")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        Files.write(last, new byte[] {0, 0, 1, 0, 9, 9, 9, 9, 0, 0, 0}, StandardOpenOption.APPEND);
    }

    private Set<Long> runAndKill(long firstBatch) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LogStoreKillChild.class.getName(), dir.toString(), Long.toString(firstBatch))
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
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
