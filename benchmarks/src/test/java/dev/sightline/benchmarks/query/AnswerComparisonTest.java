package dev.sightline.benchmarks.query;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** How the query benchmark decides whether a peer's answer agrees with Prometheus's. */
class AnswerComparisonTest {
    private static Map<String, TreeMap<Long, Double>> m(String json) throws Exception {
        return PromqlQueryBenchmark.matrix(json.getBytes(StandardCharsets.UTF_8));
    }

    private static final String PROM = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"job\":\"a\",\"instance\":\"x\"},\"values\":[[1699920060,\"1095307049.5526958\"],[1699920120.5,\"NaN\"]]},"
            + "{\"metric\":{\"job\":\"b\"},\"values\":[[1699920060,\"+Inf\"]]}]}}";

    @Test
    void labelOrderAndLastDigitRoundingAgree() throws Exception {
        // Label order differs, a value differs in its last digits (summation order): the same answer.
        String other = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"job\":\"b\"},\"values\":[[1699920060,\"+Inf\"]]},"
                + "{\"metric\":{\"instance\":\"x\",\"job\":\"a\"},\"values\":[[1699920060,\"1095307049.5526944\"],[1699920120.500,\"NaN\"]]}]}}";
        assertThat(PromqlQueryBenchmark.compare(m(PROM), m(other))).isNull();
    }

    @Test
    void differentValuesPointsOrSeriesDiffer() throws Exception {
        String value = PROM.replace("1095307049.5526958", "1095307149.5526958");
        assertThat(PromqlQueryBenchmark.compare(m(PROM), m(value))).startsWith("1 of 3 points, first {instance=x, job=a} at 1699920060000");
        String extraPoint = PROM.replace("[[1699920060,\"+Inf\"]]", "[[1699920060,\"+Inf\"],[1699920120,\"1\"]]");
        assertThat(PromqlQueryBenchmark.compare(m(PROM), m(extraPoint))).contains("extra point at 1699920120000");
        String missingSeries = PROM.replace(",{\"metric\":{\"job\":\"b\"},\"values\":[[1699920060,\"+Inf\"]]}", "");
        assertThat(PromqlQueryBenchmark.compare(m(PROM), m(missingSeries))).startsWith("1 series against 2 (missing e.g. [{job=b}]");
        assertThat(PromqlQueryBenchmark.compare(m(PROM), m(PROM.replace("+Inf", "-Inf")))).startsWith("1 of 3 points");
    }
}
