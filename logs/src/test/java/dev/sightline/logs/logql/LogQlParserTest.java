package dev.sightline.logs.logql;

import dev.sightline.logs.FieldCondition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class LogQlParserTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "{service=\"payment\"}",
            "{a=\"x\", b=~\"y.*\", c!=\"z\", d!~\"w\"}",
            "{a=`x`} |= `raw \\d` != \"b\" |~ \"c.+\" !~ `d` |= \"e\" or \"f\"",
            "{a=\"x\"} | json | status=\"failed\" | amount > 100",
            "{a=\"x\"} | json first=\"a.b\", x=\"arr[0]\", y=`m[\"k k\"]`, plain",
            "{a=\"x\"} | logfmt | level=\"error\", took > 1s or (size >= 20MB and code != 200)",
            "{a=\"x\"} | logfmt host, id=\"request_id\"",
            "{a=\"x\"} | regexp \"(?P<ip>\\\\S+) (?P<method>\\\\w+)\"",
            "{a=\"x\"} | pattern \"<ip> - <_> [<ts>] \\\"<method> <path>\\\"\"",
            "{a=\"x\"} | unpack | decolorize | drop a, b=\"x\", c=~\"y.*\" | keep d, e!=\"z\"",
            "{a=\"x\"} | line_format \"{{.a | ToUpper}} {{ __line__ }}\" | label_format b=a, c=`{{ .d }}`",
            "{a=\"x\"} | json | latency >= 250ms, size < 1KiB, n == -3.5 | __error__=\"\"",
            "count_over_time({a=\"x\"}[5m])",
            "count_over_time({a=\"x\"}[5m] | json)",
            "rate({a=\"x\"} |= \"err\" [1h30m] offset 5m)",
            "sum by (level) (count_over_time({service=~\".+\"}[5m]))",
            "sum(rate({a=\"x\"}[1m])) without (b)",
            "topk(3, sum by (a) (bytes_rate({a=\"x\"}[5m])))",
            "quantile_over_time(0.99, {a=\"x\"} | json | unwrap duration(latency) | __error__=\"\" [5m]) by (path)",
            "sum_over_time({a=\"x\"} | logfmt | unwrap bytes(size) [5m])",
            "rate_counter({a=\"x\"} | logfmt | unwrap total [5m])",
            "sum(count_over_time({a=\"x\"}[5m])) / sum(count_over_time({b=\"y\"}[5m])) * 100",
            "count_over_time({a=\"x\"}[5m]) > bool 2",
            "count_over_time({a=\"x\"}[5m]) and on (a) count_over_time({b=\"y\"}[5m])",
            "sum(count_over_time({a=\"x\"}[5m])) or vector(0)",
            "2 ^ 3 ^ 2 - -1",
            "sort_desc(sum by (a) (count_over_time({a=\"x\"}[5m])))",
            "absent_over_time({a=\"x\"}[5m])",
            "count_over_time({a=\"x\"}[5m] |= \"y\" | json)",
    })
    void parsesLokiSyntax(String query) {
        assertThat(LogQlParser.parse(query)).isNotNull();
    }

    @Test
    void regexpGroupsAreRenamedForJava() {
        Ast.LogExpr e = (Ast.LogExpr) LogQlParser.parse("{a=\"x\"} | regexp `(?P<trace_id>\\w+) (?P<n2>\\d+)`");
        Pipeline.RegexpParser p = (Pipeline.RegexpParser) e.stages().getFirst();
        assertThat(p.groupLabels()).containsExactly("trace_id", "n2");
        // Compiled through Regex, which puts an empty group in front (see there).
        assertThat(p.pattern().pattern()).isEqualTo("(?:)(?<g0>\\w+) (?<g1>\\d+)");
    }

    @Test
    void numberDurationAndBytesLiterals() {
        Ast.LogExpr e = (Ast.LogExpr) LogQlParser.parse("{a=\"x\"} | logfmt | d > 1m30s | b >= 20MB | n < 1e3");
        assertThat(e.stages().subList(1, 4)).extracting(s -> ((Pipeline.LabelFilterStage) s).filter()).containsExactly(
                new Pipeline.CompareFilter("d", FieldCondition.Type.DURATION, Pipeline.CompareOp.GT, 90),
                new Pipeline.CompareFilter("b", FieldCondition.Type.BYTES, Pipeline.CompareOp.GE, 20e6),
                new Pipeline.CompareFilter("n", FieldCondition.Type.NUMBER, Pipeline.CompareOp.LT, 1000));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', value = {
            "{a=\"x\"} | json | status==>parse error at line 1, col 25: syntax error: unexpected end of input, expecting NUMBER, DURATION or BYTES",
            "{a=\"x\" =>parse error at line 1, col 7: syntax error: unexpected end of input, expecting \"}\"",
            "{a=\"x\"} | jsonn=>parse error at line 1, col 11: syntax error: unexpected IDENTIFIER jsonn, expecting a parser",
            "{a=\"x\"} |= \"unclosed=>parse error at line 1, col 12: unterminated string",
            "count_over_time({a=\"x\"})=>parse error at line 1, col 24: syntax error: unexpected \")\", expecting a range such as [5m]",
            "{a=\"x\"}[5m]=>parse error at line 1, col 8: a log range such as [5m] needs a range aggregation",
            "{a=~\".*\"}=>parse error at line 1, col 1: queries require at least one regexp or equality matcher",
            "{a=\"x\"} |~ \"(\"=>parse error at line 1, col 12: invalid regular expression",
            "{a=\"x\"} | regexp \"(\\\\w+)\"=>parse error at line 1, col 18: at least one named capture must be supplied",
            "{a=\"x\"} | pattern \"<a><b>\"=>parse error at line 1, col 19: invalid pattern",
            "{a=\"x\"} | line_format \"{{ if .a }}x{{ end }}\"=>parse error at line 1, col 23: template: not implemented: template action if",
            "{a=\"x\"} | line_format \"{{ .a | sha256 }}\"=>parse error at line 1, col 23: template: not implemented: template function sha256",
            "{a=\"x\"} | label_format b=a, b=c=>parse error at line 1, col 29: multiple label name 'b' not allowed",
            "count_over_time({a=\"x\"}[5m]) by (a)=>parse error at line 1, col 1: grouping not allowed for count_over_time aggregation",
            "sum_over_time({a=\"x\"}[5m])=>parse error at line 1, col 1: invalid aggregation sum_over_time without unwrap",
            "count_over_time({a=\"x\"} | json | unwrap n [5m])=>parse error at line 1, col 1: invalid aggregation count_over_time with unwrap",
            "{a=\"x\"} | json | unwrap n=>parse error at line 1, col 18: unwrap is only allowed inside a range aggregation",
            "1 > 2=>parse error at line 1, col 3: comparisons between scalars must use BOOL modifier",
            "-(1 + 2) * 3 > 2 - 1=>parse error at line 1, col 14: comparisons between scalars must use BOOL modifier",
            "1 + 2 or 3=>parse error at line 1, col 7: set operator or not allowed in binary scalar expression",
            "{a=\"x\"} + 1=>parse error at line 1, col 9: a log query cannot be an operand",
            "sum(count_over_time({a=\"x\"}[5m])) ) =>parse error at line 1, col 35: syntax error: unexpected \")\", expecting end of query",
    })
    void errorsNameThePosition(String query, String message) {
        assertThatThrownBy(() -> LogQlParser.parse(query)).isInstanceOf(LogQlException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void aLongOperatorChainParsesInLinearTime() {
        // Fuzzing found it (run seed 20261206, input 6093 of benchmarks/fuzz.sh): each operator of the chain walked
        // the whole chain to tell whether its left side was a scalar; 23 KB took over 5 s on a loaded machine.
        String found = "topk(3, sum(rate({app=\"db\"} | regexp `(?P<ms>\\d+)ms` | unwrap ms [1m])) by (app)"
                + "> 0.".repeat(5794) + "> ";
        String longer = "sum(count_over_time({a=\"x\"}[5m]))" + " > 0".repeat(100_000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThatThrownBy(() -> LogQlParser.parse(found)).isInstanceOf(LogQlException.class)
                    .hasMessageStartingWith("parse error at line 1, col 23259: syntax error: unexpected end of input");
            assertThat(LogQlParser.parse(longer)).isInstanceOf(Ast.BinOp.class);
        });
    }

    @Test
    void deepNestingIsAParseErrorNotAStackOverflow() throws InterruptedException {
        // Fuzzing found these (run seed 20261206, inputs 11363, 42539, 100167 and 95956 of benchmarks/fuzz.sh, shrunk).
        List<String> deep = List.of("sum by()" + "(".repeat(550) + "1", "(sum".repeat(5000), "- ".repeat(100_000) + "1",
                "sum(".repeat(10_000), "1 ^ ".repeat(10_000) + "1",
                "{job=\"x\"} | label_format dst=\"{{ .ip" + "(".repeat(10_000) + " }}\"",
                // Label filters' parentheses (inputs 140953 and 190565 of the same run, after the fix above).
                "{a=\"b\"} |" + "(".repeat(10_000) + "x=\"1\"");
        List<Throwable> failures = new ArrayList<>();
        String within = "(".repeat(LogQlParser.MAX_DEPTH - 2) + "1" + ")".repeat(LogQlParser.MAX_DEPTH - 2);
        // The stack server threads get (the JVM's default on 64-bit Linux; the launcher sets no -Xss), before the JIT
        // has compiled the parser: interpreted frames are the largest. 512 KiB overflowed so in CI.
        Thread t = new Thread(null, () -> {
            try {
                assertThat(LogQlParser.parse(within)).isEqualTo(new Ast.NumberLit(1));
            } catch (Throwable e) {
                failures.add(e);
            }
            for (String q : deep) {
                try {
                    LogQlParser.parse(q);
                    failures.add(new AssertionError("parsed " + q.length() + " chars"));
                } catch (LogQlException e) {
                    if (!e.getMessage().matches("(?s)parse error at line 1, col \\d+: .*nest.*too deep.*")) {
                        failures.add(e);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }
        }, "default-stack", 1024 * 1024);
        t.start();
        t.join();
        assertThat(failures).isEmpty();
    }

    @Test
    void regexesWithALongLiteralCompileInLinearTime() {
        // The JDK's Boyer-Moore table for a leading literal is quadratic in its length (TraceQL's fuzzing found it).
        String literal = "GET " + "=".repeat(200_000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(LogQlParser.parse("{a=\"x\"} |~ \"" + literal + "\"")).isNotNull();
            assertThat(LogQlParser.parse("{a=\"x\"} | regexp \"" + literal + "(?P<n>.)\"")).isNotNull();
        });
    }

    @Test
    void positionsCountLines() {
        assertThatThrownBy(() -> LogQlParser.parse("{a=\"x\"}\n  | bogus")).hasMessageStartingWith(
                "parse error at line 2, col 5: syntax error: unexpected IDENTIFIER bogus");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', value = {
            "label_replace(count_over_time({a=\"x\"}[5m]), \"b\", \"$1\", \"a\", \"(.*)\")=>not implemented: label_replace",
            "count_values(\"v\", count_over_time({a=\"x\"}[5m]))=>not implemented: count_values",
            "{a=\"x\"} | logfmt --strict=>not implemented: logfmt --strict",
            "{a=\"x\"} | logfmt --keep-empty=>not implemented: logfmt --keep-empty",
            "{a=\"x\"} | json | addr = ip(\"10.0.0.0/8\")=>not implemented: ip() label filter",
            "{a=\"x\"} |= ip(\"10.0.0.1\")=>not implemented: ip() line filter",
            "{a=\"x\"} |> \"<_> error <_>\"=>not implemented: pattern line filter |>",
            "{a=\"x\"} | distinct a=>not implemented: distinct",
            "count_over_time({a=\"x\"}[5m:1m])=>not implemented: subqueries",
            "count_over_time({a=\"x\"}[5m]) * on (a) group_left count_over_time({a=\"x\"}[5m])=>not implemented: group_left",
    })
    void notImplementedIsNamed(String query, String what) {
        assertThatThrownBy(() -> LogQlParser.parse(query)).isInstanceOf(LogQlException.class)
                .hasMessageContaining(what);
    }
}
