package dev.sightline.rules;

import dev.sightline.core.Labels;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Groups in another query language ({@code query_language: logql}) through the same parser, manager, storage and
 * notifier as PromQL rules, with a small language: a query names an entry of a table the test fills per timestamp.
 */
class ExternalLanguageRulesTest {
    private static final long T0 = 1_700_000_000_000L;
    @TempDir
    Path dir;
    private Tsdb tsdb;
    private final List<Alert> sent = new ArrayList<>();
    private final TableLanguage logql = new TableLanguage();
    private RuleManager manager;

    /** Answers a query from {@code results[text]}; checks by the query's shape, giving the position of a bad one. */
    private static final class TableLanguage implements RuleLanguage {
        final Map<String, List<Sample>> results = new HashMap<>();
        final List<Long> askedAt = new ArrayList<>();

        @Override
        public void check(String expr) throws InvalidExpression {
            int bad = expr.indexOf('!');
            if (bad >= 0) {
                throw new InvalidExpression("parse error at line 1, col " + (bad + 1) + ": unexpected '!'");
            }
        }

        @Override
        public List<Sample> query(String expr, long tsMs) {
            askedAt.add(tsMs);
            List<Sample> r = results.get(expr);
            if (r == null) {
                throw new IllegalStateException("log query is not a metric query");
            }
            return r;
        }
    }

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

    /** A LogQL recording rule whose expression is on line 6. */
    private static final String LOG_RECORD = """
            groups:
              - name: logs
                query_language: logql
                rules:
                  - record: r
                    expr: count_over_time({service="a"}[5m])
            """;

    private static RuleFileParser.Result parse(String yaml, Map<String, RuleLanguage> languages) {
        return RuleFileParser.parse("r.yml", yaml.getBytes(StandardCharsets.UTF_8), languages);
    }

    private RuleManager manager(String yaml) {
        RuleFileParser.Result r = parse(yaml, Map.of(RuleFileParser.LOGQL, logql));
        assertThat(r.errors()).isEmpty();
        RuleManager m = new RuleManager(tsdb, new Engine(EngineOptions.defaults()), Map.of(RuleFileParser.LOGQL, logql),
                sent::addAll, RuleManager.Options.defaults(), () -> T0);
        m.update(r.groups());
        return m;
    }

    private List<Sample> promql(String q, long t) throws Exception {
        return ((Vector) new Engine(EngineOptions.defaults()).instant(tsdb, PromQLParser.parseExpr(q), t).value()).samples();
    }

    private static Sample sample(double v, String... labels) {
        return new Sample(Labels.of(labels), 0, v);
    }

    @Test
    void logQlGroupIsCheckedByItsLanguageAndPromQlGroupsStayPromQl() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: logs
                    query_language: logql
                    rules:
                      - record: service:log_lines:rate5m
                        expr: sum by (service) (rate({service=~".+"}[5m]))
                  - name: metrics
                    rules:
                      - record: job:up:sum
                        expr: sum by (job) (up)
                  - name: explicit
                    query_language: promql
                    rules:
                      - record: job:up:count
                        expr: count by (job) (up)
                """, Map.of(RuleFileParser.LOGQL, logql));
        assertThat(r.errors()).isEmpty();
        assertThat(r.groups().get(0).rules().get(0).expr())
                .isEqualTo(new RuleExpr.External("logql", "sum by (service) (rate({service=~\".+\"}[5m]))"));
        assertThat(r.groups().get(1).rules().get(0).expr()).isInstanceOf(RuleExpr.PromQl.class);
        assertThat(r.groups().get(2).rules().get(0).expr()).isInstanceOf(RuleExpr.PromQl.class);
    }

    @Test
    void brokenLogQlFailsAtTheExpressionLineWithTheLanguagesPosition() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: logs
                    query_language: logql
                    rules:
                      - alert: Errors
                        expr: rate({service="a"} |! "x" [5m]) > 1
                """, Map.of(RuleFileParser.LOGQL, logql));
        assertThat(r.groups()).isEmpty();
        assertThat(r.errors()).extracting(RuleError::toString)
                .containsExactly("r.yml:6: could not parse expression: parse error at line 1, col 21: unexpected '!'");
    }

    @Test
    void logQlWithoutAParserCannotBeCheckedAndFails() {
        RuleFileParser.Result r = parse(LOG_RECORD, Map.of());
        assertThat(r.errors()).extracting(RuleError::toString).containsExactly("r.yml:6: cannot check expression: no "
                + "logql parser in this build, so query_language logql rules cannot be loaded");
    }

    @Test
    void unknownMarkerValueIsRefusedAndTheRulesStillValidated() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: logs
                    query_language: sql
                    rules:
                      - record: "bad name"
                        expr: select 1
                """, Map.of(RuleFileParser.LOGQL, logql));
        assertThat(r.errors()).extracting(RuleError::toString).containsExactly(
                "r.yml:3: unknown query_language \"sql\": must be one of promql, logql",
                "r.yml:5: invalid recording rule name: bad name");
    }

    @Test
    void otherUnknownFieldsStayRefusedInEveryGroup() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: metrics
                    source_tenants: [a]
                    rules:
                      - record: r
                        expr: up
                  - name: logs
                    query_language: logql
                    evaluation_delay: 1m
                    rules:
                      - record: r
                        expr: count_over_time({service="a"}[5m])
                        query_language: logql
                """, Map.of(RuleFileParser.LOGQL, logql));
        assertThat(r.errors()).extracting(RuleError::toString).containsExactly(
                "r.yml:3: field source_tenants not found in type rulefmt.RuleGroup",
                "r.yml:9: field evaluation_delay not found in type rulefmt.RuleGroup",
                "r.yml:13: field query_language not found in type rulefmt.Rule");
    }

    @Test
    void recordingRuleWritesTheLanguagesSamplesIntoTheMetricStore() throws Exception {
        manager = manager("""
                groups:
                  - name: logs
                    query_language: logql
                    query_offset: 30s
                    rules:
                      - record: service:log_lines:rate5m
                        expr: sum by (service) (rate({service=~".+"}[5m]))
                        labels:
                          source: logs
                """);
        logql.results.put("sum by (service) (rate({service=~\".+\"}[5m]))",
                List.of(sample(0.5, "service", "payment"), sample(2, "service", "cart")));
        manager.evaluate(manager.groups().get(0), T0 + 30_000);
        // The query offset applies to the language's time as to PromQL's; results are stamped with it.
        assertThat(logql.askedAt).containsExactly(T0);
        assertThat(promql("service:log_lines:rate5m", T0)).extracting(s -> s.labels().get("service") + "="
                + s.labels().get("source") + "=" + s.f()).containsExactlyInAnyOrder("payment=logs=0.5", "cart=logs=2.0");
        assertThat(manager.groups().get(0).rules().get(0).health()).isEqualTo("ok");
    }

    @Test
    void alertingRuleFiresThroughTheNotifierWithTemplatesAndPromQlQueryFunction() throws Exception {
        manager = manager("""
                groups:
                  - name: logs
                    query_language: logql
                    rules:
                      - alert: ErrorLogs
                        expr: sum by (service) (rate({service=~".+"} |= "error" [5m])) > 1
                        for: 1m
                        labels:
                          severity: page
                        annotations:
                          summary: "{{ $labels.service }}: {{ $value }} error lines/s"
                          up: "{{ query \\"sum(up)\\" | first | value }}"
                """);
        var app = tsdb.appender();
        app.append(0, Labels.of("__name__", "up", "job", "a"), T0, 1);
        app.append(0, Labels.of("__name__", "up", "job", "b"), T0, 1);
        app.commit();
        logql.results.put("sum by (service) (rate({service=~\".+\"} |= \"error\" [5m])) > 1",
                List.of(sample(3, "service", "payment")));
        RuleGroup g = manager.groups().get(0);
        manager.evaluate(g, T0);
        AlertingRule rule = (AlertingRule) g.rules().get(0);
        Alert a = rule.alerts().get(0);
        assertThat(a.state()).isEqualTo(AlertState.PENDING);
        assertThat(a.labels()).isEqualTo(Labels.of("alertname", "ErrorLogs", "service", "payment", "severity", "page"));
        assertThat(a.annotations().get("summary")).isEqualTo("payment: 3 error lines/s");
        // The template's query function runs PromQL, as in any rule: 2 up series.
        assertThat(a.annotations().get("up")).isEqualTo("2");
        manager.evaluate(g, T0 + 60_000);
        assertThat(rule.state()).isEqualTo(AlertState.FIRING);
        assertThat(sent).extracting(Alert::state).containsExactly(AlertState.FIRING);
        assertThat(promql("ALERTS", T0 + 60_000)).extracting(s -> s.labels().get("alertstate")).containsExactly("firing");
        // The lines stop: the alert resolves and the notifier hears it.
        logql.results.put("sum by (service) (rate({service=~\".+\"} |= \"error\" [5m])) > 1", List.of());
        manager.evaluate(g, T0 + 120_000);
        assertThat(sent).extracting(Alert::state).containsExactly(AlertState.FIRING, AlertState.INACTIVE);
    }

    @Test
    void anEvaluationErrorBecomesTheRulesError() {
        manager = manager("""
                groups:
                  - name: logs
                    query_language: logql
                    rules:
                      - record: r
                        expr: '{service="a"}'
                """);
        manager.evaluate(manager.groups().get(0), T0);
        Rule r = manager.groups().get(0).rules().get(0);
        assertThat(r.health()).isEqualTo("err");
        assertThat(r.lastError()).isEqualTo("log query is not a metric query");
    }

    @Test
    void aManagerWithoutTheLanguageGivesTheRuleAnErrorNotACrash() {
        RuleFileParser.Result r = parse(LOG_RECORD, Map.of(RuleFileParser.LOGQL, logql));
        manager = new RuleManager(tsdb, new Engine(EngineOptions.defaults()), sent::addAll,
                RuleManager.Options.defaults(), () -> T0);
        manager.update(r.groups());
        manager.evaluate(manager.groups().get(0), T0);
        assertThat(manager.groups().get(0).rules().get(0).lastError()).isEqualTo("no evaluator for query_language logql");
    }

    /**
     * The shipped examples/rules/logs.yml, as it is: everything but its LogQL is checked here (the LogQL is the
     * engine's to check, through check-rules); its results, given by the table, record, fire and render the
     * annotations, the share through PromQL over what the first group recorded.
     */
    @Test
    void exampleLogRulesRecordAndAlert() throws Exception {
        RuleFileParser.Result parsed = RuleFileParser.parseFile(Path.of("..", "examples", "rules", "logs.yml"),
                Map.of(RuleFileParser.LOGQL, logql));
        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.groups()).allSatisfy(g -> assertThat(g.rules()).allSatisfy(r ->
                assertThat(r.expr()).isInstanceOf(RuleExpr.External.class)));
        manager = new RuleManager(tsdb, new Engine(EngineOptions.defaults()), Map.of(RuleFileParser.LOGQL, logql),
                sent::addAll, RuleManager.Options.defaults(), () -> T0);
        manager.update(parsed.groups());
        List<RuleConfig> rates = parsed.groups().get(0).rules();
        logql.results.put(rates.get(0).exprText(), List.of(sample(8, "service_name", "payment"),
                sample(1, "service_name", "cart")));
        logql.results.put(rates.get(1).exprText(), List.of(sample(2, "service_name", "payment"),
                sample(0.01, "service_name", "cart")));
        logql.results.put(parsed.groups().get(1).rules().get(0).exprText(), List.of(sample(2, "service_name", "payment")));
        for (long t = T0; t <= T0 + 5 * 60_000; t += 60_000) {
            for (RuleGroup g : manager.groups()) {
                manager.evaluate(g, t);
                assertThat(g.rules()).allSatisfy(r -> assertThat(r.health()).as(r.lastError()).isEqualTo("ok"));
            }
        }
        assertThat(promql("service_name:error_log_lines:rate5m", T0)).hasSize(2);
        assertThat(sent).hasSize(1);
        Alert a = sent.get(0);
        assertThat(a.labels()).isEqualTo(Labels.of("alertname", "ErrorLogRateHigh", "service_name", "payment",
                "severity", "page"));
        assertThat(a.annotations().get("summary")).isEqualTo("payment logs 2 error lines/s");
        assertThat(a.annotations().get("share")).isEqualTo("25% of its lines");
    }
}
