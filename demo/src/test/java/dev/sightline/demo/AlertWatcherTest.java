package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.demo.sim.Incident;
import dev.sightline.demo.sim.IncidentKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlertWatcherTest {
    private static final long START = Instant.parse("2026-12-06T14:00:00Z").toEpochMilli();

    private static List<JsonNode> alerts(String json) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(json).forEach(out::add);
        return out;
    }

    @Test
    void matchesTheIncidentsAlertAboutItsTargetSinceItBegan() throws Exception {
        Incident runaway = new Incident(1, IncidentKind.RUNAWAY_STRATEGY, START, START + 480_000);
        List<JsonNode> firing = alerts("""
                [{"labels":{"alertname":"RunawayStrategy","strategy":"stat-arb"},"annotations":{"summary":"other"},
                  "activeAt":"2026-12-06T14:00:40Z"},
                 {"labels":{"alertname":"RunawayStrategy","strategy":"momentum"},"annotations":{"summary":"old"},
                  "activeAt":"2026-12-06T13:50:00Z"},
                 {"labels":{"alertname":"ProductCacheStale","region":"eu-west"},"annotations":{"summary":"cache"},
                  "activeAt":"2026-12-06T14:00:40Z"},
                 {"labels":{"alertname":"RunawayStrategy","strategy":"momentum"},"annotations":{"summary":"caught"},
                  "activeAt":"2026-12-06T14:00:45.5Z"}]""");
        AlertWatcher.Alert a = AlertWatcher.match(runaway, firing).orElseThrow();
        assertThat(a.name()).isEqualTo("RunawayStrategy");
        assertThat(a.summary()).isEqualTo("caught");
        assertThat(a.activeAt()).isEqualTo(Instant.parse("2026-12-06T14:00:45.5Z"));
        // An alert with none of the target labels (the latency golden signal) counts for its incident.
        Incident pool = new Incident(4, IncidentKind.SATURATED_POOL, START, START + 480_000);
        assertThat(AlertWatcher.match(pool, alerts("""
                [{"labels":{"alertname":"PaymentLatencyHigh","service":"payment-service"},"annotations":{},
                  "activeAt":"2026-12-06T14:01:00Z"}]"""))).map(AlertWatcher.Alert::name).contains("PaymentLatencyHigh");
        assertThat(AlertWatcher.match(pool, firing)).isEmpty();
    }

    @Test
    void aCaughtIncidentIsPostedAsAPassedDrillOfItsService() throws Exception {
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        int[] status = {200};
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/api/v1/drills/results", ex -> {
            try (ex) {
                bodies.add(ex.getRequestMethod() + " " + new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                ex.sendResponseHeaders(status[0], -1);
            }
        });
        server.start();
        try {
            AlertWatcher w = new AlertWatcher(java.net.http.HttpClient.newHttpClient(),
                    java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
            w.recordCaught(new Incident(2, IncidentKind.STALE_CACHE, START, START + 480_000), START + 75_000);
            assertThat(bodies).containsExactly("POST {\"results\":[{\"drill\":\"demo-stale-cache\",\"service\":\"product-cache\","
                    + "\"passed\":true,\"finished\":\"2026-12-06T14:01:15Z\"}]}");
            status[0] = 400;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.recordCaught(
                    new Incident(1, IncidentKind.RUNAWAY_STRATEGY, START, START + 480_000), START))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("answered 400");
        } finally {
            server.stop(0);
        }
    }
}
