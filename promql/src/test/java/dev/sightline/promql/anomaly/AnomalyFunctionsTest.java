package dev.sightline.promql.anomaly;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.PromQLException;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The PromQL anomaly functions over an in-memory TSDB, checked against the detectors they wrap. */
class AnomalyFunctionsTest {
    private static final long MIN = 60_000L;
    private static final long DAY = 1440 * MIN;

    private Tsdb tsdb;
    private final Engine engine = new Engine(EngineOptions.defaults());
    private final double[] steady = new double[61];

    @BeforeEach
    void load() throws Exception {
        tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false));
        Appender app = tsdb.appender();
        Random r = new Random(7);
        // steady: noise around 100 for an hour, then a jump to 130 at 60m.
        for (int i = 0; i <= 60; i++) {
            steady[i] = i == 60 ? 130 : 100 + r.nextGaussian();
            app.append(0, Labels.of("__name__", "steady", "job", "a"), i * MIN, steady[i]);
        }
        // spiky: like steady but with a past spike of 10000 at 10m and a modest rise to 106 at 60m.
        for (int i = 0; i <= 60; i++) {
            double v = i == 10 ? 10_000 : i == 60 ? 106 : 100 + (i % 3) - 1;
            app.append(0, Labels.of("__name__", "spiky"), i * MIN, v);
        }
        // flat: an integer gauge at 3 for an hour that moves to 4 at 60m.
        for (int i = 0; i <= 60; i++) {
            app.append(0, Labels.of("__name__", "flat"), i * MIN, i == 60 ? 4 : 3);
        }
        // daily: 3 days of a daily cycle every 5 minutes, ending in a day-time value at night.
        for (long t = 0; t <= 3 * DAY; t += 5 * MIN) {
            double v = t == 3 * DAY - DAY / 4 ? 150 : daily(t) + r.nextGaussian();
            app.append(0, Labels.of("__name__", "daily"), t, v);
        }
        // mixed: an hour of values from two clusters, 30 % around 1 and 70 % around 10.
        for (int i = 0; i <= 60; i++) {
            double v = (i % 10 < 3 ? 1 : 10) + 0.3 * r.nextGaussian();
            app.append(0, Labels.of("__name__", "mixed"), i * MIN, v);
        }
        // surge: a classic histogram with buckets at 1, 1.5, 2, 3, 5, 10, 20 and +Inf, mass at ~1.2 and ~15.
        double[] les = {1, 1.5, 2, 3, 5, 10, 20, Double.POSITIVE_INFINITY};
        double[] cumulative = {10, 300, 320, 320, 320, 320, 480, 480};
        for (int k = 0; k < les.length; k++) {
            String le = k == les.length - 1 ? "+Inf" : Double.toString(les[k]);
            app.append(0, Labels.of("__name__", "surge_bucket", "le", le), 60 * MIN, cumulative[k]);
        }
        // The same distribution as a native histogram with custom buckets.
        double[] counts = {10, 290, 20, 0, 0, 0, 160, 0};
        app.appendHistogram(0, Labels.of("__name__", "surge_native"), 60 * MIN, new Histogram(Histogram.CounterResetHint.GAUGE,
                Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 480, 480 * 5, new int[]{0}, new int[]{8}, counts,
                null, null, null, new double[]{1, 1.5, 2, 3, 5, 10, 20}));
        app.commit();
    }

    private static double daily(long t) {
        return 100 + 60 * Math.sin(2 * Math.PI * t / DAY);
    }

    @AfterEach
    void close() throws Exception {
        tsdb.close();
    }

    private Vector query(String q, long t) throws Exception {
        return (Vector) engine.instant(tsdb, PromQLParser.parseExpr(q), t, q).value();
    }

    private double single(String q, long t) throws Exception {
        Vector v = query(q, t);
        assertThat(v.samples()).as(q).hasSize(1);
        return v.samples().get(0).f();
    }

    @Test
    void aFlatGaugeThatMovesByOneIsFinitelyUnusual() throws Exception {
        // No spread and no step in the baseline: the move is the resolution, z = 1 / (1 / sqrt 12), not infinity.
        assertThat(single("zscore_over_time(flat[1h])", 60 * MIN)).isCloseTo(Math.sqrt(12), within(1e-12));
        assertThat(single("robust_zscore_over_time(flat[1h])", 60 * MIN)).isCloseTo(Math.sqrt(12), within(1e-12));
        // 59 flat points before it: a first move is a record, p = 1/60 for both members and their harmonic mean.
        assertThat(single("anomaly_score_over_time(flat[1h], 0)", 60 * MIN)).isCloseTo(1 - 1.0 / 60, within(1e-12));
        assertThat(single("anomaly_score_over_time(flat[1h], 0)", 59 * MIN)).isZero();
    }

    @Test
    void zscoreIsTheDetectorsStatisticOfTheWindowAndDropsTheName() throws Exception {
        // [1h] at 60m holds the points after 0m: 1..60; the baseline is 1..59.
        Vector v = query("zscore_over_time(steady[1h])", 60 * MIN);
        assertThat(v.samples()).singleElement().satisfies(s -> {
            assertThat(s.labels()).isEqualTo(Labels.of("job", "a"));
            assertThat(s.f()).isCloseTo(ZScore.zscore(steady, 1, 61), within(1e-12)).isGreaterThan(10);
        });
    }

    @Test
    void robustZscoreIsNotBlindedByAPastSpike() throws Exception {
        assertThat(single("zscore_over_time(spiky[1h])", 60 * MIN)).isLessThan(1);
        assertThat(single("robust_zscore_over_time(spiky[1h])", 60 * MIN)).isGreaterThan(4);
    }

    @Test
    void seasonalBandFollowsTheDayAndScoresTheOutOfPhaseValue() throws Exception {
        long normal = 3 * DAY - DAY / 2;
        assertThat(single("seasonal_expected(daily[3d], 86400)", normal)).isCloseTo(daily(normal), within(3.0));
        double lower = single("seasonal_lower(daily[3d], 86400)", normal);
        double upper = single("seasonal_upper(daily[3d], 86400)", normal);
        double wider = single("seasonal_upper(daily[3d], 86400, 5)", normal);
        assertThat(lower).isLessThan(daily(normal)).isGreaterThan(daily(normal) - 25);
        assertThat(upper).isGreaterThan(daily(normal)).isLessThan(wider);
        assertThat(single("seasonal_score(daily[3d], 86400)", normal)).isLessThan(Scores.THREE_SIGMA);

        long anomaly = 3 * DAY - DAY / 4;
        assertThat(single("seasonal_zscore(daily[3d], 86400)", anomaly)).isGreaterThan(5);
        assertThat(single("seasonal_score(daily[3d], 86400)", anomaly)).isGreaterThan(Scores.THREE_SIGMA);
        assertThat(single("anomaly_score_over_time(daily[3d])", anomaly)).isGreaterThan(Scores.THREE_SIGMA);
        // Without the season the value is inside the range seen over the window: only the seasonal view sees it.
        assertThat(single("anomaly_score_over_time(daily[3d], 0)", anomaly)).isLessThan(0.95);
        // One earlier day is not enough for a seasonal baseline.
        assertThat(query("seasonal_expected(daily[1d12h], 86400)", anomaly).samples()).isEmpty();
    }

    @Test
    void bimodalityStatisticsExpressTheSeedCriterion() throws Exception {
        long t = 60 * MIN;
        assertThat(single("bimodality_over_time(mixed[1h], \"mode_low\")", t)).isCloseTo(1, within(0.3));
        assertThat(single("bimodality_over_time(mixed[1h], \"mode_high\")", t)).isCloseTo(10, within(0.3));
        assertThat(single("bimodality_over_time(mixed[1h], \"weight_low\")", t)).isCloseTo(0.3, within(0.05));
        assertThat(single("bimodality_over_time(mixed[1h], \"bimodal\")", t)).isEqualTo(1);
        assertThat(single("bimodality_over_time(mixed[1h])", t)).isGreaterThan(Scores.THREE_SIGMA);
        String seed = "bimodality_over_time(%s[1h], \"min_weight\") > 0.1 and bimodality_over_time(%s[1h], \"separation\")"
                + " > 2 * bimodality_over_time(%s[1h], \"mean_deviation\")";
        assertThat(query(seed.formatted("mixed", "mixed", "mixed"), t).samples()).hasSize(1);
        assertThat(query(seed.formatted("steady", "steady", "steady"), t - MIN).samples()).isEmpty();
    }

    @Test
    void histogramBimodalityReadsClassicAndNativeBuckets() throws Exception {
        long t = 60 * MIN;
        for (String h : new String[]{"surge_bucket", "surge_native"}) {
            Vector v = query("histogram_bimodality(" + h + ", \"mode_high\")", t);
            assertThat(v.samples()).as(h).singleElement().satisfies(s -> {
                assertThat(s.labels()).isEqualTo(Labels.EMPTY);
                assertThat(s.f()).isCloseTo(15, within(0.5));
            });
            assertThat(single("histogram_bimodality(" + h + ", \"weight_high\")", t)).isCloseTo(1.0 / 3, within(0.01));
            assertThat(single("histogram_bimodality(" + h + ")", t)).isGreaterThan(Scores.THREE_SIGMA);
        }
    }

    @Test
    void wrongArgumentTypesAreParseErrorsAndUnknownStatisticsExecutionErrors() {
        for (String q : new String[]{"zscore_over_time(steady)", "seasonal_score(daily[3d])",
                "seasonal_expected(daily[3d], \"1d\")", "bimodality_over_time(mixed[1h], 3)",
                "histogram_bimodality(surge_bucket[5m])", "anomaly_score_over_time(steady[1h], 1, 2)"}) {
            assertThatThrownBy(() -> PromQLParser.parseExpr(q)).as(q).isInstanceOf(ParseException.class);
        }
        assertThatThrownBy(() -> query("bimodality_over_time(mixed[1h], \"modes\")", 60 * MIN))
                .isInstanceOf(PromQLException.class).hasMessageContaining("unknown statistic \"modes\"");
        for (String season : new String[]{"-5", "0", "0.0001", "NaN"}) {
            assertThatThrownBy(() -> query("seasonal_score(daily[3d], " + season + ")", DAY)).as(season)
                    .isInstanceOf(PromQLException.class).hasMessageContaining("invalid season for seasonal_score");
        }
        assertThatThrownBy(() -> query("anomaly_score_over_time(daily[3d], -1)", DAY))
                .isInstanceOf(PromQLException.class).hasMessageContaining("expected 0 or at least 0.001 seconds");
    }

    @Test
    void aRangeQueryEqualsInstantQueriesAtEachStepAndSubqueriesWork() throws Exception {
        // One kernel serves every series and step of a range query: its reused buffers must not leak between them.
        for (String q : new String[]{"robust_zscore_over_time({__name__=~\"steady|spiky\"}[30m])",
                "anomaly_score_over_time({__name__=~\"steady|spiky\"}[30m], 600)",
                "bimodality_over_time({__name__=~\"steady|spiky\"}[30m], \"mode_high\")", "bimodality_over_time(mixed[30m], \"weight_low\")",
                "seasonal_upper(daily[2d], 43200, 2)", "zscore_over_time(steady[20m:1m])"}) {
            long start = 40 * MIN, end = 60 * MIN, step = 5 * MIN;
            if (q.startsWith("seasonal")) {
                start = 2 * DAY;
                end = 2 * DAY + 60 * MIN;
            }
            var m = (dev.sightline.promql.engine.Matrix) engine.range(tsdb, PromQLParser.parseExpr(q), start, end, step, q).value();
            int compared = 0;
            for (var series : m.series()) {
                for (int i = 0; i < series.fn; i++) {
                    long t = series.ft[i];
                    Labels l = series.labels;
                    double expected = query(q, t).samples().stream().filter(x -> x.labels().equals(l)).findFirst()
                            .orElseThrow().f();
                    assertThat(series.fv[i]).as(q + " at " + t + " " + l).isEqualTo(expected);
                    compared++;
                }
            }
            assertThat(compared).as(q).isGreaterThanOrEqualTo(5);
        }
        // A subquery at the samples' own resolution sees the same points as the range selector.
        assertThat(single("zscore_over_time(steady[1h:1m])", 60 * MIN)).isEqualTo(single("zscore_over_time(steady[1h])", 60 * MIN));
    }

    @Test
    void tooLittleHistoryGivesNoSample() throws Exception {
        // Three points in [3m] at 3m: 1m, 2m, 3m — a baseline of two.
        for (String f : new String[]{"zscore_over_time", "robust_zscore_over_time", "anomaly_score_over_time",
                "bimodality_over_time"}) {
            assertThat(query(f + "(steady[3m])", 3 * MIN).samples()).as(f).isEmpty();
        }
        assertThat(query("zscore_over_time(steady[6m])", 6 * MIN).samples()).extracting(Sample::f).hasSize(1);
    }
}
