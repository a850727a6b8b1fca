package dev.sightline.promql.engine;

import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A rule's expression evaluated with a {@link DetectorCache} cycle after cycle, as samples arrive, equals a fresh
 * stateless evaluation at every cycle within the detectors' tolerance (relative 1e-9), through the cases that make
 * the cache read in full: new and vanished series, stale markers, NaN, out-of-order samples, a season argument that
 * changes, time going backwards.
 */
class DetectorCacheTest {
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long CYCLE = 15_000L;
    private static final long OOO_WINDOW = 10 * MIN;

    private final Engine engine = new Engine(EngineOptions.defaults());
    private Tsdb tsdb;

    @AfterEach
    void close() throws Exception {
        if (tsdb != null) {
            tsdb.close();
        }
    }

    private static final List<String> EXPRESSIONS = List.of(
            "zscore_over_time(m[2h])",
            "robust_zscore_over_time(m[2h])",
            "seasonal_score(m[5h], 3600)",
            "seasonal_zscore(m[5h], 3600)",
            "seasonal_expected(m[5h], 3600)",
            "seasonal_lower(m[5h], 3600, 2)",
            "seasonal_upper(m[5h], 3600)",
            "anomaly_score_over_time(m[5h], 3600)",
            "anomaly_score_over_time(m[3h])",
            "anomaly_score_over_time(m[3h] offset 7m, 0) > 0.5",
            "seasonal_score(m{kind!=\"flat\"}[5h], scalar(season))");

    @Test
    void statefulEqualsStatelessCycleAfterCycle() throws Exception {
        tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false).withOutOfOrderWindowMs(OOO_WINDOW));
        Random r = new Random(42);
        Map<String, DetectorCache> caches = new HashMap<>();
        Map<String, Expr> parsed = new HashMap<>();
        for (String e : EXPRESSIONS) {
            caches.put(e, new DetectorCache(OOO_WINDOW, 50));
            parsed.put(e, PromQLParser.parseExpr(e));
        }
        long t0 = 1_700_000_000_000L;
        long written = t0 - 6 * HOUR; // history before the first evaluation
        long end = t0 + 4 * HOUR;
        int compared = 0;
        for (long now = t0; now <= end; now += CYCLE) {
            Appender app = tsdb.appender();
            for (; written + MIN <= now; written += MIN) {
                appendAll(app, written + MIN, r);
            }
            if (r.nextDouble() < 0.05) {
                // A late sample, within the out-of-order window, into the part already read.
                long late = written - (1 + r.nextInt(8)) * MIN + 1 + r.nextInt((int) MIN - 2);
                app.append(0, series("noisy", 0), late, 500 + r.nextGaussian());
            }
            app.commit();
            for (String e : EXPRESSIONS) {
                compared += assertEquivalent(values(engine.instant(tsdb, parsed.get(e), now, caches.get(e))),
                        values(engine.instant(tsdb, parsed.get(e), now)), e + " at " + now);
            }
        }
        assertThat(compared).isGreaterThan(10_000);
        for (String e : EXPRESSIONS) {
            DetectorCache c = caches.get(e);
            assertThat(c.tailReads()).as(e + ": series brought up to date from their tail").isGreaterThan(4 * c.fullReads());
        }
        // The series that stopped at t0 + 1h have left every window and their state is gone.
        assertThat(caches.get("zscore_over_time(m[2h])").series()).isEqualTo(5);
    }

    /** noisy (plus its late samples), quantized, flat; NaN and a stale marker now and then; churn; a season. */
    private static void appendAll(Appender app, long t, Random r) {
        double phase = Math.sin(2 * Math.PI * (t % HOUR) / HOUR);
        try {
            app.append(0, series("noisy", 0), t, 100 + 20 * phase + r.nextGaussian());
            app.append(0, series("quantized", 0), t, Math.rint(3 + 2 * phase + r.nextGaussian()));
            app.append(0, series("flat", 0), t, r.nextDouble() < 0.01 ? 8 : 7);
            double odd = r.nextDouble() < 0.01 ? Double.NaN : r.nextDouble() < 0.01 ? Staleness.STALE_NAN : r.nextGaussian();
            app.append(0, series("odd", 0), t, odd);
            long t0 = 1_700_000_000_000L;
            if (t < t0 + HOUR) {
                app.append(0, series("churn", 1), t, r.nextGaussian());
            } else {
                app.append(0, series("churn", 2), t, r.nextGaussian());
            }
            // The season argument: an hour, then half an hour for a while.
            app.append(0, Labels.of("__name__", "season"), t, t > t0 + HOUR && t < t0 + 2 * HOUR ? 1800 : 3600);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Labels series(String kind, int instance) {
        return Labels.of("__name__", "m", "kind", kind, "instance", "i" + instance);
    }

    private static Map<Labels, Double> values(QueryResult r) {
        Map<Labels, Double> out = new HashMap<>();
        for (Sample s : ((Vector) r.value()).samples()) {
            out.put(s.labels(), s.f());
        }
        return out;
    }

    /** Same series, values within the tolerance; returns how many were compared. */
    private static int assertEquivalent(Map<Labels, Double> stateful, Map<Labels, Double> stateless, String what) {
        assertThat(stateful.keySet()).as(what).isEqualTo(stateless.keySet());
        for (var s : stateless.entrySet()) {
            assertClose(stateful.get(s.getKey()), s.getValue(), what + " " + s.getKey());
        }
        return stateless.size();
    }

    private static void assertClose(double stateful, double stateless, String what) {
        if (stateful == stateless) {
            return;
        }
        assertThat(Math.abs(stateful - stateless)).as(what + ": " + stateful + " vs " + stateless)
                .isLessThanOrEqualTo(1e-9 * Math.max(Math.abs(stateful), Math.abs(stateless)));
    }

    @Test
    void outOfOrderSampleInTheReadPartRebuildsThatSeries() throws Exception {
        tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false).withOutOfOrderWindowMs(OOO_WINDOW));
        Expr e = PromQLParser.parseExpr("robust_zscore_over_time(m[1h])");
        DetectorCache cache = new DetectorCache(OOO_WINDOW);
        Appender app = tsdb.appender();
        for (int i = 0; i < 60; i++) {
            app.append(0, series("a", 0), i * MIN, i % 7);
        }
        app.commit();
        engine.instant(tsdb, e, 59 * MIN, cache);
        assertThat(cache.fullReads()).isEqualTo(1);
        engine.instant(tsdb, e, 59 * MIN + CYCLE, cache);
        assertThat(cache.tailReads()).isEqualTo(1);
        app = tsdb.appender();
        app.append(0, series("a", 0), 55 * MIN + 30_000, 1000);
        app.commit();
        double stateful = values(engine.instant(tsdb, e, 59 * MIN + 2 * CYCLE, cache)).values().iterator().next();
        double stateless = values(engine.instant(tsdb, e, 59 * MIN + 2 * CYCLE)).values().iterator().next();
        assertThat(cache.fullReads()).as("the late sample made it read the series again").isEqualTo(2);
        assertThat(stateful).isEqualTo(stateless);
    }

    @Test
    void histogramsInTheRangeAreIgnoredWithTheStatelessAnnotation() throws Exception {
        tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false));
        Appender app = tsdb.appender();
        Labels l = series("mixed", 0);
        for (int i = 0; i < 40; i++) {
            if (i == 20) {
                app.appendHistogram(0, l, i * MIN, new dev.sightline.core.Histogram(
                        dev.sightline.core.Histogram.CounterResetHint.GAUGE, dev.sightline.core.Histogram.CUSTOM_BUCKETS_SCHEMA,
                        0, 0, 3, 6, new int[]{0}, new int[]{1}, new double[]{3}, null, null, null, new double[]{1}));
            } else {
                app.append(0, l, i * MIN, i % 5);
            }
        }
        app.commit();
        Expr e = PromQLParser.parseExpr("zscore_over_time(m[30m])");
        DetectorCache cache = new DetectorCache(0);
        for (long t = 39 * MIN; t < 55 * MIN; t += CYCLE) {
            if (t % MIN == 0 && t > 39 * MIN) {
                app = tsdb.appender();
                app.append(0, l, t, (t / MIN) % 5);
                app.commit();
            }
            QueryResult stateful = engine.instant(tsdb, e, t, cache);
            QueryResult stateless = engine.instant(tsdb, e, t);
            assertEquivalent(values(stateful), values(stateless), "at " + t);
            assertThat(stateful.infos()).as("at " + t).isEqualTo(stateless.infos());
        }
        assertThat(engine.instant(tsdb, e, 45 * MIN).infos()).as("the histogram is in the range at 45m").isNotEmpty();
        assertThat(cache.tailReads()).isPositive();
    }

    @Test
    void timeGoingBackwardsOrAChangedRangeReadsAgain() throws Exception {
        tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false));
        Appender app = tsdb.appender();
        Random r = new Random(3);
        for (int i = 0; i < 300; i++) {
            app.append(0, series("a", 0), i * MIN, r.nextGaussian());
        }
        app.commit();
        Expr e = PromQLParser.parseExpr("zscore_over_time(m[1h])");
        DetectorCache cache = new DetectorCache(0);
        for (long t : new long[]{200 * MIN, 201 * MIN, 150 * MIN, 151 * MIN}) {
            assertEquivalent(values(engine.instant(tsdb, e, t, cache)), values(engine.instant(tsdb, e, t)), "at " + t);
        }
        assertThat(cache.fullReads()).isEqualTo(2);
        assertThat(cache.tailReads()).isEqualTo(2);
    }

    @Test
    void invalidSeasonFailsAsStatelessAndAdHocQueriesKeepNoState() throws Exception {
        tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false));
        Appender app = tsdb.appender();
        for (int i = 0; i < 30; i++) {
            app.append(0, series("a", 0), i * MIN, i);
        }
        app.commit();
        DetectorCache cache = new DetectorCache(0);
        Expr bad = PromQLParser.parseExpr("seasonal_score(m[1h], -5)");
        assertThatThrownBy(() -> engine.instant(tsdb, bad, 29 * MIN, cache)).isInstanceOf(PromQLException.class)
                .hasMessageContaining("invalid season for seasonal_score");
        Expr noData = PromQLParser.parseExpr("seasonal_score(nothing[1h], -5)");
        assertThat(values(engine.instant(tsdb, noData, 29 * MIN, cache))).isEmpty();
        assertThat(cache.series()).isZero();
        // A range query, or one without a cache, never touches it.
        engine.range(tsdb, PromQLParser.parseExpr("zscore_over_time(m[1h])"), 10 * MIN, 29 * MIN, MIN);
        assertThat(cache.series()).isZero();
        assertThatThrownBy(() -> new DetectorCache(-1)).hasMessageContaining("overlapMs");
        assertThatThrownBy(() -> new DetectorCache(0, 0)).hasMessageContaining("rebuildEvery");
    }
}
