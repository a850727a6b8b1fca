package dev.sightline.server.traces;

import dev.sightline.core.WritePriority;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.ingest.WritesInProgress;
import dev.sightline.traces.InMemorySpanStore;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Zipkin span posts are writes in progress for queries to give way to until answered, stored or refused. */
class ZipkinWriteMarksTest {
    private final WritePriority writes = new WritePriority();

    @Test
    void eachPostIsMarkedUntilAnsweredStoredOrRefused() throws Exception {
        List<Integer> during = new CopyOnWriteArrayList<>();
        InMemorySpanStore store = new InMemorySpanStore();
        try (ApiTestServer s = new ApiTestServer()) {
            SpanIngester spans = new SpanIngester(() -> {
                during.add(writes.writing());
                return store;
            }, UnaryOperator.identity(), new SpanIngestMetrics(s.metrics.registry()));
            new ZipkinEndpoint(spans, SpanLimits.DEFAULT, 64 << 10, null, writes).register(s.api);
            s.listen();
            String ok = "[{\"traceId\":\"0000000000000001\",\"id\":\"0000000000000002\",\"name\":\"a\","
                    + "\"timestamp\":1700000000000000,\"duration\":5}]";
            assertThat(post(s, ok)).isEqualTo(202);
            WritesInProgress.awaitNone(writes);
            assertThat(post(s, "[{\"traceId\":")).isEqualTo(400);
            WritesInProgress.awaitNone(writes);
        }
        assertThat(during).isNotEmpty().containsOnly(1);
    }

    private static int post(ApiTestServer s, String json) throws Exception {
        return s.send(s.request("/api/v2/spans").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))).statusCode();
    }

}
