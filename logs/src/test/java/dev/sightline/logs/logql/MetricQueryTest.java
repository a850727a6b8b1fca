package dev.sightline.logs.logql;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sightline.logs.logql.LogQlFixture.T0;
import static dev.sightline.logs.logql.LogQlFixture.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Metric queries checked against values worked out by hand from the lines below. */
class MetricQueryTest {
    private static final Labels API = Labels.of("app", "api", "env", "prod");
    private static final Labels DB = Labels.of("app", "db", "env", "prod");

    /** api: a logfmt line every 10 s (k = 1..60 at 10k s), every third one error; db: a JSON line every 30 s from 15 s. */
    private static InMemoryLogStore store() {
        InMemoryLogStore store = new InMemoryLogStore();
        LogAppender a = store.appender();
        for (int k = 1; k <= 60; k++) {
            a.append(API, at(10 * k), "level=info latency_ms=" + k + " took=" + (10 * k) + "ms msg=\"req " + k + "\"",
                    Labels.of("detected_level", k % 3 == 0 ? "error" : "info"));
        }
        for (int k = 1; k <= 20; k++) {
            a.append(DB, at(15 + 30 * (k - 1)), dbLine(k), Labels.EMPTY);
        }
        LogQlFixture.commit(a);
        return store;
    }

    private static String dbLine(int k) {
        return "{\"level\":\"warn\",\"rows\":" + k + ",\"size\":\"" + k + "KB\"}";
    }

    private final InMemoryLogStore store = store();
    private final LogQlEngine engine = new LogQlEvaluator(store.querier());

    private Map<Labels, Double> instant(String query, double seconds) {
        LogQlResult r = engine.instant(query, at(seconds), LogSelection.Direction.BACKWARD, 100);
        Map<Labels, Double> out = new LinkedHashMap<>();
        for (LogQlResult.Sample s : ((LogQlResult.Vector) r).samples()) {
            assertThat(s.timeMillis()).isEqualTo((T0 + (long) (seconds * 1e9)) / 1_000_000);
            out.put(s.labels(), s.value());
        }
        return out;
    }

    private double single(String query, double seconds) {
        Map<Labels, Double> v = instant(query, seconds);
        assertThat(v).as(query).hasSize(1);
        return v.values().iterator().next();
    }

    @Test
    void countAndRateOverLeftOpenWindows() {
        // (300 s, 600 s]: k = 31..60, of which 33, 36, ..., 60 (10 lines) are errors.
        assertThat(instant("count_over_time({app=\"api\"}[5m])", 600)).containsExactly(
                Map.entry(Labels.of("app", "api", "detected_level", "error", "env", "prod"), 10.0),
                Map.entry(Labels.of("app", "api", "detected_level", "info", "env", "prod"), 20.0));
        assertThat(single("sum(count_over_time({app=\"api\"}[5m]))", 600)).isEqualTo(30);
        assertThat(single("sum(rate({app=\"api\"}[5m]))", 600)).isEqualTo(30 / 300.0);
        assertThat(single("sum(count_over_time({app=\"api\"} |= \"latency_ms=5\" [10m]))", 600)).isEqualTo(11); // 5, 50..59
        assertThat(single("sum(count_over_time({app=\"api\"}[1m] offset 5m))", 600)).isEqualTo(6); // (240, 300]
    }

    @Test
    void groupingByStructuredMetadata() {
        // db's 10 lines in (300, 600] (315, 345, ..., 585) have no detected_level.
        assertThat(instant("sum by (detected_level) (count_over_time({env=\"prod\"}[5m]))", 600)).containsExactly(
                Map.entry(Labels.EMPTY, 10.0), Map.entry(Labels.of("detected_level", "error"), 10.0),
                Map.entry(Labels.of("detected_level", "info"), 20.0));
        assertThat(instant("sum without (env, detected_level) (rate({env=\"prod\"}[5m]))", 600)).containsExactly(
                Map.entry(Labels.of("app", "api"), 0.1), Map.entry(Labels.of("app", "db"), 10 / 300.0));
    }

    @Test
    void bytesOverTime() {
        int bytes = dbLine(19).getBytes(StandardCharsets.UTF_8).length + dbLine(20).getBytes(StandardCharsets.UTF_8).length;
        assertThat(single("bytes_over_time({app=\"db\"}[1m])", 585)).isEqualTo(bytes); // 555 and 585
        assertThat(single("bytes_rate({app=\"db\"}[1m])", 585)).isEqualTo(bytes / 60.0);
        assertThat(single("sum(bytes_over_time({app=\"db\"} | json | rows > 19 [1m]))", 585))
                .isEqualTo(dbLine(20).length());
    }

    @Test
    void unwrappedAggregations() {
        // (540, 600]: k = 55..60.
        String range = "{app=\"api\"} | logfmt | unwrap latency_ms [1m]) by (app)";
        Labels app = Labels.of("app", "api");
        assertThat(instant("sum_over_time(" + range, 600)).containsExactly(Map.entry(app, 345.0));
        assertThat(single("avg_over_time(" + range, 600)).isEqualTo(57.5);
        assertThat(single("min_over_time(" + range, 600)).isEqualTo(55);
        assertThat(single("max_over_time(" + range, 600)).isEqualTo(60);
        assertThat(single("first_over_time(" + range, 600)).isEqualTo(55);
        assertThat(single("last_over_time(" + range, 600)).isEqualTo(60);
        assertThat(single("rate(" + range, 600)).isEqualTo(345 / 60.0);
        assertThat(single("stdvar_over_time(" + range, 600)).isCloseTo(35 / 12.0, within(1e-12));
        assertThat(single("stddev_over_time(" + range, 600)).isCloseTo(Math.sqrt(35 / 12.0), within(1e-12));
        assertThat(single("quantile_over_time(0.5, " + range, 600)).isEqualTo(57.5);
        assertThat(single("quantile_over_time(0.99, " + range, 600)).isCloseTo(59.95, within(1e-9));
        assertThat(single("sum_over_time({app=\"api\"} | logfmt | unwrap duration(took) [1m]) by (app)", 600))
                .isCloseTo(3.45, within(1e-12));
        assertThat(single("sum_over_time({app=\"db\"} | json | unwrap bytes(size) [1m]) by (app)", 585))
                .isEqualTo(39_000);
    }

    @Test
    void rateCounterExtrapolatesAsPrometheus() {
        // (465, 585]: rows 17..20 at 495..585; increase 3 over 90 s, extrapolated by 30 s at the start (below 1.1x
        // the 30 s gap) and 0 at the end: 3 * 120 / 90 = 4 over the 120 s range.
        assertThat(single("rate_counter({app=\"db\"} | json | unwrap rows [2m]) by (app)", 585))
                .isCloseTo(4 / 120.0, within(1e-12));
    }

    @Test
    void unwrapDropsTheUnwrappedLabelUnlessGroupedBy() {
        Map<Labels, Double> v = instant("max_over_time({app=\"db\"} | json | unwrap rows [1m]) without (size)", 585);
        assertThat(v).containsExactly(Map.entry(Labels.of("app", "db", "env", "prod", "level", "warn"), 20.0));
        assertThat(instant("max_over_time({app=\"db\"} | json | unwrap rows [1m]) by (rows)", 585)).containsExactly(
                Map.entry(Labels.of("rows", "19"), 19.0), Map.entry(Labels.of("rows", "20"), 20.0));
    }

    @Test
    void pipelineErrorsFailMetricQueriesUnlessFiltered() {
        assertThatThrownBy(() -> instant("count_over_time({app=\"api\"} | json [5m])", 600))
                .isInstanceOf(LogQlException.class).hasMessageStartingWith("pipeline error: 'JSONParserErr'");
        assertThat(instant("count_over_time({app=\"api\"} | json | __error__=\"\" [5m])", 600)).isEmpty();
        assertThatThrownBy(() -> instant("sum_over_time({app=\"db\"} | json | unwrap level [1m]) by (app)", 585))
                .hasMessageStartingWith("pipeline error: 'SampleExtractionErr'");
        assertThat(instant("sum_over_time({app=\"db\"} | json | unwrap level | __error__=\"\" [1m]) by (app)", 585))
                .isEmpty();
    }

    @Test
    void vectorAggregations() {
        String inner = "sum by (detected_level) (count_over_time({app=\"api\"}[5m]))"; // error 10, info 20
        Labels error = Labels.of("detected_level", "error");
        Labels info = Labels.of("detected_level", "info");
        assertThat(instant("topk(1, " + inner + ")", 600)).containsExactly(Map.entry(info, 20.0));
        assertThat(instant("bottomk(1, " + inner + ")", 600)).containsExactly(Map.entry(error, 10.0));
        assertThat(instant("sort_desc(" + inner + ")", 600).keySet()).containsExactly(info, error);
        assertThat(instant("sort(" + inner + ")", 600).keySet()).containsExactly(error, info);
        assertThat(single("count(" + inner + ")", 600)).isEqualTo(2);
        assertThat(single("avg(" + inner + ")", 600)).isEqualTo(15);
        assertThat(single("min(" + inner + ")", 600)).isEqualTo(10);
        assertThat(single("max(" + inner + ")", 600)).isEqualTo(20);
        assertThat(single("stddev(" + inner + ")", 600)).isEqualTo(5);
        assertThat(single("stdvar(" + inner + ")", 600)).isEqualTo(25);
        assertThat(instant("max by (app) (count_over_time({env=\"prod\"}[5m]))", 600)).containsExactly(
                Map.entry(Labels.of("app", "api"), 20.0), Map.entry(Labels.of("app", "db"), 10.0));
    }

    @Test
    void binaryOperations() {
        String byLevel = "sum by (detected_level) (count_over_time({app=\"api\"}[5m]))";
        assertThat(single("sum(count_over_time({app=\"api\"}[5m])) / 300", 600)).isEqualTo(0.1);
        assertThat(single("2 * sum(count_over_time({app=\"api\"}[5m])) - 10", 600)).isEqualTo(50);
        assertThat(instant(byLevel + " > 15", 600)).containsExactly(
                Map.entry(Labels.of("detected_level", "info"), 20.0));
        assertThat(instant(byLevel + " > bool 15", 600)).containsExactly(
                Map.entry(Labels.of("detected_level", "error"), 0.0), Map.entry(Labels.of("detected_level", "info"), 1.0));
        String byApp5 = "sum by (app) (count_over_time({env=\"prod\"}[5m]))"; // api 30, db 10
        String byApp10 = "sum by (app) (count_over_time({env=\"prod\"}[10m]))"; // api 60, db 20 (as of 600)
        assertThat(instant(byApp5 + " / " + byApp10, 600)).containsExactly(
                Map.entry(Labels.of("app", "api"), 0.5), Map.entry(Labels.of("app", "db"), 0.5));
        assertThat(instant(byApp5 + " - on (app) " + byApp10, 600)).containsExactly(
                Map.entry(Labels.of("app", "api"), -30.0), Map.entry(Labels.of("app", "db"), -10.0));
        assertThat(instant(byApp5 + " and sum by (app) (count_over_time({app=\"db\"}[5m]))", 600)).containsExactly(
                Map.entry(Labels.of("app", "db"), 10.0));
        assertThat(instant(byApp5 + " unless sum by (app) (count_over_time({app=\"db\"}[5m]))", 600)).containsExactly(
                Map.entry(Labels.of("app", "api"), 30.0));
        assertThat(instant("sum(count_over_time({app=\"none\"}[5m])) or vector(0)", 600)).containsExactly(
                Map.entry(Labels.EMPTY, 0.0));
        assertThat(instant("sum by (app, env) (count_over_time({env=\"prod\"}[5m])) - ignoring (env) " + byApp10, 600))
                .containsExactly(Map.entry(Labels.of("app", "api"), -30.0), Map.entry(Labels.of("app", "db"), -10.0));
        assertThatThrownBy(() -> instant(byLevel + " + ignoring (detected_level) vector(1)", 600))
                .hasMessageContaining("many-to-many matching not allowed");
    }

    @Test
    void scalars() {
        LogQlResult r = engine.instant("1 + 2 * 3 - 2 ^ 3 ^ 2 % 5", at(1), LogSelection.Direction.BACKWARD, 10);
        assertThat(r).isEqualTo(new LogQlResult.Scalar((T0 + 1_000_000_000L) / 1_000_000, 7 - 512 % 5));
        assertThat(((LogQlResult.Scalar) engine.instant("1 > bool 2", at(1), LogSelection.Direction.BACKWARD, 10))
                .value()).isZero();
        assertThat(((LogQlResult.Scalar) engine.instant("-(2 + 3)", at(1), LogSelection.Direction.BACKWARD, 10))
                .value()).isEqualTo(-5);
    }

    @Test
    void absentOverTime() {
        assertThat(instant("absent_over_time({app=\"api\", env=~\"p.*\"}[1m])", 600)).isEmpty();
        assertThat(instant("absent_over_time({app=\"api\", env=~\"p.*\"}[1m])", 700)).containsExactly(
                Map.entry(Labels.of("app", "api"), 1.0));
    }

    @Test
    void rangeQueryGivesAMatrixWithLeftOpenWindows() {
        LogQlResult r = engine.range("sum(count_over_time({app=\"db\"}[10s]))", at(0), at(60), 5_000_000_000L,
                LogSelection.Direction.BACKWARD, 100);
        LogQlResult.Series s = ((LogQlResult.Matrix) r).series().getFirst();
        long ms = T0 / 1_000_000;
        // Lines at 15 and 45: in (t - 10, t] for t = 15, 20 and 45, 50; not at 25 (the window's start is open).
        assertThat(s.timesMillis()).containsExactly(ms + 15_000, ms + 20_000, ms + 45_000, ms + 50_000);
        assertThat(s.values()).containsExactly(1, 1, 1, 1);
        LogQlResult byApp = engine.range("sum by (app) (rate({env=\"prod\"}[1m]))", at(60), at(180), 60_000_000_000L,
                LogSelection.Direction.BACKWARD, 100);
        assertThat(((LogQlResult.Matrix) byApp).series()).extracting(LogQlResult.Series::labels)
                .containsExactly(Labels.of("app", "api"), Labels.of("app", "db"));
        assertThat(((LogQlResult.Matrix) byApp).series().getFirst().values()).containsExactly(0.1, 0.1, 0.1);
        assertThat(((LogQlResult.Matrix) byApp).series().get(1).values()).containsExactly(2 / 60.0, 2 / 60.0, 2 / 60.0);
    }

    @Test
    void tooManyStepsAreRefused() {
        assertThatThrownBy(() -> engine.range("count_over_time({app=\"db\"}[1m])", at(0), at(11_000), 1_000_000_000L,
                LogSelection.Direction.BACKWARD, 100)).isInstanceOf(LogQlException.class)
                .hasMessageContaining("exceeded maximum resolution of 11,000 points per timeseries");
        assertThat(engine.range("count_over_time({app=\"db\"}[1m])", at(1), at(11_000), 1_000_000_000L,
                LogSelection.Direction.BACKWARD, 100)).isInstanceOf(LogQlResult.Matrix.class);
    }

    @Test
    void streamOnlyPipelinesReadSamplesNotLines() {
        AtomicInteger selects = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        LogQuerier q = store.querier();
        LogQuerier counting = new LogQuerier() {
            @Override
            public void select(LogSelection s, EntrySink sink) {
                selects.incrementAndGet();
                q.select(s, sink);
            }

            @Override
            public void samples(LogSelection s, SampleSink sink) {
                samples.incrementAndGet();
                assertThat(s.lineFilters()).hasSize(1);
                q.samples(s, sink);
            }

            @Override
            public List<String> labelNames(long f, long t, List<LabelMatcher> m) {
                return q.labelNames(f, t, m);
            }

            @Override
            public List<String> labelValues(String n, long f, long t, List<LabelMatcher> m) {
                return q.labelValues(n, f, t, m);
            }

            @Override
            public List<Labels> series(long f, long t, List<LabelMatcher> m) {
                return q.series(f, t, m);
            }

            @Override
            public Stats stats(long f, long t, List<LabelMatcher> m) {
                return q.stats(f, t, m);
            }
        };
        LogQlEngine e = new LogQlEvaluator(counting);
        LogQlResult r = e.instant("sum by (detected_level) (count_over_time({app=~\".+\"} |= \"level\" [5m]))",
                at(600), LogSelection.Direction.BACKWARD, 10);
        assertThat(((LogQlResult.Vector) r).samples()).hasSize(3);
        assertThat(samples.get()).isEqualTo(1);
        assertThat(selects.get()).isZero();
        // Grafana's log-volume form: dropping error labels no parser could have set keeps the fast path.
        LogQlResult volume = e.instant("sum by (detected_level) (count_over_time({app=~\".+\"} |= \"level\" "
                + "| drop __error__, __error_details__ [5m]))", at(600), LogSelection.Direction.BACKWARD, 10);
        assertThat(volume).isEqualTo(r);
        assertThat(samples.get()).isEqualTo(2);
        assertThat(selects.get()).isZero();
        e.instant("sum by (detected_level) (count_over_time({app=~\".+\"} |= \"level\" | drop app [5m]))", at(600),
                LogSelection.Direction.BACKWARD, 10);
        assertThat(selects.get()).isEqualTo(1);
    }
}
