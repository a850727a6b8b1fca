package dev.sightline.promql.engine;

import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.WritePriority;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Storage;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.Prettier;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EngineTest {
    @TempDir
    Path dir;
    private Storage storage;

    @BeforeEach
    void load() throws Exception {
        storage = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false));
        Appender app = storage.appender();
        // Two counters, one sample per minute for 10 minutes; the second ends with a staleness marker at 5m.
        for (int i = 0; i <= 10; i++) {
            app.append(0, Labels.of("__name__", "req_total", "job", "a"), i * 60_000L, i * 10);
            if (i < 5) {
                app.append(0, Labels.of("__name__", "req_total", "job", "b"), i * 60_000L, i);
            } else if (i == 5) {
                app.append(0, Labels.of("__name__", "req_total", "job", "b"), i * 60_000L, Staleness.STALE_NAN);
            }
        }
        app.commit();
    }

    @AfterEach
    void close() throws Exception {
        storage.close();
    }

    private static Value instant(Engine e, Storage s, String q, long t) throws Exception {
        return e.instant(s, PromQLParser.parseExpr(q), t, q).value();
    }

    @Test
    void countValuesWritesValuesAsGoFormatsThem() throws Exception {
        Engine e = new Engine(EngineOptions.defaults());
        // Go's strconv.FormatFloat(v, 'f', -1, 64): negative zero keeps its sign, no exponent, +Inf.
        Vector v = (Vector) instant(e, storage, "count_values(\"v\", vector(-0.0) or label_replace(vector(1e21), "
                + "\"x\", \"1\", \"\", \"\") or label_replace(vector(1/0), \"x\", \"2\", \"\", \"\"))", 0);
        assertThat(v.samples()).extracting(smp -> smp.labels().get("v")).containsExactlyInAnyOrder("-0",
                "1000000000000000000000", "+Inf");
    }

    @Test
    void instantSelectorUsesLookbackAndStalenessEndsASeries() throws Exception {
        Engine e = new Engine(EngineOptions.defaults());
        Vector v = (Vector) instant(e, storage, "req_total", 270_000);
        assertThat(v.samples()).hasSize(2);
        v = (Vector) instant(e, storage, "req_total", 300_000);
        assertThat(v.samples()).extracting(smp -> smp.labels().get("job")).containsExactly("a");
    }

    /**
     * Over enough series x steps, range functions over floats share each batch of series between two threads:
     * every series' answer is the one it gets alone (one series: one thread), in the same order.
     */
    @Test
    void rangeFunctionsSplitOverThreadsAnswerAsOneThreadDoes() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        Appender app = storage.appender();
        for (int k = 0; k < 200; k++) {
            Labels l = Labels.of("__name__", "g", "i", String.format("%03d", k));
            double v = r.nextDouble() * 1e9;
            for (long t = 0; t <= 4 * 3_600_000L; t += 15_000) {
                v += (r.nextDouble() - 0.5) * 1e6;
                app.append(0, l, t, r.nextInt(50) == 0 ? Double.NaN : v);
            }
        }
        app.commit();
        Engine e = new Engine(EngineOptions.defaults());
        for (String fn : new String[] {"avg_over_time", "sum_over_time", "max_over_time", "count_over_time", "last_over_time",
                "rate", "stddev_over_time", "quantile_over_time(0.3,"}) {
            // 200 series x 1,441 steps: over the split threshold.
            String call = fn.endsWith(",") ? fn : fn + "(";
            Matrix all = (Matrix) e.range(storage, PromQLParser.parseExpr(call + "g[10m])"), 0, 4 * 3_600_000L, 10_000).value();
            assertThat(all.series()).as(fn).hasSize(200);
            for (int k = 0; k < 200; k += 13) {
                String one = call + "g{i=\"" + String.format("%03d", k) + "\"}[10m])";
                MatrixSeries alone = ((Matrix) e.range(storage, PromQLParser.parseExpr(one), 0, 4 * 3_600_000L, 10_000).value())
                        .series().getFirst();
                MatrixSeries split = all.series().get(k);
                assertThat(split.labels).isEqualTo(alone.labels);
                assertThat(java.util.Arrays.copyOf(split.ft, split.fn)).as(one).isEqualTo(java.util.Arrays.copyOf(alone.ft, alone.fn));
                assertThat(java.util.Arrays.copyOf(split.fv, split.fn)).as(one).isEqualTo(java.util.Arrays.copyOf(alone.fv, alone.fn));
            }
        }
    }

    /**
     * An aggregation that folds a range function's output series as the function streams them (no matrix of them)
     * answers bit for bit as over the matrix: -(-x) is x, but makes the aggregation's input a matrix. With series
     * enough for the helper thread, ragged series, NaN and a group that starts late.
     */
    @Test
    void aggregationsFoldingARangeFunctionAsItStreamsAnswerAsOverItsMatrix() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        Appender app = storage.appender();
        for (int k = 0; k < 300; k++) {
            Labels l = Labels.of("__name__", "c_total", "j", "j" + k % 7, "i", Integer.toString(k));
            double v = r.nextInt(1000);
            long from = k % 7 == 6 ? 3_600_000L : (k % 5) * 60_000L;
            for (long t = from; t <= 3 * 3_600_000L - (k % 3) * 600_000L; t += 15_000) {
                v = r.nextInt(500) == 0 ? 0 : v + r.nextDouble() * 40;
                app.append(0, l, t, r.nextInt(400) == 0 ? Double.NaN : v);
            }
        }
        app.commit();
        Engine e = new Engine(EngineOptions.defaults());
        for (String agg : new String[] {"sum by (j)", "max by (j)", "min without (i)", "count", "group by (j)"}) {
            for (String fn : new String[] {"rate(c_total[5m])", "avg_over_time(c_total[10m])", "last_over_time(c_total[1m])"}) {
                String q = agg + " (" + fn + ")";
                Matrix streamed = (Matrix) e.range(storage, PromQLParser.parseExpr(q), 0, 3 * 3_600_000L, 10_000).value();
                Matrix over = (Matrix) e.range(storage, PromQLParser.parseExpr(agg + " (-(-" + fn + "))"), 0, 3 * 3_600_000L, 10_000).value();
                assertThat(streamed.series()).as(q).isNotEmpty();
                assertThat(streamed.series()).as(q).map(MatrixSeries::toString)
                        .containsExactlyElementsOf(over.series().stream().map(MatrixSeries::toString).toList());
            }
        }
    }

    @Test
    void rateAndSumOverARangeQueryEvaluateEveryStep() throws Exception {
        Engine e = new Engine(EngineOptions.defaults());
        Matrix m = (Matrix) e.range(storage, PromQLParser.parseExpr("sum(rate(req_total{job=\"a\"}[2m]))"),
                120_000, 600_000, 60_000).value();
        assertThat(m.series()).hasSize(1);
        MatrixSeries s = m.series().get(0);
        assertThat(s.fn).isEqualTo(9);
        for (int i = 0; i < s.fn; i++) {
            assertThat(s.fv[i]).isCloseTo(10.0 / 60, within(1e-9));
        }
        assertThat(s.labels).isEqualTo(Labels.EMPTY);
    }

    @Test
    void scalarArithmeticAndBoolComparison() throws Exception {
        Engine e = new Engine(EngineOptions.defaults());
        assertThat(((Scalar) instant(e, storage, "2 * 3 + 1", 0)).v()).isEqualTo(7);
        Vector v = (Vector) instant(e, storage, "req_total > bool 50", 600_000);
        assertThat(v.samples()).singleElement().satisfies(smp -> {
            assertThat(smp.f()).isEqualTo(1);
            assertThat(smp.labels().metricName()).isNull();
        });
    }

    @Test
    void tooManySamplesFailsWithPrometheusMessage() {
        Engine e = new Engine(EngineOptions.defaults().withMaxSamples(5));
        assertThatThrownBy(() -> instant(e, storage, "count_over_time(req_total[10m])", 600_000))
                .isInstanceOf(PromQLException.class)
                .hasMessage("query processing would load too many samples into memory in query execution");
    }

    @Test
    void anExpiredDeadlineTimesOut() {
        Engine e = new Engine(EngineOptions.defaults().withTimeoutMs(-1));
        assertThatThrownBy(() -> instant(e, storage, "req_total", 0))
                .isInstanceOf(PromQLException.class)
                .satisfies(ex -> assertThat(((PromQLException) ex).kind()).isEqualTo(PromQLException.Kind.TIMEOUT))
                .hasMessage("query timed out in query execution");
    }

    @Test
    void aSubqueryOfMoreStepsThanTheSampleLimitIsRefusedBeforeItRuns() throws Exception {
        Engine e = new Engine(EngineOptions.defaults());
        long start = System.nanoTime();
        // 8.64e11 steps, more than an int holds; [100d:1ms] (8.64e9) ran for 10 s before failing.
        for (String q : new String[]{"max_over_time(vector(1)[10000d:1ms])", "max_over_time(vector(1)[100d:1ms])",
                "sum_over_time(rate(req_total[5m])[10000d:1ms])"}) {
            assertThatThrownBy(() -> instant(e, storage, q, 600_000)).as(q)
                    .isInstanceOf(PromQLException.class)
                    .satisfies(ex -> assertThat(((PromQLException) ex).kind()).isEqualTo(PromQLException.Kind.EXECUTION))
                    .hasMessage("query processing would load too many samples into memory in query execution");
        }
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
        // At the limit it still runs: 86,400 steps of one sample each.
        Engine small = new Engine(EngineOptions.defaults().withMaxSamples(200_000));
        assertThat(((Vector) instant(small, storage, "count_over_time(vector(1)[1d:1s])", 600_000)).samples().getFirst().f())
                .isEqualTo(86_400);
        assertThatThrownBy(() -> instant(small, storage, "count_over_time(vector(1)[3d:1s])", 600_000))
                .hasMessage("query processing would load too many samples into memory in query execution");
    }

    @Test
    void aQueryPastItsTimeoutStopsInsideItsStepLoops() {
        // One series, 10,080 steps over windows of 604,800 points: seconds of work within a single series' loop.
        Engine e = new Engine(EngineOptions.defaults().withTimeoutMs(200));
        long start = System.nanoTime();
        assertThatThrownBy(() -> e.range(storage, PromQLParser.parseExpr("max_over_time(vector(1)[7d:1s])"),
                0, 7 * 86_400_000L, 60_000))
                .isInstanceOf(PromQLException.class)
                .satisfies(ex -> assertThat(((PromQLException) ex).kind()).isEqualTo(PromQLException.Kind.TIMEOUT))
                .hasMessage("query timed out in query execution");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
    }

    /** Runs {@code body} on a reader thread of {@code p} (a query thread's kind) and rethrows. */
    private static void onReader(WritePriority p, org.junit.jupiter.api.function.Executable body) throws Throwable {
        onThread(task -> p.newReader(task, "reader"), body);
    }

    @Test
    void aQueryOnAQueryThreadGivesWayToWritesInProgressAndAnswersTheSame() throws Throwable {
        Engine e = new Engine(EngineOptions.defaults());
        Expr q = PromQLParser.parseExpr("rate(req_total[5m])");
        String alone = e.range(storage, q, 0, 600_000, 1_000).value().toString();
        WritePriority p = new WritePriority();
        p.beginWrite();
        String[] paused = new String[1];
        onReader(p, () -> paused[0] = e.range(storage, q, 0, 600_000, 1_000).value().toString());
        assertThat(paused[0]).isEqualTo(alone);
        assertThat(p.pausedNanos()).isGreaterThanOrEqualTo(WritePriority.MAX_PAUSE_NANOS);
    }

    @Test
    void aQueryGivingWayToWritesThatNeverEndStillStopsAtItsTimeout() throws Throwable {
        Engine e = new Engine(EngineOptions.defaults().withTimeoutMs(200));
        WritePriority p = new WritePriority();
        p.beginWrite();
        long start = System.nanoTime();
        onReader(p, () -> assertThatThrownBy(() -> e.range(storage, PromQLParser.parseExpr("max_over_time(vector(1)[7d:1s])"),
                0, 7 * 86_400_000L, 60_000))
                .isInstanceOf(PromQLException.class)
                .satisfies(ex -> assertThat(((PromQLException) ex).kind()).isEqualTo(PromQLException.Kind.TIMEOUT)));
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
        assertThat(p.pausedNanos()).isPositive();
    }

    /** Runs {@code body} on a thread with a 512 KiB stack, as small as server worker threads', and rethrows. */
    private static void onSmallStack(org.junit.jupiter.api.function.Executable body) throws Throwable {
        onThread(task -> new Thread(null, task, "small-stack", 512 * 1024), body);
    }

    /** Runs {@code body} on the thread {@code thread} makes of a task, waits for it and rethrows what it threw. */
    private static void onThread(java.util.function.Function<Runnable, Thread> thread,
                                 org.junit.jupiter.api.function.Executable body) throws Throwable {
        Throwable[] failure = new Throwable[1];
        Thread t = thread.apply(() -> {
            try {
                body.execute();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    @Test
    void longOperatorChainsParseEvaluateAndPrintWithoutDeepRecursion() throws Throwable {
        onSmallStack(() -> {
            Engine e = new Engine(EngineOptions.defaults());
            // A left-deep tree 10,000 levels deep: parser, type checker, engine and printers walk along it.
            String ones = "1" + " + 1".repeat(9_999);
            Expr sum = PromQLParser.parseExpr(ones);
            assertThat(sum.toString()).isEqualTo(ones);
            assertThat(sum).isEqualTo(PromQLParser.parseExpr(ones)).hasSameHashCodeAs(PromQLParser.parseExpr(ones));
            assertThat(((Scalar) e.instant(storage, sum, 600_000).value()).v()).isEqualTo(10_000);
            assertThat(((Matrix) e.range(storage, PromQLParser.parseExpr("vector(0)" + " + 1".repeat(9_999)), 0, 600_000, 60_000)
                    .value()).series().getFirst().fv[10]).isEqualTo(9_999);
            // Each lhs one level deeper, as Prometheus indents: quadratic output, so a shorter chain. Nodes of more
            // than 100 characters (25 operators and up) are split, the operator on a line of its own.
            String twoThousand = "1" + " + 1".repeat(1_999);
            String pretty = Prettier.pretty(PromQLParser.parseExpr(twoThousand));
            assertThat(pretty.lines().filter(l -> l.strip().equals("+")).count()).isEqualTo(1_999 - 24);
            assertThat(PromQLParser.parseExpr(pretty).toString()).isEqualTo(twoThousand);
            // What tools generate: one alternative per value.
            StringBuilder or = new StringBuilder("req_total{job=\"x0\"}");
            for (int i = 1; i < 2_000; i++) {
                or.append(" or req_total{job=\"x").append(i).append("\"}");
            }
            or.append(" or req_total{job=\"a\"}");
            Vector v = (Vector) instant(e, storage, or.toString(), 600_000);
            assertThat(v.samples()).singleElement().satisfies(smp -> assertThat(smp.f()).isEqualTo(100));
        });
    }

    @Test
    void duplicateLabelSetsAfterNameRemovalAreRejected() throws Exception {
        Engine e = new Engine(EngineOptions.defaults());
        Appender app = storage.appender();
        app.append(0, Labels.of("__name__", "other_total", "job", "a"), 600_000, 1);
        app.commit();
        assertThatThrownBy(() -> instant(e, storage, "-{job=\"a\"}", 600_000))
                .hasMessage("vector cannot contain metrics with the same labelset");
    }

    /**
     * min and max (like sum and count) fold series-major into per-step cells while quantile gathers each step's
     * values: on series that start, stop and pause at different steps both must give the same points in the same
     * series order. quantile sorts NaN first, so quantile 1 (of the values, or of their negation for min) skips the
     * NaN as max and min do.
     */
    @Test
    void foldedAggregationsAgreeWithGatheredOnesAcrossRaggedSeries() throws Exception {
        Appender app = storage.appender();
        for (int k = 0; k < 6; k++) {
            Labels l = Labels.of("__name__", "g", "job", "j" + k % 2, "i", Integer.toString(k));
            for (int i = k; i <= 20 - k; i++) {
                if (i % (k + 2) != 1) {
                    app.append(0, l, i * 60_000L, k == 3 && i == 9 ? Double.NaN : (i * 7 + k * 13) % 11);
                }
            }
        }
        app.commit();
        Engine e = new Engine(EngineOptions.defaults());
        String[][] pairs = {{"max by (job) (g)", "quantile by (job) (1, g)"}, {"min by (job) (g)", "-quantile by (job) (1, -g)"}};
        for (String[] pair : pairs) {
            Matrix folded = (Matrix) e.range(storage, PromQLParser.parseExpr(pair[0]), 0, 1_200_000, 30_000).value();
            Matrix gathered = (Matrix) e.range(storage, PromQLParser.parseExpr(pair[1]), 0, 1_200_000, 30_000).value();
            assertThat(folded.series()).as(pair[0]).hasSize(2);
            assertThat(folded.series()).as(pair[0]).map(MatrixSeries::toString)
                    .containsExactlyElementsOf(gathered.series().stream().map(MatrixSeries::toString).toList());
        }
    }
}
