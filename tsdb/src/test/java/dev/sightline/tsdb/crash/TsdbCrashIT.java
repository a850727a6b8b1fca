package dev.sightline.tsdb.crash;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.LogMessages;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.sightline.tsdb.crash.TsdbCrashChild.METRIC;
import static dev.sightline.tsdb.crash.TsdbCrashChild.SERIES;
import static dev.sightline.tsdb.crash.TsdbCrashChild.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole-database durability: a child JVM commits batches to a Tsdb and is killed with SIGKILL; the database reopened
 * in this JVM must return every acknowledged sample with its exact value, and accept new writes that survive a
 * clean restart.
 */
class TsdbCrashIT {
    @TempDir
    Path dataDir;

    @Test
    void everyAcknowledgedSampleSurvivesKillMinus9() throws Exception {
        long step = 1000;
        long acked = runChildAndKill(step, 0, 0, 0);
        if (acked >= 120) {
            // Full chunks were cut: replay then rebuilds the head from chunks_head/ and the WAL together.
            try (Stream<Path> files = Files.list(dataDir.resolve("chunks_head"))) {
                assertThat(files.mapToLong(p -> p.toFile().length()).sum()).as("head chunk bytes on disk").isGreaterThan(8);
            }
        }
        assertRecovered(step, 0, acked);
    }

    @Test
    void everyAcknowledgedSampleSurvivesKillDuringHeadPersistence() throws Exception {
        // One-minute blocks and a flushHead() every 50 ms: the kill lands during block writes and WAL truncation.
        long step = 1000;
        long blockMs = 60_000;
        long acked = runChildAndKill(step, blockMs, 50, 0);
        try (Stream<Path> s = Files.list(dataDir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("wal") && !n.equals("lock") && !n.equals("chunks_head")
                    && !n.equals("corrupted"))).as("blocks were persisted before the kill").isNotEmpty();
        }
        long recovered = assertRecovered(step, blockMs, acked);
        // A second crash on top of the recovered (and repaired) data directory.
        acked = runChildAndKill(step, blockMs, 50, recovered + 1);
        assertRecovered(step, blockMs, acked);
    }

    @Test
    void everyAcknowledgedSampleSurvivesKillMinus9AfterACleanRestart() throws Exception {
        long step = 1000;
        // A first run ends with a clean close, which writes the head snapshot (full chunks were cut at 120 samples).
        runChildToCleanClose(step, 299);
        assertThat(dataDir.resolve("head_snapshot")).as("snapshot written on clean close").exists();
        // The second run starts from it, ingests on and is killed mid-ingest: no new snapshot, the WAL has the rest.
        long acked = runChildAndKill(step, 0, 0, 300);
        List<String> logged;
        try (LogMessages log = new LogMessages(Tsdb.class)) {
            assertRecovered(step, 0, acked);
            logged = log.messages();
        }
        assertThat(logged).as("the restart after the kill loaded the first run's snapshot, then the WAL after it")
                .anyMatch(m -> m.startsWith("loaded head snapshot"));
    }

    /** Runs the child for batches 0..lastBatch and lets it close the database and exit by itself. */
    private void runChildToCleanClose(long stepMs, long lastBatch) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                TsdbCrashChild.class.getName(), dataDir.toString(), Long.toString(stepMs), "0", "0", "0",
                Long.toString(lastBatch))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        assertThat(child.exitValue()).isZero();
    }

    /** Starts the child, lets it commit for about 2 s, kills it with SIGKILL and returns the last acknowledged batch. */
    private long runChildAndKill(long stepMs, long blockDurationMs, long flushEveryMs, long firstBatch) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                TsdbCrashChild.class.getName(), dataDir.toString(), Long.toString(stepMs),
                Long.toString(blockDurationMs), Long.toString(flushEveryMs), Long.toString(firstBatch))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        AtomicLong lastAck = new AtomicLong(firstBatch - 1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("ACK ")) {
                        lastAck.set(Long.parseLong(line.substring(4)));
                    }
                }
            } catch (IOException e) {
                System.out.println("TsdbCrashIT: reading acks ended with " + e);
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastAck.get() < firstBatch && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(lastAck.get()).as("child acknowledged a commit").isGreaterThanOrEqualTo(firstBatch);
            Thread.sleep(2000);
            assertThat(child.isAlive()).as("child still running (exit code would be " + (child.isAlive() ? "" : child.exitValue()) + ")").isTrue();
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            reader.join(5000);
        }
        return lastAck.get();
    }

    /** Reopens the database, checks it, writes one more batch, reopens and checks again; returns that batch. */
    private long assertRecovered(long stepMs, long blockDurationMs, long acked) throws IOException {
        TsdbOptions opts = TsdbOptions.defaults();
        if (blockDurationMs > 0) {
            opts = opts.withBlockDurationMs(blockDurationMs);
        }
        long recovered;
        try (Tsdb db = Tsdb.open(dataDir, opts)) {
            recovered = assertSamples(db, stepMs, acked);
            // New writes after recovery land and survive a clean restart.
            Appender app = db.appender();
            long batch = recovered + 1;
            for (int s = 0; s < SERIES; s++) {
                app.append(0, TsdbCrashChild.labels(s), T0 + batch * stepMs, TsdbCrashChild.value(s, batch));
            }
            app.commit();
        }
        try (Tsdb db = Tsdb.open(dataDir, opts)) {
            assertThat(assertSamples(db, stepMs, recovered + 1)).isEqualTo(recovered + 1);
        }
        System.out.println("TsdbCrashIT: acknowledged batches 0.." + acked + ", recovered 0.." + recovered
                + " (" + SERIES + " series each)");
        return recovered + 1;
    }

    /**
     * Checks that every series holds exactly batches 0..m with their exact values, for one m at least {@code acked}
     * (a commit is all or nothing), and returns m.
     */
    private static long assertSamples(Tsdb db, long stepMs, long acked) {
        long last = -1;
        Set<Labels> seen = new HashSet<>();
        try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet ss = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("__name__", METRIC));
            SampleIterator it = null;
            while (ss.next()) {
                Series series = ss.at();
                int s = Integer.parseInt(series.labels().get("series"));
                assertThat(series.labels()).isEqualTo(TsdbCrashChild.labels(s));
                assertThat(seen.add(series.labels())).as("series %s returned once", series.labels()).isTrue();
                it = series.iterator(it);
                long batch = 0;
                ValueType vt;
                while ((vt = it.next()) != ValueType.NONE) {
                    assertThat(vt).isEqualTo(ValueType.FLOAT);
                    assertThat(it.timestamp()).as("series %d sample %d", s, batch).isEqualTo(T0 + batch * stepMs);
                    assertThat(Double.doubleToRawLongBits(it.value())).as("series %d batch %d value", s, batch)
                            .isEqualTo(Double.doubleToRawLongBits(TsdbCrashChild.value(s, batch)));
                    batch++;
                }
                long m = batch - 1;
                assertThat(m).as("series %d: last batch vs last acknowledged", s).isGreaterThanOrEqualTo(acked);
                if (last < 0) {
                    last = m;
                } else {
                    assertThat(m).as("series %d holds as many batches as the others (commits are atomic)", s).isEqualTo(last);
                }
            }
        }
        assertThat(seen).hasSize(SERIES);
        return last;
    }
}
