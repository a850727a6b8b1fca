package dev.sightline.server.fuzz;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTP fuzz property on a query's own timeout (fuzz.sh --http, seed 20261206, http-promql input 4350): a query
 * given {@code timeout=0s} gets Prometheus's 503 {@code timeout}, which is the answer the contract documents, and
 * the property holds for it given time; a query that times out with all the time it is given still fails it.
 */
class HttpFuzzTimeoutTest {
    /** The saved input, as fuzz-out/http-promql/seed20261206-input4350.bin holds it. */
    private static final byte[] INPUT_4350 = ("query=histogram_quantile(0.9, rate(x_bucket[1m])) > bool 1"
            + "&time=1796593403.5&timeout=0s").getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private static FuzzTarget promql(RunningServer server) {
        return HttpFuzzTargetsTest.query(server, "http-promql", "/api/v1/query", new String[0],
                HttpFuzzTargetsTest.PROMQL_SEEDS);
    }

    @Test
    void input4350IsPrometheusTimeoutAndTheQueryGivenTimeAnswers() throws Exception {
        try (RunningServer server = new RunningServer().start(dir, null)) {
            HttpResponse<String> r = HttpFuzzTargetsTest.get(server, "/api/v1/query?" + HttpFuzzTargetsTest.urlQuery(INPUT_4350));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(RunningServer.JSON.readTree(r.body()).path("errorType").asText()).isEqualTo("timeout");
            promql(server).run(INPUT_4350);
            // Given time in the form body, the same query answers (an empty vector: no x_bucket series).
            assertThat(server.post("/api/v1/query?" + HttpFuzzTargetsTest.urlQuery(INPUT_4350),
                    "application/x-www-form-urlencoded", "timeout=20s").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aQueryOutOfTimeWithAllItIsGivenStillFailsTheProperty() throws Exception {
        // The server's own limit, far below the 20 s the property gives: the query (2.6 million subquery steps) runs
        // out of that, not of its own.
        try (RunningServer server = new RunningServer().start(dir, "limits:\n  query_timeout: 10ms\n")) {
            byte[] heavy = "query=count_over_time(vector(1)[30d:1s])&time=1796593403&timeout=1s"
                    .getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> promql(server).run(heavy)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("/api/v1/query answered 503").hasMessageContaining("\"errorType\":\"timeout\"");
        }
    }
}
