package dev.sightline.server.logs;

import dev.sightline.core.WritePriority;
import dev.sightline.ingest.logs.LogLimits;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.ingest.WritesInProgress;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Loki and NDJSON pushes are writes in progress for queries to give way to until answered, stored or refused. */
class LogPushWriteMarksTest {
    private final WritePriority writes = new WritePriority();

    @Test
    void eachPushIsMarkedUntilAnsweredStoredOrRefused() throws Exception {
        List<Integer> during = new CopyOnWriteArrayList<>();
        InMemoryLogStore store = new InMemoryLogStore();
        try (ApiTestServer s = new ApiTestServer()) {
            LogIngester ingester = new LogIngester(() -> {
                during.add(writes.writing());
                return store;
            }, LogLimits.DEFAULT, new LogIngestMetrics(s.metrics.registry()));
            new LogPushEndpoint(ingester, 64 * 1024, null, writes).register(s.api);
            s.listen();
            long now = System.currentTimeMillis() * 1_000_000L;
            String json = "{\"streams\":[{\"stream\":{\"job\":\"a\"},\"values\":[[\"" + now + "\",\"hello\"]]}]}";
            assertThat(post(s, LogPushEndpoint.LOKI_PATH, "application/json", json)).isEqualTo(204);
            WritesInProgress.awaitNone(writes);
            assertThat(post(s, LogPushEndpoint.LOKI_PATH, "application/json", "{\"streams\":[")).isEqualTo(400);
            WritesInProgress.awaitNone(writes);
            // Protobuf that is not snappy: refused before the store is reached, still released.
            assertThat(post(s, LogPushEndpoint.LOKI_PATH, "application/x-protobuf", "not snappy")).isEqualTo(400);
            WritesInProgress.awaitNone(writes);
            assertThat(post(s, LogPushEndpoint.NDJSON_PATH, "application/x-ndjson", "{\"msg\":\"hi\"}\n")).isEqualTo(200);
            WritesInProgress.awaitNone(writes);
            assertThat(post(s, LogPushEndpoint.LOKI_PATH, "text/plain", "x")).isEqualTo(415);
            WritesInProgress.awaitNone(writes);
        }
        assertThat(during).hasSize(3).containsOnly(1);
    }

    private static int post(ApiTestServer s, String path, String type, String body) throws Exception {
        return s.send(s.request(path).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))).statusCode();
    }

}
