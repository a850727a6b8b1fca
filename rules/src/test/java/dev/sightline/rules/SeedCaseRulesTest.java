package dev.sightline.rules;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example rule files of the four seed cases (examples/rules/, shipped as they are) against synthetic incidents:
 * six quiet hours, then the incident. Every evaluation is a minute; each case checks that nothing fires while quiet,
 * that the case's alerts fire within a bound after the incident starts, and that their annotations explain
 * themselves (observed, expected, score and lookback, rendered without template errors).
 */
class SeedCaseRulesTest {
    private static final long MIN = 60_000L;
    private static final long SCRAPE = 15_000L;
    private static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % (60 * MIN);
    private static final long INCIDENT = T0 + 6 * 60 * MIN;
    private static final long END = INCIDENT + 30 * MIN;
    private static final Path EXAMPLES = Path.of("..", "examples", "rules");

    /** Writes every series' sample at time t (called every 15 s of the replay). */
    @FunctionalInterface
    private interface Scenario {
        void write(Appender app, long t, Random r);
    }

    /** alertname -> first evaluation at which it was firing, and the annotations it had then. */
    private record Fired(long at, Labels labels, Labels annotations) {
    }

    private static Map<String, Fired> replay(String file, Scenario scenario) throws Exception {
        RuleFileParser.Result parsed = RuleFileParser.parseFile(EXAMPLES.resolve(file));
        assertThat(parsed.errors()).isEmpty();
        Map<String, Fired> fired = new TreeMap<>();
        try (Tsdb tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false));
             RuleManager manager = new RuleManager(tsdb, new Engine(EngineOptions.defaults()), alerts -> { },
                     RuleManager.Options.defaults(), () -> END)) {
            manager.update(parsed.groups());
            Random r = new Random(7);
            long written = T0;
            for (long t = T0 + MIN; t <= END; t += MIN) {
                Appender app = tsdb.appender();
                for (; written <= t; written += SCRAPE) {
                    scenario.write(app, written, r);
                }
                app.commit();
                for (RuleGroup g : manager.groups()) {
                    manager.evaluate(g, t);
                    for (Rule rule : g.rules()) {
                        assertThat(rule.health()).as(rule.config().name() + ": " + rule.lastError()).isEqualTo("ok");
                        if (rule instanceof AlertingRule a) {
                            for (Alert alert : a.alerts()) {
                                if (alert.state() == AlertState.FIRING) {
                                    fired.putIfAbsent(a.config().alert(), new Fired(t, alert.labels(), alert.annotations()));
                                }
                            }
                        }
                    }
                }
            }
        }
        for (Fired f : fired.values()) {
            assertThat(f.at()).as("%s fired %d min after the start, the incident is at %d", f.labels(), (f.at() - T0) / MIN,
                    (INCIDENT - T0) / MIN).isGreaterThanOrEqualTo(INCIDENT);
            assertThat(f.annotations().toMap()).as("%s annotations", f.labels())
                    .containsKeys("summary", "observed", "expected", "score", "lookback")
                    .allSatisfy((k, v) -> assertThat(v).as(k).doesNotContain("<error").isNotBlank());
        }
        fired.forEach((name, f) -> System.out.printf("%s: %s fired %d min after the incident; %s%n", file, name,
                (f.at() - INCIDENT) / MIN, f.annotations()));
        return fired;
    }

    private static double counter(long t, double perSecond) {
        return (t - T0) / 1000.0 * perSecond;
    }

    @Test
    void exampleRuleFilesAllParse() throws Exception {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            // logs.yml is LogQL, which this module cannot check: ExternalLanguageRulesTest runs it.
            List<Path> all = files.filter(p -> p.toString().endsWith(".yml") && !p.endsWith("logs.yml")).sorted().toList();
            // The seed cases, golden signals, log patterns, canaries, journeys and the demo's five (demo-*.yml).
            assertThat(all).hasSize(13);
            for (Path p : all) {
                assertThat(RuleFileParser.parseFile(p).errors()).as(p.toString()).isEmpty();
            }
        }
    }

    @Test
    void case1RunawayOrdersTripTheVolumeZScoreAndHalt() throws Exception {
        double[] orders = new double[2];
        Map<String, Fired> fired = replay("01-runaway-orders.yml", (app, t, r) -> {
            // Two strategies at ~100 orders/s; from the incident on, mm-1 floods 4M orders a minute.
            for (int s = 0; s < 2; s++) {
                double rate = s == 0 && t >= INCIDENT ? 66_000 : 100 + 5 * r.nextGaussian();
                orders[s] += rate * SCRAPE / 1000.0;
                app.append(0, Labels.of("__name__", "orders_placed_total", "strategy", "mm-" + (s + 1), "symbol", "ACME"),
                        t, orders[s]);
                app.append(0, Labels.of("__name__", "pnl_unrealized_dollars", "strategy", "mm-" + (s + 1)), t,
                        s == 0 && t >= INCIDENT ? -(t - INCIDENT) * 30.0 : 1000 * r.nextGaussian());
            }
            app.append(0, Labels.of("__name__", "position_change_shares", "symbol", "ACME"), t,
                    t >= INCIDENT ? (t - INCIDENT) / 10.0 : 50 * r.nextGaussian());
        });
        Fired runaway = fired.get("RunawayOrderFlow");
        assertThat(runaway).isNotNull();
        assertThat(runaway.at()).isLessThanOrEqualTo(INCIDENT + MIN);
        assertThat(runaway.labels().get("strategy")).isEqualTo("mm-1");
        assertThat(runaway.labels().get("action")).isEqualTo("halt");
        assertThat(runaway.labels().get("team")).as("group label").isEqualTo("trading");
        assertThat(runaway.annotations().get("observed")).endsWith("orders/s");
        assertThat(runaway.annotations().get("expected")).matches("[0-9.]+ orders/s \\(mean of the last day\\)");
        assertThat(fired).containsKeys("OrderFlowAnomalous", "PositionDrift", "PnLShock");
        assertThat(fired.get("PnLShock").at()).isLessThanOrEqualTo(INCIDENT + 10 * MIN);
    }

    @Test
    void case2StaleCachesAreCaughtBeforeTheHardLimit() throws Exception {
        Map<String, Fired> fired = replay("02-stale-caches.yml", (app, t, r) -> {
            for (String region : List.of("eu", "us", "ap")) {
                boolean stuck = region.equals("us") && t >= INCIDENT;
                // Replication normally 1-3 s behind; the stuck replica's newest canary ages with the clock.
                double lag = stuck ? (t - INCIDENT) / 1000.0 + 2 : 2 + Math.abs(r.nextGaussian());
                app.append(0, Labels.of("__name__", "canary_replication_lag_seconds", "region", region), t, lag);
                app.append(0, Labels.of("__name__", "canary_last_success_timestamp_seconds", "region", region), t,
                        stuck ? INCIDENT / 1000.0 : t / 1000.0);
                app.append(0, Labels.of("__name__", "canary_missing_total", "region", region), t, 0);
            }
        });
        assertThat(fired).containsOnlyKeys("CacheLagAnomalous", "CacheStale", "CanaryNotReturned");
        assertThat(fired.values()).allSatisfy(f -> assertThat(f.labels().get("region")).isEqualTo("us"));
        assertThat(fired.get("CacheLagAnomalous").at()).as("the anomaly is seen before the 5-minute limit pages")
                .isLessThan(fired.get("CacheStale").at());
    }

    @Test
    void case3BimodalSurgeIsSeenWhilePercentilesLookCalm() throws Exception {
        double[] les = {1, 1.25, 1.5, 2, 3, 5, 7.5, 10, 15, Double.POSITIVE_INFINITY};
        double[] cumulative = new double[les.length];
        Map<String, Fired> fired = replay("03-bimodal-surge.yml", (app, t, r) -> {
            // 50 rides per scrape around 1.2x; from the incident on, 20 % of riders pay around 9x.
            for (int k = 0; k < 50; k++) {
                double m = t >= INCIDENT && k < 10 ? 9 + 0.5 * r.nextGaussian() : 1.2 + 0.1 * r.nextGaussian();
                for (int b = 0; b < les.length; b++) {
                    if (m <= les[b]) {
                        cumulative[b]++;
                    }
                }
            }
            for (int b = 0; b < les.length; b++) {
                String le = b == les.length - 1 ? "+Inf" : Double.toString(les[b]);
                app.append(0, Labels.of("__name__", "surge_multiplier_full_bucket", "region", "sf", "le", le), t,
                        cumulative[b]);
            }
        });
        Fired bimodal = fired.get("SurgeDistributionBimodal");
        assertThat(bimodal).isNotNull();
        assertThat(bimodal.at()).isLessThanOrEqualTo(INCIDENT + 10 * MIN);
        assertThat(bimodal.annotations().get("observed")).matches("modes 1\\.[0-9]+x and [89]\\.[0-9]+x, smaller group .*%");
    }

    @Test
    void case4MismatchAndPeerOutlier() throws Exception {
        Map<String, Fired> fired = replay("04-surge-mismatch-and-peers.yml", (app, t, r) -> {
            for (String region : List.of("r1", "r2", "r3", "r4", "r5")) {
                double base = 1.2 + 0.05 * r.nextGaussian();
                boolean bad = region.equals("r3") && t >= INCIDENT;
                app.append(0, Labels.of("__name__", "rider_surge_multiplier", "region", region), t, bad ? 4.5 : base);
                app.append(0, Labels.of("__name__", "driver_surge_multiplier", "region", region), t, base);
            }
            app.append(0, Labels.of("__name__", "surge_outliers_total", "region", "r3", "magnitude", "5x-10x"), t,
                    t >= INCIDENT ? Math.floor((t - INCIDENT) / 60_000.0) : 0);
        });
        assertThat(fired).containsOnlyKeys("SurgeMismatch", "SurgeRegionOutlier", "ExtremeSurge");
        assertThat(fired.values()).allSatisfy(f -> assertThat(f.labels().get("region")).isEqualTo("r3"));
        assertThat(fired.get("SurgeRegionOutlier").annotations().get("score")).matches("[0-9.]+x the peers \\(limit 3x\\)");
    }
}
