package dev.sightline.server;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.anomaly.Scores;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DetectCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
        List<String> rows() {
            return out.lines().skip(1).toList();
        }

        double score(int row) {
            String[] f = rows().get(row).split(",");
            return Double.parseDouble(f[2]);
        }
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path csv(String name, String content) throws Exception {
        Path p = (dir != null ? dir : Files.createTempDirectory("detect")).resolve(name);
        Files.writeString(p, content);
        return p;
    }

    /** Minutely noise around 100 from epoch second 1.7e9, with a spike of 160 at row {@code spikeAt} (or none). */
    private static String noise(int rows, int spikeAt, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < rows; i++) {
            double v = i == spikeAt ? 160 : 100 + 2 * r.nextGaussian();
            sb.append(1_700_000_000L + 60L * i).append(',').append(v).append('\n');
        }
        return sb.toString();
    }

    @Test
    void listNamesEveryDetectorWithItsParameters() {
        Run r = run("detect", "--detector", "list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("combined (default): ", "zscore: ", "robust_zscore: ", "seasonal: ", "bimodality: ",
                "    lookback=7d ", "    season=1d ", "    tolerance= ");
    }

    @Test
    void theDefaultCombinedDetectorScoresTheSpikeAndFewOthers() throws Exception {
        Run r = run("detect", csv("spike.csv", noise(600, 500, 1)).toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("timestamp,value,anomaly_score\n1700000000,");
        assertThat(r.rows()).hasSize(600);
        assertThat(r.score(500)).isGreaterThan(Scores.THREE_SIGMA);
        long others = java.util.stream.IntStream.range(0, 600).filter(i -> i != 500)
                .filter(i -> r.score(i) > Scores.THREE_SIGMA).count();
        assertThat(others).isLessThanOrEqualTo(6);
        for (String row : r.rows()) {
            double s = Double.parseDouble(row.split(",")[2]);
            assertThat(s).isBetween(0.0, 1.0);
        }
        // Too little history: the first rows score 0.
        assertThat(r.score(0)).isZero();
    }

    @Test
    void isoAndFractionalEpochTimestampsGiveTheSameScores() throws Exception {
        String epoch = noise(200, 150, 2);
        StringBuilder iso = new StringBuilder("time,v\n");
        StringBuilder frac = new StringBuilder("timestamp,value\n");
        epoch.lines().skip(1).forEach(l -> {
            String[] f = l.split(",");
            iso.append(Instant.ofEpochSecond(Long.parseLong(f[0]))).append(',').append(f[1]).append('\n');
            frac.append(f[0]).append(".000,").append(f[1]).append('\n');
        });
        Run a = run("detect", "--detector", "robust_zscore", csv("a.csv", epoch).toString());
        Run b = run("detect", "--detector", "robust_zscore", csv("b.csv", iso.toString()).toString());
        Run c = run("detect", "--detector", "robust_zscore", csv("c.csv", frac.toString()).toString());
        for (int i = 0; i < 200; i++) {
            assertThat(b.score(i)).isEqualTo(a.score(i));
            assertThat(c.score(i)).isEqualTo(a.score(i));
        }
        assertThat(b.rows().get(0)).startsWith("2023-11-14T22:13:20Z,");
    }

    @Test
    void badRowsAreErrorsWithFileAndLine() throws Exception {
        Path bad = csv("bad.csv", "timestamp,value\n1700000000,1\n1700000060,abc\n");
        Run r = run("detect", bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(bad + ":3: value: not a number: \"abc\"");

        Path time = csv("time.csv", "timestamp,value\n2024-13-01T00:00:00Z,1\n");
        assertThat(run("detect", time.toString()).err()).contains(time + ":2: timestamp: expected epoch seconds or ISO-8601");
        Path order = csv("order.csv", "timestamp,value\n1700000060,1\n1700000000,2\n");
        assertThat(run("detect", order.toString()).err()).contains(order + ":3: timestamp 1700000000 is not after");
        Path cols = csv("cols.csv", "timestamp,value\n1700000000,1,2\n");
        assertThat(run("detect", cols.toString()).err()).contains(cols + ":2: expected two columns");
        Path header = csv("header.csv", "1700000000,1\n1700000060,2\n");
        assertThat(run("detect", header.toString()).err()).contains(header + ":1: expected a header line");
    }

    @Test
    void unknownDetectorsAndParametersAreUsageErrors() throws Exception {
        Path f = csv("f.csv", noise(10, -1, 3));
        Run r = run("detect", "--detector", "nosuch", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown detector \"nosuch\"");
        r = run("detect", "--param", "window=1h", f.toString());
        assertThat(r.err()).contains("detector combined has no parameter \"window\"; it takes: lookback, season");
        r = run("detect", "--detector", "seasonal", "--param", "season=1x", f.toString());
        assertThat(r.err()).contains("parameter season: unknown unit \"x\"");
        assertThat(run("detect", dir.resolve("missing.csv").toString()).err()).contains("no such file");
    }

    @Test
    void scoresEqualThePromqlFunctionOverTheSameWindow() throws Exception {
        String data = noise(300, 250, 4);
        Run r = run("detect", "--param", "lookback=2h", "--param", "season=0", csv("same.csv", data).toString());
        Run z = run("detect", "--detector", "zscore", "--param", "lookback=2h", csv("same.csv", data).toString());
        try (Tsdb tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false))) {
            Appender app = tsdb.appender();
            data.lines().skip(1).forEach(l -> {
                String[] f = l.split(",");
                app.append(0, Labels.of("__name__", "orders"), Long.parseLong(f[0]) * 1000, Double.parseDouble(f[1]));
            });
            app.commit();
            Engine engine = new Engine(EngineOptions.defaults());
            for (int row : new int[]{100, 250, 299}) {
                long t = (1_700_000_000L + 60L * row) * 1000;
                String q = "anomaly_score_over_time(orders[2h], 0)";
                Vector v = (Vector) engine.instant(tsdb, PromQLParser.parseExpr(q), t, q).value();
                assertThat(v.samples().get(0).f()).isEqualTo(r.score(row));
                q = "zscore_over_time(orders[2h])";
                double zv = ((Vector) engine.instant(tsdb, PromQLParser.parseExpr(q), t, q).value()).samples().get(0).f();
                assertThat(Scores.ofZ(zv)).isCloseTo(z.score(row), within(0.0));
            }
        }
    }

    @Test
    void aFileLongerThanTheBufferScoresLikeTheDetectorOverTheWholeArray() throws Exception {
        // 5,000 rows pass through the 1,024-point buffer several times (slid and, with a long lookback, grown).
        String data = noise(5000, 4000, 5);
        double[] vs = data.lines().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
        for (String lookback : new String[]{"30m", "1d"}) {
            Run r = run("detect", "--detector", "zscore", "--param", "lookback=" + lookback, csv("long.csv", data).toString());
            int window = lookback.equals("30m") ? 30 : 1440;
            for (int i = 0; i < vs.length; i += 7) {
                double expected = dev.sightline.promql.anomaly.Scores.ofZ(
                        dev.sightline.promql.anomaly.ZScore.zscore(vs, Math.max(0, i + 1 - window), i + 1));
                assertThat(r.score(i)).as("row " + i + ", lookback " + lookback).isEqualTo(Double.isNaN(expected) ? 0 : expected);
            }
        }
    }

    /** No look-ahead: scoring a prefix of the file gives exactly the first rows of scoring the whole file. */
    @Property(tries = 15)
    void aPrefixScoresLikeTheWholeFilesPrefix(@ForAll @IntRange(min = 1, max = 399) int prefix,
                                              @ForAll @IntRange(min = 0, max = 4) int detector) throws Exception {
        String name = List.of("combined", "zscore", "robust_zscore", "seasonal", "bimodality").get(detector);
        String whole = noise(400, 300, prefix);
        String head = String.join("\n", Arrays.asList(whole.split("\n")).subList(0, prefix + 1)) + "\n";
        String[] params = {"--param", "lookback=3h"};
        String[] seasonal = {"--param", "season=1h"};
        Run all = run(concat("detect", "--detector", name, params, detector == 3 ? seasonal : new String[0],
                csv("whole-" + prefix + ".csv", whole).toString()));
        Run part = run(concat("detect", "--detector", name, params, detector == 3 ? seasonal : new String[0],
                csv("head-" + prefix + ".csv", head).toString()));
        assertThat(part.exit()).as(part.err()).isZero();
        assertThat(part.rows()).isEqualTo(all.rows().subList(0, prefix));
    }

    private static String[] concat(String a, String b, String c, String[] d, String[] e, String f) {
        List<String> l = new java.util.ArrayList<>(List.of(a, b, c));
        l.addAll(List.of(d));
        l.addAll(List.of(e));
        l.add(f);
        return l.toArray(String[]::new);
    }
}
