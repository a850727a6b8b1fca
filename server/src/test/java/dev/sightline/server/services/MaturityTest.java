package dev.sightline.server.services;

import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.rules.RuleConfig;
import dev.sightline.rules.RuleExpr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which rules cover which service, and the drill record's reading, without a server. */
class MaturityTest {
    private static RuleConfig alert(String name, String expr) throws Exception {
        return new RuleConfig(null, name, expr, new RuleExpr.PromQl(PromQLParser.parseExpr(expr)), 0, 0, Map.of(), Map.of(), 1);
    }

    private static final Set<String> CHECKOUT = Set.of("traces_spanmetrics_calls_total", "orders_total");

    @Test
    void aRuleCoversTheServicesItsSelectorsSelect() throws Exception {
        List<RuleConfig> rules = List.of(
                alert("Exact", "rate(traces_spanmetrics_calls_total{service=\"checkout\"}[5m]) > 1"),
                alert("Every", "sum by (service) (rate(traces_spanmetrics_calls_total[5m])) > 1"),
                alert("Regex", "rate({__name__=~\"traces_spanmetrics_.*\", service=~\"check.*\"}[5m]) > 1"),
                alert("Other", "rate(traces_spanmetrics_calls_total{service=\"payments\"}[5m]) > 1"),
                alert("NotRegex", "rate(traces_spanmetrics_calls_total{service!~\"check.*\"}[5m]) > 1"),
                alert("OtherMetric", "up{job=\"checkout\"} == 0"),
                alert("Nested", "(1 - avg_over_time((up{job=\"node\"} or on() traces_spanmetrics_calls_total{service=\"checkout\"})[1h:5m])) > 0"));
        assertThat(Maturity.rules(rules, "checkout", CHECKOUT, false)).containsExactly("Exact", "Every", "Regex", "Nested");
        assertThat(Maturity.rules(rules, "payments", Set.of("traces_spanmetrics_calls_total"), false))
                .containsExactly("Every", "Other", "NotRegex");
        assertThat(Maturity.rules(rules, "checkout", Set.of(), false)).isEmpty();
        RuleConfig logql = new RuleConfig(null, "Logs", "count_over_time({service=\"checkout\"}[5m]) > 0",
                new RuleExpr.External("loki", "count_over_time({service=\"checkout\"}[5m]) > 0"), 0, 0, Map.of(), Map.of(), 1);
        // A LogQL rule selects log streams, not metrics.
        assertThat(Maturity.rules(List.of(logql), "checkout", CHECKOUT, false)).isEmpty();
    }

    @Test
    void anAnomalyRuleNeedsTheSelectorInsideAnAnomalyFunction() throws Exception {
        List<RuleConfig> rules = List.of(
                alert("Seasonal", "abs(seasonal_zscore(orders_total{job=\"checkout\"}[1h], 3600)) > 3"),
                alert("Robust", "robust_zscore_over_time(sum(orders_total)[1h:1m]) > 3"),
                alert("Score", "anomaly_score_over_time(orders_total[1d], 3) > 0.9"),
                alert("Plain", "rate(orders_total{job=\"checkout\"}[5m]) == 0"),
                alert("Beside", "zscore_over_time(other_total[1h]) > 3 and orders_total > 0"));
        assertThat(Maturity.rules(rules, "checkout", CHECKOUT, true)).containsExactly("Seasonal", "Robust", "Score");
        assertThat(Maturity.isAnomalyFunction("seasonal_upper")).isTrue();
        assertThat(Maturity.isAnomalyFunction("zscore_over_time")).isTrue();
        assertThat(Maturity.isAnomalyFunction("stddev_over_time")).isFalse();
    }

    @Test
    void theDrillRecordIsReadAndEveryBadFieldNamed(@TempDir Path dir) throws Exception {
        assertThat(Drills.read(dir)).isEqualTo(Drills.none());
        long now = java.time.Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();
        assertThat(Drills.none().criterion("checkout", now).evidence()).isEqualTo("none recorded");

        Path file = dir.resolve(Drills.FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"results": [
                  {"drill": "a", "service": "checkout", "passed": true, "finished": "2026-12-01T00:00:00Z"},
                  {"drill": "b", "service": "checkout", "passed": false, "finished": "2026-12-05T00:00:00Z"},
                  {"drill": "c", "service": "checkout", "passed": true, "finished": "2026-11-01T00:00:00Z"},
                  {"drill": "d", "service": "payments", "passed": true, "finished": "2026-12-07T00:00:00Z"}]}""");
        Drills drills = Drills.read(dir);
        Maturity.Criterion checkout = drills.criterion("checkout", now);
        assertThat(checkout.met()).isTrue();
        assertThat(checkout.evidence()).isEqualTo("1 of 3 recorded drill(s) passed in the last 30 days");
        assertThat(checkout.found()).containsExactly("a (2026-12-01T00:00:00Z)");
        // Finished after now: not a drill that passed yet.
        assertThat(drills.criterion("payments", now).met()).isFalse();

        for (String[] bad : new String[][] {
                {"[]", "drills/results.json: \"results\" must be an array"},
                {"{\"results\": [{\"drill\": 1, \"service\": \"x\"}]}", "drills/results.json: results[0]: \"drill\" and \"service\" must be strings"},
                {"{\"results\": [{\"drill\": \"a\", \"service\": \"x\", \"passed\": \"yes\"}]}", "drills/results.json: results[0].passed must be true or false"},
                {"{\"results\": [{\"drill\": \"a\", \"service\": \"x\", \"passed\": true}]}", "drills/results.json: results[0].finished must be an RFC 3339 time, got "},
        }) {
            Files.writeString(file, bad[0]);
            Drills d = Drills.read(dir);
            assertThat(d.error()).isEqualTo(bad[1]);
            assertThat(d.criterion("x", now).met()).isFalse();
            assertThat(d.criterion("x", now).evidence()).isEqualTo(bad[1]);
        }
        Files.writeString(file, "{\"results\": [");
        assertThat(Drills.read(dir).error()).startsWith("drills/results.json: Unexpected end-of-input");
    }
}
