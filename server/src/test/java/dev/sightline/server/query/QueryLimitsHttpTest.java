package dev.sightline.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.logql.LogQlEvaluator;
import dev.sightline.metricstore.ExemplarStorage;
import dev.sightline.metricstore.Queryable;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.logapi.LiveLineHub;
import dev.sightline.server.logapi.LokiApi;
import dev.sightline.server.metadata.MetadataStore;
import dev.sightline.server.promapi.PromApi;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.server.traceapi.TraceApi;
import dev.sightline.server.traceapi.TraceQlEngineBackend;
import dev.sightline.traces.InMemorySpanStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query gate and the range limits as clients see them: Prometheus's error envelope with the status that says
 * why (429 for a full line, 503 timeout for a wait past the timeout, 400 bad_data for a range or step over the
 * limit), Loki's and Tempo's plain-text 400s naming the limit.
 */
class QueryLimitsHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HOUR_NS = 3_600_000_000_000L;

    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    /** The thread the storage was read on: a query thread, never the event loop nor the worker pool ingestion uses. */
    private volatile String queryThread;

    /** Storage whose every querier waits for {@link #release}: a query holding its slot as long as the test likes. */
    private final Queryable slow = (mint, maxt) -> {
        queryThread = Thread.currentThread().getName();
        entered.countDown();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("released");
    };

    private void promApi(QueryGate gate, RangeLimits ranges) throws Exception {
        new PromApi(() -> slow, EngineOptions.defaults(), () -> 0L,
                Tenants.disabled(IngestGuards.over(new MetadataStore(), ExemplarStorage.NONE)), gate, ranges)
                .register(server.api);
        server.listen();
    }

    private CompletableFuture<HttpResponse<String>> async(String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return server.get(path);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The Prometheus API behind {@code gate}, with one query holding a slot until {@link #release}. */
    private CompletableFuture<HttpResponse<String>> holdSlot(QueryGate gate) throws Exception {
        promApi(gate, RangeLimits.DEFAULT);
        var held = async("/api/v1/query?query=up");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        return held;
    }

    private static JsonNode error(HttpResponse<String> r, int status, String type) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("error");
        assertThat(body.get("errorType").asText()).isEqualTo(type);
        return body;
    }

    @Test
    void aQueryFindingTheLineFullIs429AndTheWaitingOneRunsLater() throws Exception {
        try (QueryGate gate = new QueryGate(1, 1, 20_000)) {
            var first = holdSlot(gate);
            assertThat(queryThread).startsWith("sightline-query-");
            var second = async("/api/v1/query?query=up");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (gate.waiting() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            JsonNode refused = error(server.get("/api/v1/query_range?query=up&start=0&end=60&step=15"), 429, "unavailable");
            assertThat(refused.get("error").asText())
                    .isEqualTo("too many queries: 1 running and 1 waiting (limits.query_max_concurrency, limits.query_max_queue)");
            release.countDown();
            // Both ran (to the storage's failure): neither was refused by the gate.
            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(500);
            assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(500);
        }
    }

    @Test
    void aQueryWaitingPastTheTimeoutIs503Timeout() throws Exception {
        try (QueryGate gate = new QueryGate(1, 4, 400)) {
            var first = holdSlot(gate);
            // Its own timeout parameter ends its wait first (the holder's answer may close its connection, which
            // cancels the holder and frees the slot).
            JsonNode waited = error(server.get("/api/v1/query?query=up&timeout=150ms"), 503, "timeout");
            assertThat(waited.get("error").asText()).startsWith("query timed out in query queue after 150ms")
                    .contains("limits.query_timeout");
            // The one that holds the slot is answered at its timeout too, while its storage read goes on.
            error(first.get(10, TimeUnit.SECONDS), 503, "timeout");
            release.countDown();
        }
    }

    @Test
    void rangeQueriesOverTheRangeOrThePointsLimitAre400BadData() throws Exception {
        try (QueryGate gate = new QueryGate(2, 2, 10_000)) {
            promApi(gate, new RangeLimits(HOUR_NS, 100));
            assertThat(error(server.get("/api/v1/query_range?query=up&start=0&end=7200&step=60"), 400, "bad_data")
                    .get("error").asText())
                    .isEqualTo("the query time range exceeds the limit (query length: 2h, limit: 1h; limits.query_max_range)");
            assertThat(error(server.get("/api/v1/query_range?query=up&start=0&end=101&step=1"), 400, "bad_data")
                    .get("error").asText())
                    .isEqualTo("exceeded maximum resolution of 100 points per timeseries. Try decreasing the query resolution (?step=XX)");
            assertThat(entered.getCount()).as("no refused query reached storage").isEqualTo(1);
        }
    }

    @Test
    void lokiAndTempoRangeQueriesHaveTheSameLimits() throws Exception {
        RangeLimits ranges = new RangeLimits(HOUR_NS, 100);
        try (QueryGate gate = new QueryGate(2, 2, 10_000)) {
            InMemoryLogStore logs = new InMemoryLogStore();
            new LokiApi(() -> logs, q -> {
                queryThread = Thread.currentThread().getName();
                return new LogQlEvaluator(q);
            }, new LiveLineHub(), () -> 10 * HOUR_NS, BuildInfo.current(), gate, ranges).register(server.api);
            InMemorySpanStore spans = new InMemorySpanStore();
            new TraceApi(() -> spans, () -> null, new TraceQlEngineBackend(), () -> 10 * HOUR_NS, BuildInfo.current(),
                    gate, ranges).register(server.api);
            server.listen();
            HttpResponse<String> ok = server.get("/loki/api/v1/query_range?query=" + enc("count_over_time({a=\"b\"}[1m])")
                    + "&start=0&end=" + HOUR_NS + "&step=60");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(queryThread).startsWith("sightline-query-");
            HttpResponse<String> loki = server.get("/loki/api/v1/query_range?query=" + enc("count_over_time({a=\"b\"}[1m])")
                    + "&start=0&end=" + 2 * HOUR_NS);
            assertThat(loki.statusCode()).isEqualTo(400);
            assertThat(loki.body()).contains("query length: 2h, limit: 1h; limits.query_max_range");
            HttpResponse<String> lokiSteps = server.get("/loki/api/v1/query_range?query=" + enc("count_over_time({a=\"b\"}[1m])")
                    + "&start=0&end=1000000000000&step=1");
            assertThat(lokiSteps.statusCode()).isEqualTo(400);
            assertThat(lokiSteps.body()).startsWith("exceeded maximum resolution of 100 points per time series");
            HttpResponse<String> tempo = server.get("/api/metrics/query_range?q=" + enc("{} | rate()")
                    + "&start=0&end=7200&step=60s");
            assertThat(tempo.statusCode()).isEqualTo(400);
            assertThat(tempo.body()).contains("limits.query_max_range");
            HttpResponse<String> tempoSteps = server.get("/api/metrics/query_range?q=" + enc("{} | rate()")
                    + "&start=0&end=1000&step=1s");
            assertThat(tempoSteps.statusCode()).isEqualTo(400);
            assertThat(tempoSteps.body()).contains("too many steps: 1000 (at most 100, limits.query_max_points_per_series)");
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
