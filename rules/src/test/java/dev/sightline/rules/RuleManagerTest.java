package dev.sightline.rules;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RuleManagerTest {
    private static final long T0 = 1_700_000_000_000L;
    @TempDir
    Path dir;
    private Tsdb tsdb;
    private final Engine engine = new Engine(EngineOptions.defaults());
    private final List<Alert> sent = new ArrayList<>();
    private RuleManager manager;

    @BeforeEach
    void open() throws Exception {
        tsdb = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false));
    }

    @AfterEach
    void close() throws Exception {
        if (manager != null) {
            manager.close();
        }
        tsdb.close();
    }

    private RuleManager manager(String yaml) {
        RuleFileParser.Result r = RuleFileParser.parse("rules.yml", yaml.getBytes(StandardCharsets.UTF_8));
        assertThat(r.errors()).isEmpty();
        RuleManager m = new RuleManager(tsdb, engine, sent::addAll,
                RuleManager.Options.defaults().withExternalLabels(Map.of("cluster", "eu1")), () -> T0);
        m.update(r.groups());
        return m;
    }

    private void write(String metric, long t, double v, String... labels) throws Exception {
        Appender app = tsdb.appender();
        Labels.Builder b = Labels.of(labels).toBuilder().set(Labels.METRIC_NAME, metric);
        app.append(0, b.build(), t, v);
        app.commit();
    }

    private List<Sample> query(String q, long t) throws Exception {
        return ((Vector) engine.instant(tsdb, PromQLParser.parseExpr(q), t).value()).samples();
    }

    private AlertingRule alertRule() {
        return (AlertingRule) manager.groups().get(0).rules().get(0);
    }

    @Test
    void recordingRuleOutputIsQueryable() throws Exception {
        manager = manager("""
                groups:
                  - name: rec
                    interval: 15s
                    rules:
                      - record: job:load:sum
                        expr: sum by (job) (load)
                        labels:
                          source: rule
                """);
        write("load", T0, 2, "job", "a", "instance", "1");
        write("load", T0, 3, "job", "a", "instance", "2");
        manager.evaluate(manager.groups().get(0), T0 + 1000);
        List<Sample> out = query("job:load:sum", T0 + 1000);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).labels()).isEqualTo(Labels.of("__name__", "job:load:sum", "job", "a", "source", "rule"));
        assertThat(out.get(0).f()).isEqualTo(5);
        assertThat(manager.groups().get(0).rules().get(0).health()).isEqualTo("ok");
    }

    @Test
    void queryOffsetShiftsBothTheQueryAndTheWrittenTimestamp() throws Exception {
        manager = manager("""
                groups:
                  - name: rec
                    query_offset: 1m
                    rules:
                      - record: y
                        expr: x
                """);
        write("x", T0, 1);
        write("x", T0 + 60_000, 2);
        manager.evaluate(manager.groups().get(0), T0 + 60_000);
        assertThat(query("y", T0)).extracting(Sample::f).containsExactly(1.0);
        assertThat(query("timestamp(y)", T0 + 60_000)).extracting(Sample::f).containsExactly(T0 / 1000.0);
    }

    @Test
    void pendingThenFiringThenKeepFiringThenResolved() throws Exception {
        manager = manager("""
                groups:
                  - name: g
                    rules:
                      - alert: High
                        expr: x > 5
                        for: 1m
                        keep_firing_for: 30s
                        labels:
                          severity: page
                        annotations:
                          summary: "{{ $labels.instance }} is {{ $value }} in {{ $externalLabels.cluster }}"
                """);
        RuleGroup g = manager.groups().get(0);
        for (int i = 0; i <= 8; i++) {
            write("x", T0 + i * 30_000L, i <= 5 ? 10 : 0, "instance", "a");
        }
        manager.evaluate(g, T0);
        Alert a = alertRule().alerts().get(0);
        assertThat(a.state()).isEqualTo(AlertState.PENDING);
        assertThat(a.labels()).isEqualTo(Labels.of("alertname", "High", "instance", "a", "severity", "page"));
        assertThat(a.annotations().get("summary")).isEqualTo("a is 10 in eu1");
        manager.evaluate(g, T0 + 30_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.PENDING);
        assertThat(sent).isEmpty();
        manager.evaluate(g, T0 + 60_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.FIRING);
        assertThat(sent).hasSize(1);
        assertThat(query("ALERTS", T0 + 60_000)).extracting(s -> s.labels().get("alertstate")).containsExactly("firing");
        assertThat(query("ALERTS_FOR_STATE", T0 + 60_000).get(0).f()).isEqualTo(T0 / 1000.0);
        // The expression stops matching at T0+180s; keep_firing_for holds the alert for 30 s more.
        manager.evaluate(g, T0 + 180_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.FIRING);
        assertThat(alertRule().alerts().get(0).keepFiringSinceMs()).isEqualTo(T0 + 180_000);
        manager.evaluate(g, T0 + 210_000);
        Alert resolved = alertRule().alerts().get(0);
        assertThat(resolved.state()).isEqualTo(AlertState.INACTIVE);
        assertThat(resolved.resolvedAtMs()).isEqualTo(T0 + 210_000);
        assertThat(sent.get(sent.size() - 1).state()).isEqualTo(AlertState.INACTIVE);
        // ALERTS got a staleness marker, so the series is gone right away.
        assertThat(query("ALERTS", T0 + 210_000)).isEmpty();
    }

    @Test
    void pendingAlertThatDisappearsIsDropped() throws Exception {
        manager = manager("""
                groups:
                  - name: g
                    rules:
                      - alert: High
                        expr: x > 5
                        for: 5m
                """);
        RuleGroup g = manager.groups().get(0);
        write("x", T0, 10);
        write("x", T0 + 60_000, 1);
        manager.evaluate(g, T0);
        assertThat(alertRule().state()).isEqualTo(AlertState.PENDING);
        manager.evaluate(g, T0 + 60_000);
        assertThat(alertRule().alerts()).isEmpty();
        assertThat(sent).isEmpty();
    }

    @Test
    void restoresActiveAtAfterRestart() throws Exception {
        String yaml = """
                groups:
                  - name: g
                    rules:
                      - alert: High
                        expr: x > 5
                        for: 2m
                """;
        for (int i = 0; i <= 10; i++) {
            write("x", T0 + i * 30_000L, 10);
        }
        manager = manager(yaml);
        manager.evaluate(manager.groups().get(0), T0);
        manager.evaluate(manager.groups().get(0), T0 + 60_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.PENDING);
        manager.close();
        // Restart: a fresh manager over the same storage, first evaluation 1m30s later.
        manager = manager(yaml);
        manager.evaluate(manager.groups().get(0), T0 + 150_000);
        Alert a = alertRule().alerts().get(0);
        assertThat(a.activeAtMs()).isEqualTo(T0);
        assertThat(a.state()).isEqualTo(AlertState.FIRING);
    }

    @Test
    void reloadKeepsAlertState() throws Exception {
        String yaml = """
                groups:
                  - name: g
                    rules:
                      - alert: High
                        expr: x > 5
                        for: 1m
                """;
        write("x", T0, 10);
        write("x", T0 + 60_000, 10);
        manager = manager(yaml);
        manager.evaluate(manager.groups().get(0), T0);
        RuleGroup old = manager.groups().get(0);
        manager.update(RuleFileParser.parse("rules.yml", yaml.getBytes(StandardCharsets.UTF_8)).groups());
        // A late run of the replaced group (a scheduler tick in flight) no longer touches the moved alerts.
        manager.evaluate(old, T0 + 60_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.PENDING);
        assertThat(old.lastEvaluationMs()).isEqualTo(T0);
        manager.evaluate(manager.groups().get(0), T0 + 60_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.FIRING);
    }

    @Test
    void anomalyRulesKeepDetectorStateUntilReload() throws Exception {
        String yaml = """
                groups:
                  - name: g
                    rules:
                      - record: x:robust
                        expr: robust_zscore_over_time(x[1h])
                      - alert: XAnomalous
                        expr: anomaly_score_over_time(x[1h], 0) > 0.999
                """;
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 60; i++) {
            write("x", T0 - 3_600_000 + i * 60_000L, 100 + r.nextGaussian(), "instance", "a");
        }
        manager = manager(yaml);
        RecordingRule rec = (RecordingRule) manager.groups().get(0).rules().get(0);
        for (int i = 0; i < 20; i++) {
            long t = T0 + i * 60_000L;
            write("x", t, i == 15 ? 200 : 100 + r.nextGaussian(), "instance", "a");
            manager.evaluate(manager.groups().get(0), t);
            // What the rule wrote is what a fresh, stateless query gives.
            assertThat(query("x:robust", t).get(0).f())
                    .isEqualTo(query("robust_zscore_over_time(x[1h])", t).get(0).f());
        }
        assertThat(rec.detectorCache().fullReads()).isEqualTo(1);
        assertThat(rec.detectorCache().tailReads()).isEqualTo(19);
        assertThat(((AlertingRule) manager.groups().get(0).rules().get(1)).alerts()).hasSize(1);
        // A reload makes new rules: their state starts empty and is read in full once.
        manager.update(RuleFileParser.parse("rules.yml", yaml.getBytes(StandardCharsets.UTF_8)).groups());
        RecordingRule reloaded = (RecordingRule) manager.groups().get(0).rules().get(0);
        assertThat(reloaded.detectorCache()).isNull();
        manager.evaluate(manager.groups().get(0), T0 + 20 * 60_000L);
        assertThat(reloaded.detectorCache().fullReads()).isEqualTo(1);
        assertThat(reloaded.detectorCache().series()).isEqualTo(1);
    }

    @Test
    void evaluationErrorIsRecordedOnTheRule() throws Exception {
        manager = manager("""
                groups:
                  - name: g
                    rules:
                      - record: dup
                        expr: label_replace(x, "instance", "same", "", "")
                """);
        write("x", T0, 1, "instance", "a");
        write("x", T0, 2, "instance", "b");
        manager.evaluate(manager.groups().get(0), T0);
        Rule r = manager.groups().get(0).rules().get(0);
        assertThat(r.health()).isEqualTo("err");
        assertThat(r.lastError()).contains("same labelset");
    }

    @Test
    void runawayOrderRateGoesPendingThenFiring() throws Exception {
        manager = manager("""
                groups:
                  - name: shop
                    interval: 1m
                    rules:
                      - alert: RunawayOrderRate
                        expr: rate(orders_total[1m]) > 3 * avg_over_time(rate(orders_total[1m])[30m:1m])
                        for: 2m
                        annotations:
                          summary: "orders at {{ $value | humanize }}/s"
                """);
        RuleGroup g = manager.groups().get(0);
        // 40 minutes at 1 order/s, then 10 orders/s; one sample every 15 s.
        double total = 0;
        long t = T0;
        for (int i = 0; i <= 4 * 50; i++) {
            t = T0 + i * 15_000L;
            total += (t - T0 > 40 * 60_000 ? 10 : 1) * 15;
            write("orders_total", t, total, "shop", "eu");
        }
        long jump = T0 + 40 * 60_000;
        manager.evaluate(g, jump);
        assertThat(alertRule().alerts()).isEmpty();
        manager.evaluate(g, jump + 60_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.PENDING);
        assertThat(alertRule().alerts().get(0).annotations().get("summary")).isEqualTo("orders at 10/s");
        manager.evaluate(g, jump + 120_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.PENDING);
        manager.evaluate(g, jump + 180_000);
        assertThat(alertRule().state()).isEqualTo(AlertState.FIRING);
        assertThat(sent).extracting(a -> a.labels().get("alertname")).containsExactly("RunawayOrderRate");
    }

    @Test
    void groupScheduleIsAlignedToAStableOffset() {
        manager = manager("groups:\n  - name: g\n    interval: 1m\n    rules: []\n");
        RuleGroup g = manager.groups().get(0);
        long aligned = g.alignedTimestamp(T0);
        assertThat(aligned).isLessThanOrEqualTo(T0).isGreaterThan(T0 - 60_000);
        assertThat(Math.floorMod(aligned, 60_000)).isEqualTo(g.offsetMs());
        assertThat(g.alignedTimestamp(T0 + 60_000)).isEqualTo(aligned + 60_000);
    }

    @Test
    void stoppedScheduleLeavesEvaluationToTheCaller() throws Exception {
        String yaml = "groups:\n  - name: g\n    interval: 50ms\n    rules:\n      - record: one\n        expr: vector(1)\n";
        RuleFileParser.Result r = RuleFileParser.parse("rules.yml", yaml.getBytes(StandardCharsets.UTF_8));
        manager = new RuleManager(tsdb, engine, sent::addAll, RuleManager.Options.defaults(), System::currentTimeMillis);
        manager.update(r.groups());
        manager.start();
        long deadline = System.currentTimeMillis() + 5_000;
        while (manager.groups().get(0).lastEvaluationMs() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(manager.groups().get(0).lastEvaluationMs()).as("the schedule ran").isPositive();

        manager.stopSchedule();
        manager.update(r.groups()); // a reload must not restart the schedule
        Thread.sleep(100);
        RuleGroup g = manager.groups().get(0);
        long last = g.lastEvaluationMs();
        Thread.sleep(300);
        assertThat(g.lastEvaluationMs()).as("no evaluation on the wall clock after stopSchedule").isEqualTo(last);

        manager.evaluate(g, last + 60_000); // a drill's clock runs ahead of the wall
        assertThat(g.lastEvaluationMs()).isEqualTo(last + 60_000);
    }
}
