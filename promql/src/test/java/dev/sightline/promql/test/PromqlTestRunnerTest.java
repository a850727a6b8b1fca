package dev.sightline.promql.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromqlTestRunnerTest {
    private static String run(Path dir, String script, PromqlTestRunner.RunResult[] result) throws IOException {
        Path f = dir.resolve("t.test");
        Files.writeString(f, script);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        result[0] = new PromqlTestRunner(MemStorage::new).run(List.of(f), new PrintStream(buf, true, StandardCharsets.UTF_8));
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void passingAndFailingEvalsAreCountedAndReportedWithFileAndLine(@TempDir Path dir) throws IOException {
        String script = """
                load 1m
                  metric{a="x"} 1+1x10
                  other 5

                eval instant at 2m metric
                  metric{a="x"} 3

                # wrong on purpose
                eval instant at 2m metric
                  metric{a="x"} 4

                eval range from 0 to 2m step 1m metric * 2
                  {a="x"} 2 4 6

                eval instant at 0 sum(metric) + other
                  {} 6

                eval instant at 1m 1 + 1
                  2

                eval instant at 0 nosuchfunction(metric)
                  expect fail
                """;
        PromqlTestRunner.RunResult[] r = new PromqlTestRunner.RunResult[1];
        String out = run(dir, script, r);
        assertThat(r[0].passed()).as(out).isEqualTo(5);
        assertThat(r[0].failed()).as(out).isEqualTo(1);
        assertThat(out).contains("t.test:9: ").contains("expected 4");
        assertThat(out.strip()).endsWith("5 passed, 1 failed");
    }

    @Test
    void annotationsAreChecked(@TempDir Path dir) throws IOException {
        String script = """
                load 1m
                  requests 1+1x10

                eval instant at 5m rate(requests[5m])
                  expect info msg: PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "requests" (1:6)
                  {} 0.016666666666666666

                eval instant at 5m rate(requests[5m])
                  expect no_info
                  {} 0.016666666666666666
                """;
        PromqlTestRunner.RunResult[] r = new PromqlTestRunner.RunResult[1];
        String out = run(dir, script, r);
        assertThat(r[0].passed()).as(out).isEqualTo(1);
        assertThat(r[0].failed()).as(out).isEqualTo(1);
    }

    @Test
    void durationsFollowPrometheusSyntax() throws Exception {
        assertThat(TestScriptParser.parseDuration("0")).isZero();
        assertThat(TestScriptParser.parseDuration("1h30m")).isEqualTo(5_400_000);
        assertThat(TestScriptParser.parseDuration("10s53ms")).isEqualTo(10_053);
    }

    @Test
    void startTimestampLinesExpandDurationsRelativeToEachPoint() throws Exception {
        assertThat(TestScriptParser.parseStartOffsets("_ _ -30s-1mx2 +1m 0 -0ms 1ms-1mx1 -59999msx2 _x1", 0))
                .containsExactly(null, null, -30_000L, -90_000L, -150_000L, 60_000L, 0L, 0L, 1L, -59_999L,
                        -59_999L, -59_999L, -59_999L, null, null);
        assertThatThrownBy(() -> TestScriptParser.parseStartOffsets("_ 5 -1m", 7))
                .hasMessageContaining("line 8").hasMessageContaining("\"5\"");
    }

    @Test
    void startTimestampsReachTheEngine(@TempDir Path dir) throws IOException {
        // A counter restarted between two scrapes and climbed past its old value: only the start timestamps show it.
        String script = """
                load 1m
                    series@st  _ _ -1m -1s   _   _
                    series     _ _   5   5   2   _
                    plain{a="b"}@st  _ -1m
                    plain{a="b"}     1   1

                eval instant at 5m increase(series[5m])
                    {}  16

                eval instant at 5m resets(series[5m])
                    {}  2

                eval instant at 3m start_timestamp(series)
                    {}  179

                eval instant at 1m start_timestamp(plain)
                    {a="b"}  0

                eval instant at 1m start_timestamp(plain * 1)
                """;
        PromqlTestRunner.RunResult[] r = new PromqlTestRunner.RunResult[1];
        String out = run(dir, script, r);
        assertThat(r[0].failed()).as(out).isZero();
        assertThat(r[0].passed()).as(out).isEqualTo(5);
    }
}
