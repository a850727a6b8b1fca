package dev.sightline.logs.logql;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.core.fuzz.FuzzTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

/** Fuzz target of the LogQL parser: a refusal is a {@link LogQlException} naming line and column. */
class LogQlFuzzTargetsTest {
    static List<FuzzTarget> targets() {
        return List.of(FuzzTarget.named("logql")
                .seeds("{app=\"web\", env=~\"prod|stage\"} |= \"error\" != `timeout` |~ \"(?i)fail.*\" | json | level=\"error\" | line_format \"{{.msg}}\"",
                        "sum by (level) (count_over_time({service=~\".+\"} | logfmt | duration > 10s [5m]))",
                        "topk(3, sum(rate({app=\"db\"} | regexp `(?P<ms>\\d+)ms` | unwrap ms [1m])) by (app)) > 0.5",
                        "{job=\"x\"} | pattern \"<ip> - <_> [<ts>] <msg>\" | label_format dst=\"{{ .ip }}\" | drop ts | keep msg",
                        "quantile_over_time(0.99, {a=\"b\"} | json | unwrap bytes(size) | __error__=\"\" [1h] offset 5m) by (a)")
                .tokens("{", "}", "(", ")", "[", "]", "[5m]", "|", "|=", "!=", "|~", "!~", "=", "=~", "\"", "`", "\\", ",",
                        " by ", " without ", " offset ", "json", "logfmt", "unwrap ", "line_format ", "{{", "}}", " and ", " or ",
                        "sum(", "rate(", "count_over_time(", "1e309", "-", "10s", "5GB", "#", "\n", " bool ", "ip(\"", "__error__")
                .rejects(LogQlException.class, e -> e.getMessage().matches("(?s)parse error at line \\d+, col \\d+: .*"))
                .runText(LogQlParser::parse)
                .build());
    }

    @TestFactory
    Stream<DynamicTest> fuzz() {
        return FuzzTests.dynamicTests(targets());
    }
}
