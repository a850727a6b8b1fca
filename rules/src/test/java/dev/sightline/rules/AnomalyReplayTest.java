package dev.sightline.rules;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Labelled synthetic series replayed through the rule engine with one alerting rule per detector: a spike, a level
 * shift, a slow drift, a daily cycle with an out-of-phase value, a value distribution and a histogram that turn
 * bimodal, and a quiet week. Eight days of minutely samples; the rules are evaluated every 5 minutes over the last
 * seven. The raw-value bimodality rule waits 15 minutes: a distribution that really changed stays changed, while
 * a 2-hour window of plain noise now and then looks two-humped for an evaluation or two. Prints per detector the anomalies found (recall) and the share of firing evaluations that fall inside a
 * labelled anomaly (precision), and asserts each detector finds what it is built for and stays silent on the quiet
 * week.
 */
class AnomalyReplayTest {
    private static final long MIN = 60_000L;
    private static final long DAY = 1440 * MIN;
    private static final long T0 = 19_675 * DAY; // a UTC midnight in November 2023
    private static final long END = T0 + 8 * DAY;
    private static final long EVAL = 5 * MIN;

    private static final String RULES = """
            groups:
              - name: replay
                interval: 5m
                rules:
                  - alert: zscore
                    expr: abs(zscore_over_time(x[1d])) > 4
                    for: 5m
                  - alert: robust_zscore
                    expr: abs(robust_zscore_over_time(x[7d])) > 5
                    for: 5m
                  - alert: seasonal
                    expr: seasonal_score(x[7d], 86400) > 0.999
                    for: 5m
                    annotations:
                      summary: >-
                        observed {{ printf "x{scenario='%s'}" $labels.scenario | query | first | value | printf "%.0f" }},
                        expected {{ printf "seasonal_expected(x{scenario='%s'}[7d], 86400)" $labels.scenario | query | first | value | printf "%.0f" }},
                        score {{ $value | printf "%.5f" }}, lookback 7d
                  - alert: combined
                    expr: anomaly_score_over_time(x[7d]) > 0.999
                    for: 5m
                  - alert: bimodality
                    expr: bimodality_over_time(x[2h], "bimodal") == 1
                    for: 15m
                  - alert: histogram_bimodality
                    expr: histogram_bimodality(sum by (scenario, le) (increase(surge_bucket[30m])), "bimodal") == 1
                    for: 5m
            """;

    /** A labelled anomaly: the scenario's series is anomalous in [from, to); alerts then are true positives. */
    private record Anomaly(String scenario, long from, long to) {
        boolean covers(long t) {
            return t >= from && t < to;
        }
    }

    private static final long SPIKE = T0 + 6 * DAY + 10 * 60 * MIN + 3 * MIN;
    private static final long SHIFT = T0 + 6 * DAY + 14 * 60 * MIN;
    private static final long DRIFT = T0 + 6 * DAY + 12 * 60 * MIN;
    private static final long NIGHT = T0 + 7 * DAY + 18 * 60 * MIN; // phase 3/4 of the day: the cycle's low
    private static final long SPLIT = T0 + 7 * DAY;
    private static final List<Anomaly> ANOMALIES = List.of(
            // A burst of 12 minutes; detectors judging windows may keep reacting for up to the 2h window.
            new Anomaly("spike", SPIKE, SPIKE + 2 * 60 * MIN),
            // A new level (and a drift) stays anomalous against the recent history until the data ends.
            new Anomaly("level_shift", SHIFT, END),
            new Anomaly("drift", DRIFT, END),
            new Anomaly("seasonal", NIGHT, NIGHT + 30 * MIN + 10 * MIN),
            new Anomaly("bimodal", SPLIT, END),
            new Anomaly("surge", SPLIT, END));

    /** Which anomalies each detector is built to find: its recall must reach 0.8 on these. */
    private static final Map<String, List<String>> TARGETS = Map.of(
            "zscore", List.of("spike", "level_shift"),
            "robust_zscore", List.of("spike", "level_shift", "drift"),
            "seasonal", List.of("spike", "level_shift", "seasonal"),
            "combined", List.of("spike", "level_shift", "drift", "seasonal"),
            "bimodality", List.of("bimodal"),
            "histogram_bimodality", List.of("surge"));

    private static Tsdb tsdb;
    /** detector -> scenario -> evaluation times at which its alert was firing. */
    private static final Map<String, Map<String, List<Long>>> FIRING = new TreeMap<>();
    /** The seasonal alert's summary when it first fired on the seasonal scenario. */
    private static String seasonalSummary;

    @BeforeAll
    static void replay() throws Exception {
        tsdb = Tsdb.open(null, TsdbOptions.defaults().withWalEnabled(false));
        load();
        RuleFileParser.Result parsed = RuleFileParser.parse("replay.yml", RULES.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.errors()).isEmpty();
        try (RuleManager manager = new RuleManager(tsdb, new Engine(EngineOptions.defaults()), alerts -> { },
                RuleManager.Options.defaults(), () -> END)) {
            manager.update(parsed.groups());
            RuleGroup group = manager.groups().get(0);
            for (long t = T0 + DAY; t < END; t += EVAL) {
                manager.evaluate(group, t);
                for (Rule r : group.rules()) {
                    AlertingRule rule = (AlertingRule) r;
                    assertThat(rule.health()).as(rule.config().name() + ": " + rule.lastError()).isEqualTo("ok");
                    for (Alert a : rule.alerts()) {
                        if (a.state() == AlertState.FIRING) {
                            FIRING.computeIfAbsent(a.labels().get("alertname"), k -> new TreeMap<>())
                                    .computeIfAbsent(a.labels().get("scenario"), k -> new ArrayList<>()).add(t);
                            if (seasonalSummary == null && a.labels().equals(Labels.of("alertname", "seasonal", "scenario", "seasonal"))) {
                                seasonalSummary = a.annotations().get("summary");
                            }
                        }
                    }
                }
            }
        }
        printReport();
    }

    @AfterAll
    static void close() throws Exception {
        tsdb.close();
    }

    private static void load() throws Exception {
        Random r = new Random(42);
        Appender app = tsdb.appender();
        double[] les = {1, 1.5, 2, 3, 5, 10, 20, 50, Double.POSITIVE_INFINITY};
        double[] cumulative = new double[les.length];
        for (long t = T0; t < END; t += MIN) {
            double noise = 2 * r.nextGaussian();
            put(app, "quiet", t, 100 + 2 * r.nextGaussian());
            put(app, "spike", t, 100 + noise + (t >= SPIKE && t < SPIKE + 12 * MIN ? 40 : 0));
            put(app, "level_shift", t, 100 + 2 * r.nextGaussian() + (t >= SHIFT ? 30 : 0));
            put(app, "drift", t, 100 + 2 * r.nextGaussian() + (t >= DRIFT ? (t - DRIFT) / (60.0 * MIN) : 0));
            double cycle = 100 + 50 * Math.sin(2 * Math.PI * (t - T0) / DAY);
            put(app, "seasonal", t, (t >= NIGHT && t < NIGHT + 30 * MIN ? 150 : cycle) + 2 * r.nextGaussian());
            put(app, "bimodal", t, (t >= SPLIT && r.nextDouble() < 0.3 ? 40 : 10) + r.nextGaussian());
            // surge: 100 multipliers a minute around 1.25; from SPLIT on, 30 % of them around 15.
            for (int k = 0; k < 100; k++) {
                double m = t >= SPLIT && k < 30 ? 15 + 2 * r.nextGaussian() : 1.25 + 0.08 * r.nextGaussian();
                for (int b = 0; b < les.length; b++) {
                    if (m <= les[b]) {
                        cumulative[b]++;
                    }
                }
            }
            for (int b = 0; b < les.length; b++) {
                String le = b == les.length - 1 ? "+Inf" : Double.toString(les[b]);
                app.append(0, Labels.of("__name__", "surge_bucket", "scenario", "surge", "le", le), t, cumulative[b]);
            }
            if ((t - T0) % (60 * MIN) == 0) {
                app.commit();
                app = tsdb.appender();
            }
        }
        app.commit();
    }

    private static void put(Appender app, String scenario, long t, double v) {
        app.append(0, Labels.of("__name__", "x", "scenario", scenario), t, v);
    }

    private static List<Long> firing(String detector, String scenario) {
        return FIRING.getOrDefault(detector, Map.of()).getOrDefault(scenario, List.of());
    }

    /** Share of the given anomalies during which the detector's alert fired at least once. */
    private static double recall(String detector, List<String> scenarios) {
        long found = ANOMALIES.stream().filter(a -> scenarios.contains(a.scenario()))
                .filter(a -> firing(detector, a.scenario()).stream().anyMatch(a::covers)).count();
        return (double) found / scenarios.size();
    }

    /** Share of the detector's firing evaluations that fall inside a labelled anomaly (NaN if it never fired). */
    private static double precision(String detector) {
        long all = 0, inside = 0;
        for (var e : FIRING.getOrDefault(detector, Map.of()).entrySet()) {
            for (long t : e.getValue()) {
                all++;
                if (ANOMALIES.stream().anyMatch(a -> a.scenario().equals(e.getKey()) && a.covers(t))) {
                    inside++;
                }
            }
        }
        return all == 0 ? Double.NaN : (double) inside / all;
    }

    private static void printReport() {
        List<String> all = ANOMALIES.stream().map(Anomaly::scenario).toList();
        System.out.printf("%-22s %9s %12s %12s  %s%n", "detector", "precision", "recall(all)", "recall(own)", "anomalies found");
        for (String d : TARGETS.keySet().stream().sorted().toList()) {
            List<String> found = ANOMALIES.stream().filter(a -> firing(d, a.scenario()).stream().anyMatch(a::covers))
                    .map(Anomaly::scenario).toList();
            System.out.printf("%-22s %9.3f %12.3f %12.3f  %s; quiet week: %d firing evaluations%n", d, precision(d),
                    recall(d, all), recall(d, TARGETS.get(d)), found, firing(d, "quiet").size());
        }
        System.out.println("seasonal alert on the seasonal scenario: " + seasonalSummary);
    }

    @Test
    void everyDetectorFindsWhatItIsBuiltFor() {
        for (var e : TARGETS.entrySet()) {
            assertThat(recall(e.getKey(), e.getValue())).as(e.getKey() + " recall on " + e.getValue())
                    .isGreaterThanOrEqualTo(0.8);
        }
    }

    @Test
    void pointDetectorsFireMostlyInsideLabelledAnomalies() {
        for (String d : List.of("zscore", "robust_zscore", "seasonal", "combined", "histogram_bimodality")) {
            assertThat(precision(d)).as(d + " precision").isGreaterThanOrEqualTo(0.8);
        }
    }

    @Test
    void nothingFiresOnTheQuietWeek() {
        for (String d : TARGETS.keySet()) {
            assertThat(firing(d, "quiet")).as(d + " on the quiet week").isEmpty();
        }
    }

    @Test
    void theSeasonalAlertExplainsItselfWithObservedExpectedScoreAndLookback() {
        // The night low of the cycle is 50; the value is 150, beyond every same-phase point of the week.
        assertThat(seasonalSummary).matches("observed 1[45]\\d, expected [456]\\d, score 0\\.999\\d\\d, lookback 7d");
    }

    /** The example rules of docs/anomaly.md are valid rule files (what check-rules runs). */
    @Test
    void theDocumentedExampleRulesParse() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "anomaly.md"));
        Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc);
        Map<String, RuleFileParser.Result> results = new LinkedHashMap<>();
        while (m.find()) {
            results.put(m.group(1), RuleFileParser.parse("anomaly.md", m.group(1).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(results).isNotEmpty();
        results.values().forEach(r -> assertThat(r.errors()).isEmpty());
        assertThat(results.values().iterator().next().ruleCount()).isGreaterThanOrEqualTo(6);
    }
}
