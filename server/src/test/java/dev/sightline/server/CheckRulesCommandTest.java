package dev.sightline.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CheckRulesCommandTest {
    @TempDir
    Path dir;

    /** A LogQL recording rule whose expression is on line 6. */
    private static final String LOG_GROUP = """
            groups:
              - name: logs
                query_language: logql
                rules:
                  - record: service:log_lines:count5m
                    expr: count_over_time({service="payment"}[5m])
            """;

    private record Run(int exit, String out) {
    }

    private Run run(String... args) {
        return execute(Main.commandLine(), args);
    }

    private static Run execute(CommandLine cl, String... args) {
        StringWriter sw = new StringWriter();
        cl.setOut(new PrintWriter(sw));
        int exit = cl.execute(args);
        return new Run(exit, sw.toString());
    }

    private Path write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void goodFilePasses() throws Exception {
        Path good = write("good.yml", """
                groups:
                  - name: shop
                    rules:
                      - record: job:orders:rate1m
                        expr: sum by (job) (rate(orders_total[1m]))
                      - alert: RunawayOrders
                        expr: rate(orders_total[1m]) > 3 * avg_over_time(rate(orders_total[1m])[30m:1m])
                        for: 2m
                        annotations:
                          summary: "{{ $labels.job }}: {{ $value | humanize }} orders/s"
                """);
        Run r = run("check-rules", good.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Checking " + good + "\n  SUCCESS: 2 rules found\n")
                .endsWith("1 passed, 0 failed\n");
    }

    @Test
    void badFilesFailWithFileAndLine() throws Exception {
        Path good = write("good.yml", "groups:\n  - name: a\n    rules:\n      - record: r\n        expr: up\n");
        Path syntax = write("syntax.yml", "groups:\n  - name: a\n    rules: [\n");
        Path func = write("func.yml", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: nosuch(up)\n");
        Path tmpl = write("tmpl.yml", """
                groups:
                  - name: a
                    rules:
                      - alert: A
                        expr: up == 0
                        annotations:
                          summary: "{{ $value | humanise }}"
                """);
        Path dup = write("dup.yml", "groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n");
        Run r = run("check-rules", good.toString(), syntax.toString(), func.toString(), tmpl.toString(), dup.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out())
                .contains("Checking " + syntax + "\n  FAILED:\n" + syntax + ":")
                .contains(func + ":5: could not parse expression: ")
                .contains(tmpl + ":7: template: __alert_A:1: function \"humanise\" not defined")
                .contains(dup + ":4: groupname: \"a\" is repeated in the same file")
                .endsWith("1 passed, 4 failed\n");
    }

    @Test
    void logQlGroupsAreCheckedByTheEngine() throws Exception {
        Path good = write("logs.yml", LOG_GROUP + """
                  - name: metrics
                    rules:
                      - record: job:up:sum
                        expr: sum by (job) (up)
                """);
        Path garbage = write("garbage.yml", """
                groups:
                  - name: logs
                    query_language: logql
                    rules:
                      - alert: A
                        expr: count_over_time({service="payment"} |= [5m])
                """);
        Path lines = write("lines.yml", """
                groups:
                  - name: logs
                    query_language: logql
                    rules:
                      - alert: A
                        expr: '{service="payment"}'
                """);
        Path marker = write("marker.yml", "groups:\n  - name: logs\n    query_language: LogQL\n    rules: []\n");
        Path unknownField = write("field.yml", "groups:\n  - name: a\n    tenant: x\n    rules: []\n");
        Run r = run("check-rules", good.toString(), garbage.toString(), lines.toString(), marker.toString(),
                unknownField.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out())
                .contains("Checking " + good + "\n  SUCCESS: 2 rules found\n")
                .contains(garbage + ":6: could not parse expression: parse error at line 1, col 40: syntax error: "
                        + "unexpected \"[\", expecting STRING")
                .contains(lines + ":6: could not parse expression: log query is not a metric query")
                .contains(marker + ":3: unknown query_language \"LogQL\": must be one of promql, logql")
                .contains(unknownField + ":3: field tenant not found in type rulefmt.RuleGroup")
                .endsWith("1 passed, 4 failed\n");
    }
}
