package dev.sightline.ingest.otlp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A 64 KiB run of digits (or an exponent that stands for one) in each numeric field kind of OTLP JSON is refused
 * quickly, naming the field: BigDecimal/BigInteger take time quadratic in the digits, and "1e999999999" read as an
 * exact integer is a billion digits.
 */
class OtlpJsonLongNumberTest {
    private static final String DIGITS = "1".repeat(65_536);

    static Stream<Arguments> bodies() {
        List<Arguments> all = new ArrayList<>();
        // In range but 64 KiB long, out of range, and exponents that stand for a billion (or 100 million) digits.
        for (String v : List.of("\"" + DIGITS + "\"", "\"" + DIGITS + ".5\"", "\"0." + DIGITS + "\"",
                "\"1" + "0".repeat(65_536) + "e-65536\"", "\"0." + DIGITS + "e65536\"", "\"1e999999999\"",
                "\"-1e99999999\"", DIGITS, "1e999999999", "-1e99999999")) {
            String metric = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"m\",\"%s\":{\"dataPoints\":[{%s}]}}]}]}]}";
            all.add(Arguments.of("metrics", metric.formatted("gauge", "\"timeUnixNano\":" + v), "/timeUnixNano"));
            all.add(Arguments.of("metrics", metric.formatted("gauge", "\"asInt\":" + v), "/asInt"));
            all.add(Arguments.of("metrics", metric.formatted("gauge", "\"asDouble\":" + v), "/asDouble"));
            all.add(Arguments.of("metrics", metric.formatted("histogram", "\"count\":" + v), "/count"));
            all.add(Arguments.of("metrics", metric.formatted("histogram", "\"bucketCounts\":[" + v + "]"), "/bucketCounts/0"));
            all.add(Arguments.of("metrics", metric.formatted("histogram", "\"explicitBounds\":[" + v + "]"), "/explicitBounds/0"));
            all.add(Arguments.of("metrics", metric.formatted("histogram", "\"sum\":" + v), "/sum"));
            all.add(Arguments.of("metrics", metric.formatted("exponentialHistogram", "\"scale\":" + v), "/scale"));
            all.add(Arguments.of("metrics", metric.formatted("gauge", "\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":" + v + "}}]"), "/intValue"));
            all.add(Arguments.of("metrics", metric.formatted("gauge", "\"attributes\":[{\"key\":\"k\",\"value\":{\"doubleValue\":" + v + "}}]"), "/doubleValue"));
            all.add(Arguments.of("traces", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":" + v + "}]}]}]}", "/startTimeUnixNano"));
            if (!v.startsWith("\"")) { // a string is an enum's name, not its number
                all.add(Arguments.of("traces", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":" + v + "}]}]}]}", "/kind"));
                all.add(Arguments.of("logs", "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"severityNumber\":" + v + "}]}]}]}", "/severityNumber"));
            }
            all.add(Arguments.of("logs", "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"observedTimeUnixNano\":" + v + "}]}]}]}", "/observedTimeUnixNano"));
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void aHugeNumberIsRefusedQuicklyNamingItsField(String signal, String json, String field) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        // Generous for a loaded machine: a quadratic read of 64 KiB digits took seconds.
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> {
            switch (signal) {
                case "metrics" -> OtlpCodec.parseJson(body);
                case "traces" -> OtlpCodec.parseTracesJson(body);
                default -> OtlpCodec.parseLogsJson(body);
            }
        }).isInstanceOf(MalformedOtlpException.class)
                .hasMessageContaining(field + " (byte offset ")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_000)));
    }
}
