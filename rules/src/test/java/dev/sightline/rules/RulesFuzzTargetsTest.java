package dev.sightline.rules;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.core.fuzz.FuzzTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target of Prometheus rule files (YAML, groups, PromQL expressions, templates): the parser never throws, it
 * returns its errors, each located (a line in the file, or the group and rule it names).
 */
class RulesFuzzTargetsTest {
    private static final String RULES = """
            groups:
              - name: api
                interval: 30s
                limit: 10
                labels:
                  team: core
                rules:
                  - record: job:http_requests:rate5m
                    expr: sum by (job) (rate(http_requests_total[5m]))
                  - alert: HighErrorRate
                    expr: |
                      sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
                    for: 10m
                    keep_firing_for: 5m
                    labels:
                      severity: page
                    annotations:
                      summary: "{{ $labels.job }} has {{ $value | humanizePercentage }} errors"
                      description: 'Since {{ with query "time()" }}{{ . | first | value }}{{ end }}'
              - name: anchors
                rules:
                  - &base
                    alert: Down
                    expr: up == 0
                  - <<: *base
                    alert: DownToo
            """;

    static List<FuzzTarget> targets() {
        return List.of(FuzzTarget.named("rule-file").seeds(RULES)
                .tokens("\n", "  ", "- ", ": ", "{", "}", "[", "]", "&a ", "*a", "<<: ", "|\n", ">-\n", "\"", "'", "{{", "}}",
                        "!!str ", "!!binary ", "? ", "---\n", "...\n", "%YAML 1.2\n", "#", "\t", "groups:", "rules:", "expr: ",
                        "for: ", "{{ range $i := . }}", "{{ template \"x\" }}")
                .run(in -> {
                    RuleFileParser.Result r = RuleFileParser.parse("fuzz.yml", in);
                    for (RuleError e : r.errors()) {
                        assertThat(e.line()).as("located: %s", e).isPositive();
                    }
                })
                .build());
    }

    @TestFactory
    Stream<DynamicTest> fuzz() {
        return FuzzTests.dynamicTests(targets());
    }
}
