package dev.sightline.server.rules;

import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.rules.Alert;
import dev.sightline.rules.AlertState;
import dev.sightline.rules.RuleFileParser;
import dev.sightline.rules.RuleGroup;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RulesServiceTest {
    private static final long T0 = 1_700_000_000_000L;
    @TempDir
    Path dir;
    private Tsdb tsdb;
    private RulesService service;
    private final List<Alert> sent = new ArrayList<>();
    /** Log rules over a log store, run by the LogQL engine. */
    private final InMemoryLogStore logs = new InMemoryLogStore();
    private final LogQlRules logQl = new LogQlRules(logs::querier);

    @BeforeEach
    void open() throws Exception {
        tsdb = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults().withWalEnabled(false));
    }

    @AfterEach
    void close() throws Exception {
        if (service != null) {
            service.close();
        }
        tsdb.close();
    }

    private SightlineConfig config(String yaml) throws Exception {
        Path f = dir.resolve("sightline.yml");
        Files.writeString(f, yaml);
        return new ConfigLoader().load(f);
    }

    private static final String RULES = """
            groups:
              - name: shop
                interval: 30s
                rules:
                  - record: job:x:sum
                    expr: sum by (job) (x)
                  - alert: XHigh
                    expr: x > 5
                    for: 1m
                    labels:
                      severity: page
                    annotations:
                      summary: "{{ $labels.job }} at {{ $value }}"
            """;

    @Test
    void loadsGlobsRelativeToTheConfigAndServesPrometheusShapes() throws Exception {
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/shop.yml"), RULES);
        Files.writeString(dir.resolve("rules/ignored.txt"), "not yaml: [");
        SightlineConfig c = config("rule_files:\n  - rules/*.yml\n");
        service = new RulesService(dir.resolve("sightline.yml"), c, EngineOptions.defaults(), sent::addAll, () -> T0);
        service.start(tsdb);
        Appender app = tsdb.appender();
        app.append(0, Labels.of("__name__", "x", "job", "a"), T0, 7);
        app.commit();
        RuleGroup g = service.groups().get(0);
        service.manager().evaluate(g, T0);

        JsonArray groups = RulesApi.rulesJson(service.groups(), RulesApi.Filter.NONE);
        JsonObject group = groups.getJsonObject(0);
        assertThat(group.fieldNames()).containsExactly("name", "file", "rules", "interval", "limit", "evaluationTime",
                "lastEvaluation");
        assertThat(group.getString("file")).isEqualTo(dir.resolve("rules/shop.yml").toString());
        assertThat(group.getValue("interval")).isEqualTo(30L);
        assertThat(group.getString("lastEvaluation")).isEqualTo("2023-11-14T22:13:20Z");
        JsonObject rec = group.getJsonArray("rules").getJsonObject(0);
        assertThat(rec.fieldNames()).containsExactly("name", "query", "health", "evaluationTime", "lastEvaluation", "type");
        assertThat(rec.getString("query")).isEqualTo("sum by (job) (x)");
        assertThat(rec.getString("type")).isEqualTo("recording");
        JsonObject alerting = group.getJsonArray("rules").getJsonObject(1);
        assertThat(alerting.fieldNames()).containsExactly("state", "name", "query", "duration", "keepFiringFor", "labels",
                "annotations", "alerts", "health", "evaluationTime", "lastEvaluation", "type");
        assertThat(alerting.getString("state")).isEqualTo("pending");
        assertThat(alerting.getValue("duration")).isEqualTo(60L);
        assertThat(alerting.getJsonObject("labels").getString("severity")).isEqualTo("page");
        JsonObject alert = alerting.getJsonArray("alerts").getJsonObject(0);
        assertThat(alert.encode()).isEqualTo("{\"labels\":{\"alertname\":\"XHigh\",\"job\":\"a\",\"severity\":\"page\"},"
                + "\"annotations\":{\"summary\":\"a at 7\"},\"state\":\"pending\",\"activeAt\":\"2023-11-14T22:13:20Z\","
                + "\"value\":\"7e+00\"}");
        assertThat(RulesApi.alertsJson(service.groups()).getJsonObject(0)).isEqualTo(alert);
        PrometheusRegistry registry = new PrometheusRegistry();
        service.registerMetrics(registry);
        assertThat(registry.scrape().stream().map(m -> m.getMetadata().getPrometheusName()).toList())
                .contains("sightline_rule_group_last_evaluation_timestamp_seconds", "sightline_rule_group_last_duration_seconds",
                        "sightline_rule_group_rules", "sightline_rule_alerts");
        GaugeSnapshot alertsGauge = (GaugeSnapshot) registry.scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals("sightline_rule_alerts")).findFirst().orElseThrow();
        assertThat(alertsGauge.getDataPoints()).extracting(d -> d.getLabels().get("state") + "=" + d.getValue())
                .containsExactlyInAnyOrder("pending=1.0", "firing=0.0");
        assertThat(RulesApi.rulesJson(service.groups(), onlyType("record")).getJsonObject(0).getJsonArray("rules")).hasSize(1);
        assertThat(RulesApi.rulesJson(service.groups(), onlyType("alert")).getJsonObject(0).getJsonArray("rules").getJsonObject(0)
                .getString("type")).isEqualTo("alerting");
    }

    @Test
    void badRuleFileOnReloadKeepsTheOldRules() throws Exception {
        Files.writeString(dir.resolve("a.yml"), RULES);
        service = new RulesService(dir.resolve("sightline.yml"), config("rule_files: [a.yml]\n"), EngineOptions.defaults(),
                sent::addAll, () -> T0);
        service.start(tsdb);
        Files.writeString(dir.resolve("b.yml"), "groups:\n  - name: b\n    rules:\n      - alert: B\n        expr: nosuch(x)\n");
        SightlineConfig next = config("rule_files: [a.yml, b.yml]\n");
        assertThatThrownBy(() -> service.reload(next))
                .isInstanceOf(RuleLoadException.class)
                .hasMessageStartingWith(dir.resolve("b.yml") + ":5: could not parse expression: ");
        assertThat(service.groups()).extracting(RuleGroup::name).containsExactly("shop");
        Files.writeString(dir.resolve("b.yml"), "groups:\n  - name: b\n    rules:\n      - alert: B\n        expr: x > 1\n");
        service.reload(next);
        assertThat(service.groups()).extracting(RuleGroup::name).containsExactly("shop", "b");
    }

    @Test
    void missingLiteralRuleFileIsAnError() throws Exception {
        service = new RulesService(dir.resolve("sightline.yml"), config("rule_files: [nope.yml]\n"),
                EngineOptions.defaults(), sent::addAll, () -> T0);
        assertThatThrownBy(service::validate).isInstanceOf(RuleLoadException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> service.start(tsdb)).isInstanceOf(RuleLoadException.class)
                .hasMessageContaining("no such file");
    }

    private static RulesApi.Filter onlyType(String type) {
        return new RulesApi.Filter(type, java.util.Set.of(), java.util.Set.of(), java.util.Set.of(), java.util.List.of(),
                false);
    }

    private void line(long tMs, String service, String level, String text) throws Exception {
        LogAppender app = logs.appender();
        app.append(Labels.of("service", service, "level", level), tMs * 1_000_000L, text, Labels.EMPTY);
        app.commit();
    }

    private static final String LOG_RULES = """
            groups:
              - name: log-errors
                query_language: logql
                rules:
                  - record: service:log_lines:count5m
                    expr: count_over_time({service="payment"}[5m])
            """;

    @Test
    void logRulesRecordIntoTheMetricStoreAndAlertThroughTheNotifier() throws Exception {
        Files.writeString(dir.resolve("logs.yml"), LOG_RULES + """
                      - alert: PaymentErrorLogs
                        expr: count_over_time({service="payment"}[5m])
                        for: 1m
                        annotations:
                          summary: "{{ $labels.service }} wrote {{ $value }} {{ $labels.level }} lines"
                """);
        service = new RulesService(dir.resolve("sightline.yml"), config("rule_files: [logs.yml]\n"),
                EngineOptions.defaults(), Map.of(RuleFileParser.LOGQL, logQl), sent::addAll, () -> T0);
        service.start(tsdb);
        line(T0 - 1_000, "payment", "error", "card declined");
        line(T0 - 2_000, "payment", "error", "card declined");
        RuleGroup g = service.groups().get(0);
        service.manager().evaluate(g, T0);
        List<Sample> recorded = ((Vector) new Engine(EngineOptions.defaults())
                .instant(tsdb, PromQLParser.parseExpr("service:log_lines:count5m"), T0).value()).samples();
        assertThat(recorded).extracting(s -> s.labels().toString() + "=" + s.f())
                .containsExactly("service:log_lines:count5m{level=\"error\", service=\"payment\"}=2.0");
        service.manager().evaluate(g, T0 + 60_000);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).state()).isEqualTo(AlertState.FIRING);
        assertThat(sent.get(0).annotations().get("summary")).isEqualTo("payment wrote 2 error lines");
        var rules = RulesApi.rulesJson(service.groups(), RulesApi.Filter.NONE).getJsonObject(0).getJsonArray("rules");
        assertThat(rules.getJsonObject(0).getString("query")).isEqualTo("count_over_time({service=\"payment\"}[5m])");
        // Both rules say they are LogQL, so the UI graphs them through the LogQL engine.
        assertThat(rules.getJsonObject(0).getString("queryLanguage")).isEqualTo("logql");
        assertThat(rules.getJsonObject(1).getString("queryLanguage")).isEqualTo("logql");
    }

    @Test
    void aBrokenLogRuleOnReloadKeepsTheRunningRulesAndNamesTheLine() throws Exception {
        Files.writeString(dir.resolve("logs.yml"), LOG_RULES);
        service = new RulesService(dir.resolve("sightline.yml"), config("rule_files: [logs.yml]\n"),
                EngineOptions.defaults(), Map.of(RuleFileParser.LOGQL, logQl), sent::addAll, () -> T0);
        service.start(tsdb);
        Files.writeString(dir.resolve("bad.yml"), """
                groups:
                  - name: bad
                    query_language: logql
                    rules:
                      - alert: Lines
                        expr: '{service="payment"}'
                      - alert: Garbage
                        expr: sum(count_over_time({service="payment"}[5m]
                """);
        SightlineConfig next = config("rule_files: [logs.yml, bad.yml]\n");
        assertThatThrownBy(() -> service.reload(next)).isInstanceOf(RuleLoadException.class)
                .hasMessageContaining(dir.resolve("bad.yml") + ":6: could not parse expression: log query is not a "
                        + "metric query")
                .hasMessageContaining(dir.resolve("bad.yml") + ":8: could not parse expression: parse error at line 1, "
                        + "col 44: syntax error: unexpected end of input, expecting \")\"");
        assertThat(service.groups()).extracting(RuleGroup::name).containsExactly("log-errors");
    }
}
