package dev.sightline.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sightline.server.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** detect-eval's command line and its refusals of a bad corpus; the scoring itself is NabScorerTest's. */
class DetectEvalCommandTest {
    @TempDir
    Path dir;

    /** 100 rows a minute apart: 1.0 everywhere, 9.0 at row 60; a window around it unless {@code labels} given. */
    private void corpus(String labels) throws IOException {
        StringBuilder b = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 100; i++) {
            b.append(1_700_000_000 + i * 60).append(',').append(i == 60 ? 9.0 : 1.0 + (i % 3) * 0.1).append('\n');
        }
        Files.createDirectories(dir.resolve("data/a"));
        Files.createDirectories(dir.resolve("labels"));
        Files.writeString(dir.resolve("data/a/s.csv"), b);
        Files.writeString(dir.resolve("labels/combined_windows.json"), labels);
    }

    @Test
    void scoresEachNamedDetector() throws IOException {
        // Window rows 58..62 (1700003480 = row 58, 1700003720 = 2023-11-14T23:15:20Z = row 62): the z-score sees the
        // jump at row 60; the other rows' z stays below 2.
        corpus("{\"a/s.csv\": [[\"1700003480\", \"2023-11-14T23:15:20Z\"]]}");
        CliRun r = run("detect-eval", dir.toString(), "--detector", "zscore");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList()).hasSize(3);
        assertThat(r.out().lines().toList().get(0)).startsWith("corpus: 1 files (1 with windows, 0 quiet), 1 windows;");
        // Found at its middle row (y = -(62 - 60 + 1) / 5 = -0.6, S(-0.6)/S(-1) = tanh(1.5) / tanh(2.5) = 0.917429)
        // and nothing else: standard and reward_low_FP 100 x 1.917429 / 2 = 95.87, reward_low_FN 100 x 2.917429 / 3
        // = 97.25; no quiet series: "-".
        assertThat(r.out().lines().toList().get(2)).matches("zscore +95\\.87 [0-9.]+ +95\\.87 [0-9.]+ +97\\.25 [0-9.]+ +1/1 +-");
    }

    @Test
    void listNamesTheDetectors() {
        CliRun r = run("detect-eval", "--detector", "list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("combined (default)", "zscore:", "bimodality:");
    }

    @Test
    void usageErrors() throws IOException {
        corpus("{\"a/s.csv\": []}");
        CliRun unknown = run("detect-eval", dir.toString(), "--detector", "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown detector \"nope\"");
        CliRun missing = run("detect-eval");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("missing CORPUS_DIR");
    }

    @Test
    void badCorporaAreErrorsNamingWhatIsWrong() throws IOException {
        CliRun noData = run("detect-eval", dir.toString());
        assertThat(noData.exit()).isEqualTo(1);
        assertThat(noData.err()).contains("no data directory");

        corpus("{}");
        assertThat(run("detect-eval", dir.toString()).err()).contains("no entry for data/a/s.csv");
        corpus("{\"a/s.csv\": [], \"b.csv\": []}");
        assertThat(run("detect-eval", dir.toString()).err()).contains("\"b.csv\" names no file under data/");
        corpus("[1]");
        assertThat(run("detect-eval", dir.toString()).err()).contains("expected an object");
        corpus("{\"a/s.csv\": [[\"yesterday\", \"1700003720\"]]}");
        assertThat(run("detect-eval", dir.toString()).err()).contains("\"a/s.csv\" window 1 start: timestamp: expected");
        corpus("{\"a/s.csv\": [[\"1700003480\"]]}");
        assertThat(run("detect-eval", dir.toString()).err()).contains("\"a/s.csv\" window 1: expected [start, end]");
        corpus("{\"a/s.csv\": [[\"1700003720\", \"1700003480\"]]}");
        assertThat(run("detect-eval", dir.toString()).err()).contains("\"a/s.csv\" window 1: end before start");
        corpus("{\"a/s.csv\": [[\"1800000000\", \"1800000060\"]]}");
        assertThat(run("detect-eval", dir.toString()).err()).contains("a/s.csv: window 1 holds no row");

        corpus("{\"a/s.csv\": []}");
        Files.writeString(dir.resolve("data/a/s.csv"), "timestamp,value\n1700000000,1\n1700000060,x\n");
        CliRun badRow = run("detect-eval", dir.toString(), "--detector", "zscore");
        assertThat(badRow.exit()).isEqualTo(1);
        assertThat(badRow.err()).contains("data/a/s.csv:3: value: not a number: \"x\"");
    }
}
