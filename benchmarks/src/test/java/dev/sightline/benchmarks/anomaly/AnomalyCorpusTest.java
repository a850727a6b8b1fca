package dev.sightline.benchmarks.anomaly;

import dev.sightline.promql.anomaly.Detector;
import dev.sightline.promql.anomaly.Detectors;
import dev.sightline.server.Main;
import dev.sightline.server.anomalyeval.Evaluation;
import dev.sightline.server.anomalyeval.NabCorpus;
import dev.sightline.server.anomalyeval.NabScorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The generated corpus end to end: deterministic, readable by detect-eval, and scored 0 / 100 by null / oracle. */
class AnomalyCorpusTest {
    @TempDir
    Path dir;

    @Test
    void aSeedGivesTheSameCorpusByteForByte() throws IOException {
        AnomalyCorpus.write(dir.resolve("a"), 7);
        AnomalyCorpus.write(dir.resolve("b"), 7);
        AnomalyCorpus.write(dir.resolve("c"), 8);
        assertThat(contents(dir.resolve("a"))).isEqualTo(contents(dir.resolve("b")));
        assertThat(contents(dir.resolve("a"))).isNotEqualTo(contents(dir.resolve("c")));
    }

    @Test
    void detectEvalPrintsALinePerDetector() throws IOException {
        AnomalyCorpus.write(dir, 42);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("detect-eval", dir.toString(), "--detector", "zscore", "--detector", "bimodality");
        assertThat(err.toString()).isEmpty();
        assertThat(exit).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("corpus: 22 files (15 with windows, 7 quiet), 18 windows;");
        assertThat(lines.get(1).split(" +")).containsExactly("detector", "standard", "threshold", "reward_low_FP",
                "threshold", "reward_low_FN", "threshold", "found", "quiet_fp_rate");
        String number = "-?\\d+\\.\\d\\d";
        String threshold = "(none|[01](\\.\\d+)?)";
        String row = " +" + number + " +" + threshold;
        assertThat(lines.get(2)).matches("zscore" + row + row + row + " +\\d+/18 +0\\.\\d{5}");
        assertThat(lines.get(3)).matches("bimodality" + row + row + row + " +\\d+/18 +0\\.\\d{5}");
    }

    @Test
    void theNullDetectorScoresZeroAndAnOracleOneHundred() throws IOException {
        AnomalyCorpus.write(dir, 42);
        NabCorpus corpus = NabCorpus.load(dir);
        Map<String, Function<NabCorpus.File, Detectors.Configured>> detectors = new LinkedHashMap<>();
        detectors.put("null", f -> new Detectors.Configured((ts, vs, from, to) -> 0, 60_000));
        detectors.put("oracle", f -> new Detectors.Configured(oracle(f.windows()), 60_000));
        List<Evaluation.Line> lines = Evaluation.run(corpus, detectors);
        for (NabScorer.Result r : lines.get(0).results()) {
            assertThat(r.normalized()).as(r.profile().name()).isEqualTo(0.0);
            assertThat(r.threshold()).isEqualTo(NabScorer.NO_DETECTION);
        }
        for (NabScorer.Result r : lines.get(1).results()) {
            assertThat(r.normalized()).as(r.profile().name()).isEqualTo(100.0);
            assertThat(r.windowsFound()).isEqualTo(18);
        }
        assertThat(lines.get(1).quietFpRate()).isEqualTo(0.0);
        StringWriter out = new StringWriter();
        Evaluation.print(corpus, lines, new PrintWriter(out));
        assertThat(out.toString().lines().toList().get(2)).matches("null +0\\.00 none +0\\.00 none +0\\.00 none +0/18 +0\\.00000");
        assertThat(out.toString().lines().toList().get(3)).matches("oracle +100\\.00 1 +100\\.00 1 +100\\.00 1 +18/18 +0\\.00000");
    }

    /** Scores 1 at the first row of each window (the latest point is in it and the point before is not), else 0. */
    private static Detector oracle(List<NabScorer.Window> windows) {
        return (ts, vs, from, to) -> {
            long t = ts[to - 1];
            for (NabScorer.Window w : windows) {
                if (t >= w.start() && t <= w.end() && (to - 1 == from || ts[to - 2] < w.start())) {
                    return 1;
                }
            }
            return 0;
        };
    }

    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                m.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return m;
    }
}
