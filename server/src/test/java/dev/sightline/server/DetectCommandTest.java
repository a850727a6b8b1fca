package dev.sightline.server;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.anomaly.Detectors;
import dev.sightline.promql.anomaly.Scores;
import dev.sightline.promql.anomaly.ZScore;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sightline.server.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DetectCommandTest {
    @TempDir
    Path dir;

    private Path csv(String name, String content) throws Exception {
        if (dir != null) {
            return Files.writeString(dir.resolve(name), content);
        }
        // jqwik properties get no @TempDir: their files go when the JVM exits (file first: deleteOnExit runs in reverse).
        Path own = Files.createTempDirectory("detect");
        own.toFile().deleteOnExit();
        Path p = Files.writeString(own.resolve(name), content);
        p.toFile().deleteOnExit();
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
        CliRun r = run("detect", "--detector", "list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("combined (default): ", "zscore: ", "robust_zscore: ", "seasonal: ", "bimodality: ",
                "    lookback=7d ", "    season=1d ", "    tolerance= ");
    }

    @Test
    void theDefaultCombinedDetectorScoresTheSpikeAndFewOthers() throws Exception {
        CliRun r = run("detect", csv("spike.csv", noise(600, 500, 1)).toString());
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
        CliRun a = run("detect", "--detector", "robust_zscore", csv("a.csv", epoch).toString());
        CliRun b = run("detect", "--detector", "robust_zscore", csv("b.csv", iso.toString()).toString());
        CliRun c = run("detect", "--detector", "robust_zscore", csv("c.csv", frac.toString()).toString());
        for (int i = 0; i < 200; i++) {
            assertThat(b.score(i)).isEqualTo(a.score(i));
            assertThat(c.score(i)).isEqualTo(a.score(i));
        }
        assertThat(b.rows().get(0)).startsWith("2023-11-14T22:13:20Z,");
    }

    private static long parse(String text, String zone) throws Exception {
        return new DetectStream(new Detectors.Configured(Detectors.get("zscore").configure(Map.of()).factory(), 60_000),
                ZoneId.of(zone))
                .parseTimestamp(text, 2);
    }

    @Test
    void everyAcceptedTimestampFormParsesToItsInstant() throws Exception {
        long at = Instant.parse("2014-07-01T00:00:00Z").toEpochMilli();
        long half = at + 500;
        Map<String, Long> forms = new LinkedHashMap<>();
        forms.put("1404172800", at);
        forms.put("1404172800.5", half);
        forms.put("1404172800.5009", half); // below the millisecond: dropped
        forms.put("1.4041728005e9", half);
        forms.put("1404172800000", at);
        forms.put("1404172800500.9", half);
        forms.put("2014-07-01T00:00:00Z", at);
        forms.put("2014-07-01 00:00:00", at); // pandas, spreadsheets, NAB: a space, no zone (UTC)
        forms.put("2014-07-01 00:00", at);
        forms.put("2014-07-01T00:00:00.5", half);
        forms.put("2014-07-01 00:00:00.500999z", half);
        forms.put("2014-07-01t02:00:00.5+02:00", half);
        forms.put("2014-07-01 02:00:00.5+0200", half);
        forms.put("2014-06-30 19:30:00.5-0430", half);
        forms.put("2014-07-01T02:00+02", at);
        forms.put("2014-07-01", at);
        for (Map.Entry<String, Long> f : forms.entrySet()) {
            assertThat(parse(f.getKey(), "UTC")).as(f.getKey()).isEqualTo(f.getValue());
        }
        // The zone only places times written without one.
        assertThat(parse("2014-07-01 02:00:00", "Europe/Berlin")).isEqualTo(at);
        assertThat(parse("2014-07-01", "America/New_York")).isEqualTo(at + 4 * 3_600_000);
        assertThat(parse("2014-07-01T00:00:00Z", "Europe/Berlin")).isEqualTo(at);
        assertThat(parse("1404172800", "Europe/Berlin")).isEqualTo(at);
    }

    @Test
    void epochNumbersAreSecondsBelow1e11AndMillisecondsFromThereTo1e14() throws Exception {
        // 1e11 seconds is the year 5138, 1e11 milliseconds is 1973-03-03: every date in between reads correctly.
        assertThat(parse("99999999999", "UTC")).isEqualTo(99_999_999_999_000L);
        assertThat(parse("99999999999.999", "UTC")).isEqualTo(99_999_999_999_999L);
        assertThat(parse("100000000000", "UTC")).isEqualTo(100_000_000_000L);
        assertThat(parse("99999999999999.9", "UTC")).isEqualTo(99_999_999_999_999L);
        assertThat(parse("-1.5", "UTC")).isEqualTo(-1500);
        assertThat(parse("0", "UTC")).isZero();
        assertThatThrownBy(() -> parse("100000000000000", "UTC")).hasMessageContaining("too large for epoch milliseconds");
    }

    @Test
    void aTimezoneReadsLocalTimesAndResolvesTheRepeatedHourOfADaylightSavingChange() throws Exception {
        // Berlin, 2023-10-29: 02:00-02:59 happens twice (+02:00, then +01:00). Quarter-hourly local times.
        StringBuilder sb = new StringBuilder("time,value\n");
        for (String hm : new String[]{"01:30", "01:45", "02:00", "02:15", "02:30", "02:45", "02:00", "02:15", "02:30",
                "02:45", "03:00"}) {
            sb.append("2023-10-29 ").append(hm).append(",1\n");
        }
        Path f = csv("dst.csv", sb.toString());
        CliRun berlin = run("detect", "--timezone", "Europe/Berlin", f.toString());
        assertThat(berlin.exit()).as(berlin.err()).isZero();
        assertThat(berlin.err()).isEmpty();
        CliRun utc = run("detect", f.toString());
        assertThat(utc.err()).contains(f + ": 4 row(s) whose timestamp repeats or steps back (first at line 8)");
        assertThat(utc.rows()).hasSize(11);

        DetectStream s = new DetectStream(new Detectors.Configured(Detectors.get("zscore").configure(Map.of()).factory(), 86_400_000),
                ZoneId.of("Europe/Berlin"));
        s.run(new StringReader(sb.toString()), new StringWriter());
        assertThat(s.outOfOrder()).isZero();
        assertThat(s.parseTimestamp("2023-10-29 03:00", 2)).isEqualTo(Instant.parse("2023-10-29T02:00:00Z").toEpochMilli());

        CliRun bad = run("detect", "--timezone", "Mars/Olympus", f.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--timezone: unknown time zone \"Mars/Olympus\"");
    }

    @Test
    void rowsWhoseTimestampRepeatsOrStepsBackAreScoredLikeTheRowBeforeAndLeaveTheHistoryAlone() throws Exception {
        String clean = noise(400, 300, 6);
        List<String> rows = clean.lines().skip(1).toList();
        // Insert after row i: a duplicate of it (i % 3 == 0), an earlier timestamp with its value (1), a spike at its
        // timestamp (2).
        StringBuilder messy = new StringBuilder("timestamp,value\n");
        List<Integer> inserted = new java.util.ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            messy.append(rows.get(i)).append('\n');
            if (i % 37 == 36) {
                String[] f = rows.get(i).split(",");
                messy.append(switch (i / 37 % 3) {
                    case 0 -> rows.get(i);
                    case 1 -> (Long.parseLong(f[0]) - 3600) + "," + f[1];
                    default -> f[0] + ",160";
                }).append('\n');
                inserted.add(i);
            }
        }
        CliRun a = run("detect", "--detector", "zscore", "--param", "lookback=1h", csv("clean.csv", clean).toString());
        CliRun b = run("detect", "--detector", "zscore", "--param", "lookback=1h", csv("messy.csv", messy.toString()).toString());
        assertThat(b.exit()).as(b.err()).isZero();
        assertThat(b.err()).contains("messy.csv: " + inserted.size() + " row(s) whose timestamp repeats or steps back"
                + " (first at line 39) were scored like the row before them and left out of the history");
        // One row out per row in, in input order, timestamps as written.
        assertThat(b.rows()).hasSize(rows.size() + inserted.size());
        assertThat(b.rows().stream().map(r -> r.substring(0, r.lastIndexOf(','))).toList())
                .isEqualTo(messy.toString().lines().skip(1).toList());
        List<String> kept = new java.util.ArrayList<>(b.rows());
        for (int k = inserted.size() - 1; k >= 0; k--) {
            int at = inserted.get(k) + k + 1;
            String extra = kept.remove(at);
            String twin = kept.get(at - 1);
            double s = Double.parseDouble(extra.split(",")[2]);
            int i = inserted.get(k);
            if (i / 37 % 3 == 2) {
                // A spike judged against the twin's history: the same as scoring the spike in the twin's place
                // (the window of 1h is the 60 rows up to it).
                double[] vs = rows.stream().mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
                vs[i] = 160;
                assertThat(s).isEqualTo(new ZScore().score(null, vs, Math.max(0, i - 59), i + 1));
            } else {
                assertThat(s).isEqualTo(Double.parseDouble(twin.split(",")[2]));
            }
        }
        // The rows left out never entered the history: every other row scores as in the clean file.
        assertThat(kept).isEqualTo(a.rows());
    }

    /** The same instants in any mix of the accepted forms score byte for byte the same. */
    @Property(tries = 20)
    void anyMixOfTimestampFormsForTheSameInstantsGivesTheSameScores(
            @ForAll @Size(300) List<@IntRange(min = 0, max = 9) Integer> forms, @ForAll long seed) throws Exception {
        Random r = new Random(seed);
        long[] ms = new long[forms.size()];
        StringBuilder plain = new StringBuilder("timestamp,value\n");
        StringBuilder mixed = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < ms.length; i++) {
            // Minutely, half of them on a whole second, the rest anywhere in it.
            ms[i] = 1_700_000_000_000L + 60_000L * i + (r.nextBoolean() ? 0 : r.nextInt(1000));
            String v = Double.toString(i == 250 ? 160 : 100 + 2 * r.nextGaussian());
            plain.append(ms[i]).append(',').append(v).append('\n');
            mixed.append(form(ms[i], forms.get(i))).append(',').append(v).append('\n');
        }
        String[] params = {"--param", "season=30m"};
        CliRun a = run(concat("detect", "--param", "lookback=2h", params, new String[0], csv("plain.csv", plain.toString()).toString()));
        CliRun b = run(concat("detect", "--param", "lookback=2h", params, new String[0], csv("mixed.csv", mixed.toString()).toString()));
        assertThat(b.exit()).as(b.err()).isZero();
        assertThat(b.err()).isEmpty();
        assertThat(b.rows().stream().map(l -> l.substring(l.lastIndexOf(','))).toList())
                .isEqualTo(a.rows().stream().map(l -> l.substring(l.lastIndexOf(','))).toList());
    }

    private static final DateTimeFormatter SPACE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS");

    /** Instant {@code ms} written in accepted form {@code form} (0-9). */
    private static String form(long ms, int form) {
        Instant at = Instant.ofEpochMilli(ms);
        OffsetDateTime utc = at.atOffset(ZoneOffset.UTC);
        return switch (form) {
            case 0 -> BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString(); // epoch seconds, fraction if any
            case 1 -> BigDecimal.valueOf(ms, 3).setScale(6).toPlainString();           // epoch seconds, 6 decimals
            case 2 -> Long.toString(ms);                                                // epoch milliseconds
            case 3 -> ms + ".75";                                                       // with a sub-millisecond fraction
            case 4 -> at.toString();                                                    // ISO, T, Z, fraction if any
            case 5 -> utc.format(SPACE);                                                // space, no zone: UTC
            case 6 -> utc.format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss"))
                    + (ms % 1000 == 0 ? "" : "." + String.format("%03d", ms % 1000));  // T, no zone
            case 7 -> at.atOffset(ZoneOffset.ofHours(2)).format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSxxx"));
            case 8 -> at.atOffset(ZoneOffset.ofHoursMinutes(-5, -30)).format(DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxx"));
            default -> "\"" + utc.format(SPACE) + "Z\"";                               // quoted
        };
    }

    @Test
    void badRowsAreErrorsWithFileAndLine() throws Exception {
        Path bad = csv("bad.csv", "timestamp,value\n1700000000,1\n1700000060,abc\n");
        CliRun r = run("detect", bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(bad + ":3: value: not a number: \"abc\"");

        Path time = csv("time.csv", "timestamp,value\n1700000000,1\n2024-13-01 00:00:00,1\n");
        assertThat(run("detect", time.toString()).err()).contains(time + ":3: timestamp: expected epoch seconds or"
                + " milliseconds (1700000000, 1700000000.5, 1700000000500), ISO-8601 with T or a space, optional fraction"
                + " and zone (2023-11-14T22:13:20Z, 2023-11-14 22:13:20.5+02:00, +0200) or a date (2023-11-14),"
                + " got \"2024-13-01 00:00:00\"");
        for (String t : new String[]{"1700000000000000", "1e-999999999", "2024-01-01 00:00:00 +02:00", "2024-01-01T00:00:00+2",
                "2024-01-01  00:00", "01/02/2024 00:00", "2024-02-30", ""}) {
            Path f = csv("t.csv", "timestamp,value\n" + t + ",1\n");
            CliRun refused = run("detect", f.toString());
            assertThat(refused.exit()).as(t).isEqualTo(1);
            assertThat(refused.err()).as(t).contains(f + ":2: timestamp: ");
        }
        assertThat(run("detect", csv("us.csv", "timestamp,value\n1700000000000000,1\n").toString()).err())
                .contains("1700000000000000 is too large for epoch milliseconds (microseconds and nanoseconds are not accepted)");
        Path cols = csv("cols.csv", "timestamp,value\n1700000000,1,2\n");
        assertThat(run("detect", cols.toString()).err()).contains(cols + ":2: expected two columns");
        Path missing = csv("missing.csv", "timestamp,value\n1700000000,1\n1700000060\n");
        assertThat(run("detect", missing.toString()).err()).contains(missing + ":3: expected two columns");
        Path empty = csv("empty.csv", "timestamp,value\n\n  \n");
        CliRun none = run("detect", empty.toString());
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).contains(empty + ":3: no rows after the header");
        assertThat(run("detect", csv("header.csv", "timestamp,value\n").toString()).err()).contains(":1: no rows after the header");
        Path header = csv("header.csv", "1700000000,1\n1700000060,2\n");
        assertThat(run("detect", header.toString()).err()).contains(header + ":1: expected a header line");
    }

    @Test
    void unknownDetectorsAndParametersAreUsageErrors() throws Exception {
        Path f = csv("f.csv", noise(10, -1, 3));
        CliRun r = run("detect", "--detector", "nosuch", f.toString());
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
        CliRun z = run("detect", "--detector", "zscore", "--param", "lookback=2h", csv("same.csv", data).toString());
        double[] vs = data.lines().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
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
                // combined keeps state beyond the window (the decomposition's level and profiles): the function
                // replays its window, so it equals detect on the window's rows alone; detect streams the z-score's
                // sums where the function sums its window, equal to the streaming forms' stated 1e-9.
                List<String> rows = data.lines().skip(1).toList();
                String window = "timestamp,value\n" + String.join("\n", rows.subList(Math.max(0, row - 119), row + 1)) + "\n";
                CliRun w = run("detect", "--param", "lookback=2h", "--param", "season=0", csv("window-" + row + ".csv", window).toString());
                assertThat(v.samples().get(0).f()).isCloseTo(w.score(w.rows().size() - 1), withinPercentage(1e-7));
                q = "zscore_over_time(orders[2h])";
                double zv = ((Vector) engine.instant(tsdb, PromQLParser.parseExpr(q), t, q).value()).samples().get(0).f();
                // The window (t - 2h, t] of minutely rows: rows row-119 to row.
                int from = Math.max(0, row - 119);
                assertThat(zv).isEqualTo(ZScore.zscore(vs, from, row + 1));
                assertThat(z.score(row)).isEqualTo(new ZScore().score(null, vs, from, row + 1));
            }
        }
    }

    @Test
    void aFileLongerThanTheBufferScoresLikeTheDetectorOverTheWholeArray() throws Exception {
        // 5,000 rows pass through the 1,024-point buffer several times (slid and, with a long lookback, grown).
        String data = noise(5000, 4000, 5);
        double[] vs = data.lines().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
        for (String lookback : new String[]{"30m", "1d"}) {
            CliRun r = run("detect", "--detector", "zscore", "--param", "lookback=" + lookback, csv("long.csv", data).toString());
            int window = lookback.equals("30m") ? 30 : 1440;
            ZScore detector = new ZScore(); // reads no timestamps
            for (int i = 0; i < vs.length; i += 7) {
                double expected = detector.score(null, vs, Math.max(0, i + 1 - window), i + 1);
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
        CliRun all = run(concat("detect", "--detector", name, params, detector == 3 ? seasonal : new String[0],
                csv("whole-" + prefix + ".csv", whole).toString()));
        CliRun part = run(concat("detect", "--detector", name, params, detector == 3 ? seasonal : new String[0],
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
