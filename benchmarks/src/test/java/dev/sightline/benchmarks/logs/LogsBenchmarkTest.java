package dev.sightline.benchmarks.logs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The answer checks, on bodies shaped as Loki's query_range documents them. */
class LogsBenchmarkTest {
    private static String streams(String service, String... lines) {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            values.append(i == 0 ? "" : ",").append("[\"").append(1_765_000_000_000_000_000L + i).append("\",\"")
                    .append(lines[i]).append("\"]");
        }
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[{\"stream\":{\"service\":\""
                + service + "\",\"env\":\"prod\"},\"values\":[" + values + "]}],\"stats\":{}}}";
    }

    @Test
    void aLineFilterAnswerMustHoldTheExpectedTimeoutLinesOfTheService() {
        String body = streams("checkout", "level=warn msg=\\\"upstream timeout, retrying\\\"", "db query timeout");
        assertThat(LogsBenchmark.checkStreams(body, "checkout", 2)).isNull();
        assertThat(LogsBenchmark.checkStreams(body, "checkout", 3)).isEqualTo("2 lines instead of 3");
        assertThat(LogsBenchmark.checkStreams(body, "payment", 2)).startsWith("a stream of another service");
        assertThat(LogsBenchmark.checkStreams(streams("checkout", "all good"), "checkout", 1))
                .isEqualTo("a line without timeout: all good");
        assertThat(LogsBenchmark.checkStreams("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
                "checkout", 0)).startsWith("not a streams answer");
    }

    @Test
    void aLevelAnswerMustGroupByLevelAndCountEveryLine() {
        String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"level\":\"info\"},\"values\":[[1765000000,\"7\"],[1765000300,\"3\"]]},"
                + "{\"metric\":{\"level\":\"error\"},\"values\":[[1765000300,\"2\"]]}]}}";
        assertThat(LogsBenchmark.checkLevels(body, 12)).isNull();
        assertThat(LogsBenchmark.checkLevels(body, 13)).isEqualTo("the counts sum to 12, not 13");
        assertThat(LogsBenchmark.checkLevels(body.replace("\"level\":\"error\"", "\"level\":\"error\",\"env\":\"prod\""), 12))
                .startsWith("a series other than one level");
        assertThat(LogsBenchmark.checkLevels(body.replace("\"error\"", "\"fatal\""), 12))
                .startsWith("a series other than one level");
        assertThat(LogsBenchmark.checkLevels(streams("checkout", "x"), 1)).startsWith("not a matrix answer");
    }
}
