package dev.sightline.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sightline.server.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

class PromqlTestCommandTest {
    @TempDir
    Path tmp;

    private static final String LOAD = """
            load 1m
              metric{a="1"} 0+1x10

            """;

    @Test
    void reportsFailuresWithFileAndLineAndExitsOne() throws Exception {
        Path script = tmp.resolve("mixed.test");
        Files.writeString(script, LOAD + """
                eval instant at 5m metric
                  metric{a="1"} 5

                eval instant at 5m metric
                  metric{a="1"} 6
                """);
        CliRun r = run("promql-test", script.toString());
        assertThat(r.exit()).isEqualTo(1);
        String[] lines = r.out().strip().split("\n");
        assertThat(lines[lines.length - 1]).isEqualTo("1 passed, 1 failed");
        assertThat(r.out()).contains(script + ":7: ");
        assertThat(r.out()).doesNotContain(script + ":4: ");
    }

    @Test
    void allPassingFolderExitsZero() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("scripts"));
        Files.writeString(dir.resolve("a.test"), LOAD + "eval instant at 10m metric\n  metric{a=\"1\"} 10\n");
        Files.writeString(dir.resolve("b.test"), LOAD + "eval range from 0 to 2m step 1m metric * 2\n  {a=\"1\"} 0 2 4\n");
        // Not a script: folders contribute only their *.test files.
        Files.writeString(dir.resolve("README.md"), "eval nothing");
        CliRun r = run("promql-test", dir.toString());
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out().strip()).endsWith("2 passed, 0 failed");
    }

    @Test
    void missingPathIsAUsageError() {
        CliRun r = run("promql-test", tmp.resolve("nope.test").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no such file or folder: " + tmp.resolve("nope.test"));
        assertThat(run("promql-test").exit()).isEqualTo(2);
    }
}
