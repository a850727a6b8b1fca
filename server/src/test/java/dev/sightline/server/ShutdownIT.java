package dev.sightline.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM on a real child JVM: clean stop, exit code 0, the head snapshot written, data directory usable again right
 * after (from that snapshot).
 */
class ShutdownIT {
    @TempDir
    Path tmp;

    @Test
    void sigtermStopsCleanlyWithExitZeroAndReleasesTheDataDir() throws Exception {
        for (int run = 1; run <= 2; run++) {
            ChildServer child = ChildServer.start(tmp.resolve("data"), tmp.resolve("run" + run + ".log"));
            try {
                child.awaitReady();
                child.process().destroy(); // SIGTERM on Linux
                assertThat(child.process().waitFor(20, TimeUnit.SECONDS)).as("exited in time, run " + run).isTrue();
                assertThat(child.process().exitValue()).as("exit code, run " + run + "\n" + child.output()).isZero();
                assertThat(child.output()).contains("storage closed").contains("Sightline stopped");
                // The clean stop wrote the head snapshot, and the second start loaded it.
                assertThat(tmp.resolve("data").resolve("head_snapshot")).as("run " + run).exists();
                if (run == 2) {
                    assertThat(child.output()).contains("loaded head snapshot");
                }
            } finally {
                child.process().destroyForcibly();
            }
        }
    }
}
