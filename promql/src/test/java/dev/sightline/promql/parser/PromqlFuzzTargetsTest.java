package dev.sightline.promql.parser;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.core.fuzz.FuzzTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzz targets of the PromQL parser (expressions, with the type checker) and of series selectors (the match[] of
 * the series, labels and federation APIs): a refusal is a {@link ParseException} with a position range in the input.
 */
class PromqlFuzzTargetsTest {
    private static final String[] TOKENS = {"(", ")", "{", "}", "[", "]", "[5m]", "[1h:1m]", ",", "=", "!=", "=~", "!~",
            "\"", "'", "`", "\\", "+", "-", "*", "/", "%", "^", "==", "!=", ">", "<=", " and ", " or ", " unless ", " atan2 ",
            " by ", " without ", " on(", " ignoring(", " group_left(", " group_right ", " bool ", " offset ", " @ ", "start()",
            "end()", "sum", "rate(", "histogram_quantile(", "label_replace(", "count_values(", "topk(", "quantile(", "-1",
            "1e308", "0x1p4", "Inf", "NaN", "{{", "__name__", "1y2w3d4h5m6s7ms", "-", "#", "\n", "step()", "min(", "max("};

    static List<FuzzTarget> targets() {
        return List.of(
                FuzzTarget.named("promql")
                        .seeds("sum by (job) (rate(http_requests_total{code=~\"5..\",method!=\"GET\"}[5m] offset 1h))",
                                "histogram_quantile(0.99, sum without (instance) (rate(latency_bucket[5m] @ 1700000000)))",
                                "max_over_time(deriv(node_load1[10m:30s])[1h:]) > bool on(instance) group_left(name) up * 2",
                                "label_replace(up{job=\"a\"}, \"dst\", \"$1\", \"src\", \"(.*)\") unless absent(up)",
                                "-(1 + 2) ^ 3 % 4 atan2 5 / topk(3, count_values(\"v\", x)) or vector(time())",
                                "{__name__=~\"job:.*\", \"utf8.label\"=\"x\"} - avg_over_time(y[5m] offset -1d)",
                                "quantile_over_time(0.5, z[1h] @ end()) # comment\n + scalar(sum(a))")
                        .tokens(TOKENS)
                        .rejects(ParseException.class, e -> e.position() != null && e.getMessage().contains(": parse error: "))
                        .runText(PromQLParser::parseExpr)
                        .build(),
                FuzzTarget.named("promql-series-selector")
                        .seeds("up", "{job=\"a\",instance=~\"h.*\"}", "http_requests_total{code!=\"200\",method!~\"GET|HEAD\"}",
                                "{\"my.metric\", env=\"prod\"}")
                        .tokens(TOKENS)
                        .rejects(ParseException.class, e -> e.position() != null && e.getMessage().contains(": parse error: "))
                        .runText(PromQLParser::parseMetricSelector)
                        .build());
    }

    @TestFactory
    Stream<DynamicTest> fuzz() {
        return FuzzTests.dynamicTests(targets());
    }
}
