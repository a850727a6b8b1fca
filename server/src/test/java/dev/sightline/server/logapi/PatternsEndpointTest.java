package dev.sightline.server.logapi;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.patterns.PatternMiner;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.query.RangeLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /loki/api/v1/patterns} in the shape Loki answers and Grafana's Logs Drilldown reads. */
class PatternsEndpointTest {
    private static final long SECOND = 1_000_000_000L;
    /** A multiple of 60 s, so one-minute steps start on it. */
    private static final long T = 1_764_999_960L;

    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();
    private final PatternMiner miner = new PatternMiner(PatternMiner.Options.DEFAULTS);

    private void start() throws Exception {
        new PatternsEndpoint(miner, () -> (T + 3600) * SECOND).register(server.api);
        server.listen();
    }

    private void line(long seconds, String service, String line) {
        miner.observe(new LogEntry(seconds * SECOND, Labels.of("service_name", service, "env", "prod"), Labels.EMPTY, line));
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private JsonObject ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        return new JsonObject(r.body());
    }

    @Test
    void answersPatternsWithSamplesPerStep() throws Exception {
        line(T, "api", "level=info msg=\"request served\" path=/a took=3ms");
        line(T + 5, "api", "level=info msg=\"request served\" path=/b took=4ms");
        line(T + 65, "api", "level=info msg=\"request served\" path=/c took=9ms");
        line(T + 70, "api", "level=error msg=\"db down\" host=db1");
        line(T + 70, "web", "level=error msg=\"db down\" host=db2");
        line(T + 70, "batch", "job finished");
        start();
        JsonObject body = ok(server.get("/loki/api/v1/patterns?query=" + q("{service_name=~\"api|web\"}")
                + "&start=" + T + "&end=" + (T + 120) + "&step=60s"));
        assertThat(body.getString("status")).isEqualTo("success");
        JsonArray data = body.getJsonArray("data");
        assertThat(data).hasSize(2);
        JsonObject served = data.getJsonObject(0);
        assertThat(served.fieldNames()).containsExactlyInAnyOrder("pattern", "level", "samples");
        assertThat(served.getString("pattern")).isEqualTo("level=info msg=\"request served\" path=<_> took=<_>");
        assertThat(served.getString("level")).isEqualTo("info");
        assertThat(served.getJsonArray("samples").encode()).isEqualTo("[[" + T + ",2],[" + (T + 60) + ",1]]");
        // The same text in two services is one entry, its counts summed.
        JsonObject down = data.getJsonObject(1);
        assertThat(down.getString("pattern")).isEqualTo("level=error msg=\"db down\" host=<_>");
        assertThat(down.getJsonArray("samples").encode()).isEqualTo("[[" + (T + 60) + ",2]]");
    }

    @Test
    void postFormAndDefaultsWork() throws Exception {
        line(T + 3000, "api", "cache warmed in 12 ms");
        start();
        // No start or end: the last hour before now (T + 3600 s); start and end in nanoseconds also read.
        HttpResponse<String> r = server.send(server.request("/loki/api/v1/patterns")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("query=" + q("{env=\"prod\"}"))));
        JsonArray data = ok(r).getJsonArray("data");
        assertThat(data).hasSize(1);
        assertThat(data.getJsonObject(0).getString("pattern")).isEqualTo("cache warmed in <_> ms");
        JsonObject nanos = ok(server.get("/loki/api/v1/patterns?query=" + q("{env=\"prod\"}") + "&start=" + T * SECOND
                + "&end=" + (T + 3600) * SECOND + "&step=10"));
        assertThat(nanos.getJsonArray("data").getJsonObject(0).getJsonArray("samples").encode())
                .isEqualTo("[[" + (T + 3000) + ",1]]");
        JsonObject rfc = ok(server.get("/loki/api/v1/patterns?query=" + q("{env=\"prod\"}") + "&start=2025-12-06T05:00:00Z"
                + "&end=2025-12-06T06:00:00.5Z"));
        assertThat(rfc.getJsonArray("data")).isEmpty();
    }

    @Test
    void badParametersAre400NamingThem() throws Exception {
        start();
        assertBad("/loki/api/v1/patterns", "query:");
        assertBad("/loki/api/v1/patterns?query=" + q("up"), "query: a stream selector");
        assertBad("/loki/api/v1/patterns?query=" + q("{a=~\".*\"}"), "empty-compatible");
        assertBad("/loki/api/v1/patterns?query=" + q("{a=\"b\"") , "query:");
        assertBad("/loki/api/v1/patterns?query=" + q("{a=\"b\"}") + "&start=yesterday", "start: cannot parse \"yesterday\"");
        assertBad("/loki/api/v1/patterns?query=" + q("{a=\"b\"}") + "&start=20&end=10", "end:");
        assertBad("/loki/api/v1/patterns?query=" + q("{a=\"b\"}") + "&step=fast", "step: cannot parse \"fast\"");
        assertBad("/loki/api/v1/patterns?query=" + q("{a=\"b\"}") + "&step=0", "step: zero or negative");
        assertBad("/loki/api/v1/patterns?query=" + q("{a=\"b\"}") + "&start=0&end=86400&step=1", "step: exceeded maximum resolution");
    }

    @Test
    void runsThroughTheQueryGateWithinItsRangeLimits() throws Exception {
        line(T, "api", "started");
        CountDownLatch release = new CountDownLatch(1);
        try (QueryGate gate = new QueryGate(1, 0, 10_000)) {
            new PatternsEndpoint(miner, () -> (T + 3600) * SECOND, gate, new RangeLimits(3600 * SECOND, 100))
                    .register(server.api);
            server.listen();
            ok(server.get("/loki/api/v1/patterns?query=" + q("{service_name=\"api\"}") + "&start=" + T + "&end=" + (T + 60)));
            assertBad("/loki/api/v1/patterns?query=" + q("{a=\"b\"}") + "&start=0&end=7200",
                    "the query time range exceeds the limit (query length: 2h, limit: 1h; limits.query_max_range)");
            assertBad("/loki/api/v1/patterns?query=" + q("{a=\"b\"}") + "&start=0&end=101&step=1",
                    "step: exceeded maximum resolution of 100 points per timeseries");
            // With the one slot taken, a patterns request is refused by the gate.
            var held = gate.submit(0, ms -> {
                try {
                    return release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            HttpResponse<String> full = server.get("/loki/api/v1/patterns?query=" + q("{service_name=\"api\"}"));
            assertThat(full.statusCode()).isEqualTo(429);
            assertThat(full.body()).contains("limits.query_max_concurrency");
            release.countDown();
            assertThat(held.result().get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private void assertBad(String path, String message) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.body()).contains(message);
    }

    @Test
    void timesParseAsLokiReadsThem() {
        assertThat(PatternsEndpoint.parseTimeNanos("1765000000")).isEqualTo(1_765_000_000L * SECOND);
        assertThat(PatternsEndpoint.parseTimeNanos("1765000000000000001")).isEqualTo(1_765_000_000_000_000_001L);
        assertThat(PatternsEndpoint.parseTimeNanos("1765000000.25")).isEqualTo(1_765_000_000_250_000_000L);
        assertThat(PatternsEndpoint.parseTimeNanos("2025-12-06T05:46:40.5Z")).isEqualTo(1_765_000_000_500_000_000L);
        assertThat(PatternsEndpoint.parseStepNanos("1m")).isEqualTo(60 * SECOND);
        assertThat(PatternsEndpoint.parseStepNanos("0.5")).isEqualTo(SECOND / 2);
    }
}
