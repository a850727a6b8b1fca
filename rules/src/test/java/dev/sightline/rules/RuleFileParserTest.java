package dev.sightline.rules;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RuleFileParserTest {
    private static RuleFileParser.Result parse(String yaml) {
        return RuleFileParser.parse("r.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsGroupsAndRules() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: shop
                    interval: 30s
                    limit: 10
                    query_offset: 1m
                    rules:
                      - record: job:orders:rate1m
                        expr: sum by (job) (rate(orders_total[1m]))
                        labels:
                          team: shop
                      - alert: RunawayOrders
                        expr: job:orders:rate1m > 100
                        for: 5m
                        keep_firing_for: 2m
                        labels:
                          severity: page
                        annotations:
                          summary: "{{ $labels.job }} at {{ $value | humanize }}"
                """);
        assertThat(r.errors()).isEmpty();
        assertThat(r.ruleCount()).isEqualTo(2);
        RuleGroupConfig g = r.groups().get(0);
        assertThat(g.name()).isEqualTo("shop");
        assertThat(g.intervalMs()).isEqualTo(30_000);
        assertThat(g.limit()).isEqualTo(10);
        assertThat(g.queryOffsetMs()).isEqualTo(60_000);
        RuleConfig alert = g.rules().get(1);
        assertThat(alert.isAlerting()).isTrue();
        assertThat(alert.forMs()).isEqualTo(300_000);
        assertThat(alert.keepFiringForMs()).isEqualTo(120_000);
        assertThat(alert.line()).isEqualTo(11);
        assertThat(alert.annotations()).containsKey("summary");
    }

    @Test
    void groupLabelsApplyToEveryRuleAndRuleLabelsWin() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: shop
                    labels:
                      team: shop
                      severity: ticket
                    rules:
                      - record: job:orders:rate1m
                        expr: sum by (job) (rate(orders_total[1m]))
                      - alert: RunawayOrders
                        expr: job:orders:rate1m > 100
                        labels:
                          severity: page
                """);
        assertThat(r.errors()).isEmpty();
        RuleConfig record = r.groups().get(0).rules().get(0);
        RuleConfig alert = r.groups().get(0).rules().get(1);
        assertThat(record.labels()).containsOnlyKeys("team", "severity");
        assertThat(record.labels().get("severity").source()).isEqualTo("ticket");
        assertThat(alert.labels().get("team").source()).isEqualTo("shop");
        assertThat(alert.labels().get("severity").source()).isEqualTo("page");
    }

    @Test
    void badGroupLabelIsReportedWithItsLine() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: shop
                    labels:
                      bad-name: x
                    rules:
                      - record: a
                        expr: up
                """);
        assertThat(r.groups()).isEmpty();
        assertThat(r.errors()).extracting(RuleError::line, RuleError::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(4, "invalid label name: bad-name"));
    }

    @Test
    void reportsEachErrorWithItsLine() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: a
                    rules:
                      - record: ok
                        expr: up
                        colour: red
                      - expr: up
                      - record: x
                        alert: Y
                        expr: up
                      - record: 1bad
                        expr: up
                      - alert: A
                        expr: rate(up[5m]
                      - alert: B
                        expr: nosuchfunc(up)
                        labels:
                          "bad-name": x
                        annotations:
                          summary: "{{ $value | humanise }}"
                  - name: a
                    rules: []
                """);
        assertThat(r.groups()).isEmpty();
        assertThat(r.errors()).extracting(RuleError::toString).containsExactly(
                "r.yml:6: field colour not found in type rulefmt.Rule",
                "r.yml:7: one of 'record' or 'alert' must be set (group \"a\")",
                "r.yml:8: only one of 'record' and 'alert' must be set (group \"a\")",
                "r.yml:11: invalid recording rule name: 1bad",
                r.errors().get(4).toString(),
                r.errors().get(5).toString(),
                "r.yml:18: invalid label name: bad-name",
                "r.yml:20: template: __alert_B:1: function \"humanise\" not defined",
                "r.yml:21: groupname: \"a\" is repeated in the same file");
        assertThat(r.errors().get(4).toString()).startsWith("r.yml:14: could not parse expression: ");
        assertThat(r.errors().get(5).toString()).startsWith("r.yml:16: could not parse expression: ")
                .contains("nosuchfunc");
    }

    @Test
    void yamlNestedPastTheReadLimitHasALine() {
        // Fuzzing found it (run seed 20261206, input 6591 of benchmarks/fuzz.sh): Jackson's nesting limit carries no
        // location, and the error said line 0.
        RuleFileParser.Result r = parse("groups:\n  - name: api\n    interval: 30s\n    limit: " + "[".repeat(2000));
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(4);
            assertThat(e.message()).startsWith("yaml: Document nesting depth (1001) exceeds the maximum allowed");
        });
    }

    @Test
    void yamlSyntaxErrorHasALine() {
        RuleFileParser.Result r = parse("groups:\n  - name: a\n    rules: [\n");
        assertThat(r.errors()).hasSize(1);
        assertThat(r.errors().get(0).line()).isGreaterThan(0);
        assertThat(r.errors().get(0).message()).startsWith("yaml: ");
    }

    @Test
    void recordingRulesRefuseAlertOnlyFieldsAndControlStructuresAreRefused() {
        RuleFileParser.Result r = parse("""
                groups:
                  - name: a
                    rules:
                      - record: r
                        expr: up
                        for: 5m
                      - alert: Q
                        expr: up
                        annotations:
                          d: '{{ with query "up" }}{{ . }}{{ end }}'
                          e: '{{ query "up" | first | value }}'
                """);
        assertThat(r.errors()).extracting(RuleError::toString).containsExactly(
                "r.yml:6: invalid field 'for' in recording rule",
                "r.yml:10: template: __alert_Q:1: \"with\" actions are not supported in Sightline templates");
    }

    @Test
    void emptyFileHasNoGroups() {
        assertThat(parse("").ok()).isTrue();
        assertThat(parse("groups:\n").ok()).isTrue();
    }
}
