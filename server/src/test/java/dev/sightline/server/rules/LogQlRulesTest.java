package dev.sightline.server.rules;

import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.rules.Alert;
import dev.sightline.rules.AlertState;
import dev.sightline.rules.RuleFileParser;
import dev.sightline.rules.RuleGroup;
import dev.sightline.rules.RuleLanguage;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogQlRulesTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long NS = 1_000_000L;
    @TempDir
    Path dir;
    private final InMemoryLogStore logs = new InMemoryLogStore();
    private final LogQlRules logQl = new LogQlRules(CountOverTimeEngine::new, logs::querier);
    private final List<Alert> sent = new ArrayList<>();
    private Tsdb tsdb;
    private RulesService service;

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

    private void line(long tMs, String service, String level, String text) throws Exception {
        LogAppender app = logs.appender();
        app.append(Labels.of("service", service, "level", level), tMs * NS, text, Labels.EMPTY);
        app.commit();
    }

    @Test
    void checkParsesAndRefusesLogQueries() throws Exception {
        logQl.check("count_over_time({service=\"a\"}[5m])");
        logQl.check("42");
        assertThatThrownBy(() -> logQl.check("rate({service=\"a\"} |"))
                .isInstanceOf(RuleLanguage.InvalidExpression.class)
                .hasMessage("parse error at line 1, col 1: syntax error: unexpected rate({service=\"a\"} |");
        assertThatThrownBy(() -> logQl.check("{service=\"a\"}"))
                .isInstanceOf(RuleLanguage.InvalidExpression.class)
                .hasMessageStartingWith("log query is not a metric query");
    }

    @Test
    void queryRunsOverTheLogStoreAtTheRulesTime() throws Exception {
        line(T0 - 6 * 60_000, "a", "error", "too old");
        line(T0 - 60_000, "a", "error", "one");
        line(T0 - 1_000, "a", "info", "two");
        line(T0, "a", "error", "three");
        line(T0 + 1, "a", "error", "after the evaluation");
        line(T0 - 1_000, "b", "error", "other service");
        List<Sample> out = logQl.query("count_over_time({service=\"a\"}[5m])", T0);
        assertThat(out).extracting(s -> s.labels().get("level") + "=" + s.f() + "@" + s.t())
                .containsExactly("error=2.0@" + T0, "info=1.0@" + T0);
        assertThat(logQl.query("7", T0)).extracting(Sample::labels, Sample::f)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Labels.EMPTY, 7.0));
        assertThatThrownBy(() -> logQl.query("{service=\"a\"}", T0))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("log query is not a metric query");
    }

    @Test
    void withoutAnEngineThereIsNoLogQl() {
        assertThat(LogQlRules.languages(Optional.empty(), logs::querier)).isEmpty();
        assertThat(LogQlRules.languages(Optional.of(CountOverTimeEngine::new), logs::querier))
                .containsOnlyKeys(RuleFileParser.LOGQL);
    }

    private SightlineConfig config(String yaml) throws Exception {
        Path f = dir.resolve("sightline.yml");
        Files.writeString(f, yaml);
        return new ConfigLoader().load(f);
    }

    @Test
    void logRulesRecordIntoTheMetricStoreAndAlertThroughTheNotifier() throws Exception {
        Files.writeString(dir.resolve("logs.yml"), """
                groups:
                  - name: log-errors
                    query_language: logql
                    rules:
                      - record: service:log_lines:count5m
                        expr: count_over_time({service="payment"}[5m])
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
        assertThat(RulesApi.rulesJson(service.groups(), RulesApi.Filter.NONE).getJsonObject(0).getJsonArray("rules")
                .getJsonObject(0).getString("query")).isEqualTo("count_over_time({service=\"payment\"}[5m])");
    }

    @Test
    void aBrokenLogRuleOnReloadKeepsTheRunningRulesAndNamesTheLine() throws Exception {
        Files.writeString(dir.resolve("logs.yml"), """
                groups:
                  - name: log-errors
                    query_language: logql
                    rules:
                      - record: service:log_lines:count5m
                        expr: count_over_time({service="payment"}[5m])
                """);
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
                        + "col 1: syntax error: unexpected sum(");
        assertThat(service.groups()).extracting(RuleGroup::name).containsExactly("log-errors");
    }
}
