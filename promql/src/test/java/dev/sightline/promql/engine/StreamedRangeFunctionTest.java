package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Queryable;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Range functions over a selector read their series a batch at a time, the series of a batch shared out between the
 * query thread and a helper, each reading and applying the function to the ones it claims ({@code
 * FunctionEvaluator.streamed}). Over enough series and steps for the helper to take part, in series of a block
 * merged with the head's: no series lost, repeated or out of order, series holding histograms among the floats, the
 * sample limit counting every point read on either thread, a failure on either thread ending the query.
 */
class StreamedRangeFunctionTest {
    private static final long HOUR = 3_600_000L;
    private static final int SERIES = 300;
    /** Samples 250 ms past whole seconds: none on a window's edge. */
    private static final long PHASE = 250;
    /** 2 h at 30 s, 241 steps: with 64 series a batch, enough points for the helper. */
    private static final long START = HOUR;
    private static final long END = 3 * HOUR;
    private static final long STEP = 30_000;

    @TempDir
    Path dir;
    private Tsdb storage;
    private final List<Labels> labels = new ArrayList<>();
    private final Engine engine = new Engine(EngineOptions.defaults());

    /**
     * Metric m: 300 series of distinct values, every 23rd a native histogram counter and one floats then histograms;
     * metric late: floats but for its last series (in label order), a histogram, so that it comes batches after the
     * first. The first 1.5 h go to a block, the rest stays in the head.
     */
    @BeforeEach
    void load() throws Exception {
        storage = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false));
        for (int k = 0; k < SERIES; k++) {
            labels.add(Labels.of("__name__", "m", "i", Integer.toString(k), "j", "j" + k % 5));
        }
        append(0, 90 * 60_000L);
        storage.flushHead();
        append(90 * 60_000L, END + 1);
        labels.sort(Labels::compareTo);
    }

    private void append(long from, long to) throws Exception {
        Appender app = storage.appender();
        for (int k = 0; k < SERIES; k++) {
            Labels m = Labels.of("__name__", "m", "i", Integer.toString(k), "j", "j" + k % 5);
            Labels late = Labels.of("__name__", "late", "i", Integer.toString(k), "j", "j" + k % 5);
            for (long t = from + PHASE; t < to; t += 15_000) {
                double v = k * 1_000 + t / 15_000 * (1 + k % 7);
                if (k % 23 == 7 || (k == 100 && t > 2 * HOUR)) {
                    app.appendHistogram(0, m, t, histogram(v));
                } else {
                    app.append(0, m, t, v);
                }
                // "99" sorts last of the i values.
                if (k == 99) {
                    app.appendHistogram(0, late, t, histogram(v));
                } else {
                    app.append(0, late, t, v);
                }
            }
        }
        app.commit();
    }

    private static Histogram histogram(double v) {
        return new Histogram(Histogram.CounterResetHint.UNKNOWN, 0, 0, 0, 2 * v, v, new int[]{0}, new int[]{2},
                new double[]{v, v}, null, null, null, null);
    }

    @AfterEach
    void close() throws Exception {
        storage.close();
    }

    private QueryResult range(Queryable q, String query) throws Exception {
        return range(engine, q, query);
    }

    private static QueryResult range(Engine e, Queryable q, String query) throws Exception {
        return e.range(q, PromQLParser.parseExpr(query), START, END, STEP);
    }

    private static List<String> strings(QueryResult r) {
        return ((Matrix) r.value()).series().stream().map(MatrixSeries::toString).toList();
    }

    /** Each output series as the function gives it over its series alone (no helper then), in label order. */
    @Test
    void everySeriesOnceInOrderWithHistogramsAmongTheFloats() throws Exception {
        for (String fn : new String[] {"rate(m%s[5m])", "avg_over_time(m%s[10m])", "last_over_time(m%s[1m])"}) {
            QueryResult all = range(storage, fn.formatted(""));
            List<String> alone = new ArrayList<>();
            Set<String> warnings = new HashSet<>();
            Set<String> infos = new HashSet<>();
            for (Labels l : labels) {
                QueryResult one = range(storage, fn.formatted("{i=\"" + l.get("i") + "\"}"));
                alone.addAll(strings(one));
                warnings.addAll(one.warnings());
                infos.addAll(one.infos());
            }
            assertThat(alone).as(fn).hasSizeGreaterThan(SERIES / 2);
            assertThat(strings(all)).as(fn).containsExactlyElementsOf(alone);
            assertThat(all.warnings()).as(fn).containsExactlyInAnyOrderElementsOf(warnings);
            assertThat(all.infos()).as(fn).containsExactlyInAnyOrderElementsOf(infos);
        }
        assertThat(range(storage, "rate(m[5m])").warnings()).isNotEmpty(); // m{i="100"} mixes floats and histograms
    }

    /**
     * An aggregation folding the function's float output as it streams gives up at a series holding histograms (in
     * the first batch for m, in the fifth for late) and is evaluated the usual way: as over the matrix ({@code * 1}).
     */
    @Test
    void aFoldingAggregationMeetingAHistogramAnswersAsOverTheMatrix() throws Exception {
        for (String q : new String[] {"sum by (j) (rate(%s[5m]))", "max by (j) (avg_over_time(%s[10m]))", "count(rate(%s[5m]))"}) {
            int answered = 0;
            for (String metric : new String[] {"m", "late"}) {
                String query = q.formatted(metric);
                QueryResult folded = range(storage, query);
                QueryResult over = range(storage, query.replace("[5m])", "[5m]) * 1").replace("[10m])", "[10m]) * 1"));
                assertThat(strings(folded)).as(query).containsExactlyElementsOf(strings(over));
                assertThat(folded.warnings()).as(query).containsExactlyInAnyOrderElementsOf(over.warnings());
                answered += strings(folded).size();
            }
            // A group mixing floats and histograms has no sum nor max (a warning says so): every group of m does.
            assertThat(answered).as(q).isPositive();
        }
    }

    /**
     * The limit holds the points read on both threads: one fewer than the selector reads fails the query, enough for
     * them and the output passes (none is counted twice).
     */
    @Test
    void theSampleLimitCountsThePointsOfBothThreads() throws Exception {
        String q = "avg_over_time(late{i!=\"99\"}[10m])";
        long mint = START - 600_000 + 1;
        int raw = 0;
        for (long t = PHASE; t <= END; t += 15_000) {
            raw += t >= mint ? SERIES - 1 : 0;
        }
        int output = ((Matrix) range(storage, q).value()).series().stream().mapToInt(MatrixSeries::size).sum();
        Engine short1 = new Engine(EngineOptions.defaults().withMaxSamples(raw - 1));
        assertThatThrownBy(() -> range(short1, storage, q))
                .isInstanceOf(PromQLException.class)
                .hasMessage("query processing would load too many samples into memory in query execution");
        Engine enough = new Engine(EngineOptions.defaults().withMaxSamples(raw + output));
        assertThat(strings(range(enough, storage, q))).hasSize(SERIES - 1);
    }

    /**
     * A series that fails to read on the query thread, or on the helper: the query fails with it, and no read goes
     * on. So that the failing thread surely meets one (the helper may run a batch ahead), the other waits at a
     * failing series until it has.
     */
    @Test
    void aFailureOnEitherThreadEndsTheQuery() throws Exception {
        for (boolean onHelper : new boolean[] {false, true}) {
            if (onHelper) {
                assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "a helper thread takes part");
            }
            AtomicInteger reads = new AtomicInteger();
            Queryable failing = (mint, maxt) -> failing(storage.querier(mint, maxt), reads, Thread.currentThread(), onHelper);
            assertThatThrownBy(() -> range(failing, "avg_over_time(late[10m])"))
                    .as("failing on the helper: %s", onHelper)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("unreadable");
            int after = reads.get();
            assertThat(after).isLessThan(SERIES);
            Thread.sleep(50);
            assertThat(reads.get()).as("reads after the query failed").isEqualTo(after);
        }
    }

    /**
     * Every series from the 130th on (the third batch) fails to read on the query thread ({@code onHelper} false) or
     * on any other; the other threads wait at such a series until one failed (10 s at most).
     */
    private static Querier failing(Querier q, AtomicInteger reads, Thread query, boolean onHelper) {
        CountDownLatch failed = new CountDownLatch(1);
        return new Querier() {
            @Override
            public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
                SeriesSet set = q.select(sorted, mint, maxt, matchers);
                AtomicInteger seen = new AtomicInteger();
                return new SeriesSet() {
                    @Override
                    public boolean next() {
                        return set.next();
                    }

                    @Override
                    public Series at() {
                        Series s = set.at();
                        boolean bad = seen.incrementAndGet() >= 130;
                        return new Series() {
                            @Override
                            public Labels labels() {
                                return s.labels();
                            }

                            @Override
                            public SampleIterator iterator(SampleIterator reuse) {
                                reads.incrementAndGet();
                                boolean fails = (Thread.currentThread() == query) != onHelper;
                                if (bad && fails) {
                                    failed.countDown();
                                    throw new IllegalStateException("unreadable");
                                }
                                if (bad) {
                                    try {
                                        failed.await(10, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                }
                                return s.iterator(reuse);
                            }
                        };
                    }
                };
            }

            @Override
            public List<String> labelNames(LabelMatcher... matchers) {
                return q.labelNames(matchers);
            }

            @Override
            public List<String> labelValues(String name, LabelMatcher... matchers) {
                return q.labelValues(name, matchers);
            }

            @Override
            public void close() {
                q.close();
            }
        };
    }
}
