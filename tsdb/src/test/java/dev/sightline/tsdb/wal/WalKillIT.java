package dev.sightline.tsdb.wal;

import dev.sightline.tsdb.wal.WalTestSupport.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sightline.tsdb.wal.WalTestSupport.fastOptions;
import static dev.sightline.tsdb.wal.WalTestSupport.replay;
import static org.assertj.core.api.Assertions.assertThat;

/** Kills a writing child JVM with SIGKILL and checks that every batch it acknowledged replays, start timestamps too. */
class WalKillIT {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedBatchSurvivesKillMinus9() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                WalKillChild.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        AtomicLong lastAck = new AtomicLong(-1);
        Thread readerThread = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("ACK ")) {
                        lastAck.set(Long.parseLong(line.substring(4)));
                    }
                }
            } catch (java.io.IOException e) {
                // the pipe breaks when the child is killed
            }
        });
        readerThread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lastAck.get() < 0 && System.nanoTime() < deadline && child.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(lastAck.get()).as("child acknowledged a write").isGreaterThanOrEqualTo(0);
        Thread.sleep(1500);
        long ackedBeforeKill = lastAck.get();
        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        readerThread.join(5000);
        long acked = lastAck.get(); // acks read after the kill signal still count: they were printed after write() returned
        assertThat(acked).isGreaterThanOrEqualTo(ackedBeforeKill);

        try (SegmentedWal wal = SegmentedWal.open(dir, fastOptions())) {
            List<Event> events = replay(wal);
            long seq = 0;
            int i = 0;
            // Batches replay whole and in order: 0, 1, 2, ... at least up to the last acknowledged one.
            while (i < events.size()) {
                if (seq % 10 == 0) {
                    assertThat(events.get(i).kind()).isEqualTo('S');
                    assertThat(events.get(i).ref()).isEqualTo(seq);
                    i++;
                    if (i == events.size()) {
                        break; // the series record of a batch that was not acknowledged
                    }
                }
                for (int k = 0; k < WalKillChild.SAMPLES_PER_BATCH; k++, i++) {
                    assertThat(events.get(i)).isEqualTo(Event.sample(seq, WalKillChild.start(seq, k), seq * 1000 + k, seq + k));
                }
                seq++;
            }
            assertThat(seq - 1).as("last complete batch replayed vs last acknowledged").isGreaterThanOrEqualTo(acked);
            System.out.println("WalKillIT: acknowledged " + (acked + 1) + " batches, replayed " + seq);
        }
    }
}
