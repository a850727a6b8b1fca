package dev.sightline.tsdb.crash;

import dev.sightline.core.LabelMatcher;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.Tsdb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sightline.tsdb.crash.TsdbDeleteCrashChild.END;
import static dev.sightline.tsdb.crash.TsdbDeleteCrashChild.MAXT;
import static dev.sightline.tsdb.crash.TsdbDeleteCrashChild.MINT;
import static dev.sightline.tsdb.crash.TsdbDeleteCrashChild.SERIES;
import static dev.sightline.tsdb.crash.TsdbDeleteCrashChild.STEP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A delete acknowledged survives kill -9: the blocks' tombstones files and the head's WAL tombstone records (written
 * after a head snapshot was loaded, so they are only in the WAL) come back on reopen, and again after a clean close
 * (now in the head snapshot).
 */
class TsdbDeleteCrashIT {
    @TempDir
    Path dataDir;

    @Test
    void anAcknowledgedDeleteSurvivesKillMinus9() throws Exception {
        Process fill = child("fill").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(fill.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(fill.exitValue()).isZero();
        assertThat(dataDir.resolve("head_snapshot")).exists();

        Process child = child("delete").start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(r.readLine()).isEqualTo("DELETED");
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(dataDir.resolve("head_snapshot")).as("the killed run wrote none").exists();
        try (Tsdb db = Tsdb.open(dataDir, TsdbDeleteCrashChild.options())) {
            assertDeleted(db);
        }
        try (Tsdb db = Tsdb.open(dataDir, TsdbDeleteCrashChild.options())) {
            assertDeleted(db);
        }
    }

    /** The child JVM in {@code mode}, on this JVM's class path, its stderr shown. */
    private ProcessBuilder child(String mode) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                TsdbDeleteCrashChild.class.getName(), dataDir.toString(), mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    private static void assertDeleted(Tsdb db) {
        assertThat(db.blocks()).hasSize(2);
        try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet ss = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("__name__", "delete_crash"));
            SampleIterator it = null;
            int n = 0;
            while (ss.next()) {
                n++;
                boolean a = ss.at().labels().get("job").equals("a");
                List<Long> ts = new ArrayList<>();
                it = ss.at().iterator(it);
                while (it.next() != ValueType.NONE) {
                    ts.add(it.timestamp());
                }
                List<Long> expected = new ArrayList<>();
                for (long t = 0; t < END; t += STEP) {
                    if (!a || t < MINT || t > MAXT) {
                        expected.add(t);
                    }
                }
                assertThat(ts).as("%s", ss.at().labels()).isEqualTo(expected);
            }
            assertThat(n).isEqualTo(SERIES);
        }
    }
}
