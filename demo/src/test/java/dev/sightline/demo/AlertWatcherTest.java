package dev.sightline.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.demo.sim.Incident;
import dev.sightline.demo.sim.IncidentKind;
import dev.sightline.demo.sim.SimClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class AlertWatcherTest {
    private static final long START = Instant.parse("2026-12-06T14:00:00Z").toEpochMilli();

    /** A {@code /api/v1/rules} answer: one group holding the given rules (JSON objects). */
    private static String rules(String... rules) {
        return "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"g\",\"rules\":[" + String.join(",", rules) + "]}]}}";
    }

    private static String rule(String name, String query, String... alerts) {
        return "{\"type\":\"alerting\",\"name\":\"" + name + "\",\"query\":\"" + query + "\",\"alerts\":["
                + String.join(",", alerts) + "]}";
    }

    private static String alert(String state, String activeAt, String summary, String... labels) {
        StringBuilder l = new StringBuilder("{");
        for (int i = 0; i < labels.length; i += 2) {
            l.append(i == 0 ? "" : ",").append('"').append(labels[i]).append("\":\"").append(labels[i + 1]).append('"');
        }
        return "{\"labels\":" + l + "},\"annotations\":{\"summary\":\"" + summary + "\"},\"state\":\"" + state
                + "\",\"activeAt\":\"" + activeAt + "\"}";
    }

    private static List<AlertWatcher.Alert> firing(String answer) throws Exception {
        return AlertWatcher.firing(new ObjectMapper().readTree(answer));
    }

    @Test
    void matchesTheIncidentsAlertsAboutItsTargetWhileItRan() throws Exception {
        Incident runaway = new Incident(1, IncidentKind.RUNAWAY_STRATEGY, START, START + 480_000);
        List<AlertWatcher.Alert> firing = firing(rules(
                rule("RunawayStrategy", "seasonal_zscore(x[3d:30s], 86400) > 10",
                        alert("firing", "2026-12-06T14:00:40Z", "other", "alertname", "RunawayStrategy", "strategy", "stat-arb"),
                        alert("firing", "2026-12-06T13:50:00Z", "old", "alertname", "RunawayStrategy", "strategy", "momentum"),
                        alert("pending", "2026-12-06T14:00:30Z", "not yet", "alertname", "RunawayStrategy", "strategy", "momentum"),
                        alert("firing", "2026-12-06T14:00:45.5Z", "caught", "alertname", "RunawayStrategy", "strategy", "momentum")),
                "{\"type\":\"recording\",\"name\":\"r\",\"query\":\"up\"}",
                rule("ProductCacheStale", "lag > 300",
                        alert("firing", "2026-12-06T14:00:40Z", "cache", "alertname", "ProductCacheStale", "region", "eu-west")),
                rule("StrategyLosing", "pnl < -1e6",
                        alert("firing", "2026-12-06T14:09:00Z", "after it ended", "alertname", "StrategyLosing", "strategy", "momentum"))));
        assertThat(firing).hasSize(5);
        List<AlertWatcher.Alert> caught = AlertWatcher.matching(runaway, firing);
        assertThat(caught).hasSize(1);
        AlertWatcher.Alert a = caught.get(0);
        assertThat(a.name()).isEqualTo("RunawayStrategy");
        assertThat(a.summary()).isEqualTo("caught");
        assertThat(a.activeAt()).isEqualTo(Instant.parse("2026-12-06T14:00:45.5Z"));
        assertThat(a.synthetic()).isEmpty();
        assertThat(a.title()).isEqualTo("RunawayStrategy");
        // An alert with none of the target labels (the latency golden signal) counts for its incident.
        Incident pool = new Incident(4, IncidentKind.SATURATED_POOL, START, START + 480_000);
        assertThat(AlertWatcher.matching(pool, firing(rules(rule("PaymentLatencyHigh", "histogram_quantile(0.99, x) > 1",
                alert("firing", "2026-12-06T14:01:00Z", "", "alertname", "PaymentLatencyHigh", "service", "payment-service"))))))
                .extracting(AlertWatcher.Alert::name).containsExactly("PaymentLatencyHigh");
        assertThat(AlertWatcher.matching(pool, firing)).isEmpty();
    }

    @Test
    void canaryAndJourneyAlertsAreToldApartByWhatTheirRuleReads() throws Exception {
        Incident stale = new Incident(2, IncidentKind.STALE_CACHE, START, START + 480_000);
        List<AlertWatcher.Alert> firing = firing(rules(
                rule("ProductCacheCanaryStale", "max by (region, reader) (sightline_canary_staleness_seconds{canary=\\\"product-cache\\\"}) > 300",
                        alert("firing", "2026-12-06T14:05:30Z", "stale replica", "alertname", "ProductCacheCanaryStale",
                                "region", "eu-west", "reader", "eu-west-2")),
                rule("JourneyFailing", "sightline_journey_consecutive_failures >= on(journey) sightline_journey_alert_after",
                        alert("firing", "2026-12-06T14:01:00Z", "shop fails", "alertname", "JourneyFailing", "journey", "shop"))));
        assertThat(firing).extracting(AlertWatcher.Alert::title)
                .containsExactly("ProductCacheCanaryStale (freshness canary)", "JourneyFailing (journey)");
        assertThat(AlertWatcher.matching(stale, firing)).extracting(AlertWatcher.Alert::name).containsExactly("ProductCacheCanaryStale");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theConsolePrintsEveryAlertOfAnIncidentAndCanaryAlertsWithTheirLinks(@TempDir Path dir) throws Exception {
        String soon = Instant.ofEpochMilli(System.currentTimeMillis() + 5_000).toString();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (OtlpCapture server = new OtlpCapture(200, new byte[0])) {
            server.json("/api/v1/rules", rules(
                    rule("ProductCacheStale", "max by (region) (product_cache_replica_lag_seconds) > 300",
                            alert("firing", soon, "lag 3h", "alertname", "ProductCacheStale", "region", "eu-west")),
                    rule("ProductCacheCanaryStale", "max by (region, reader) (sightline_canary_staleness_seconds) > 300",
                            alert("firing", soon, "eu-west-2 returns an old value", "alertname", "ProductCacheCanaryStale",
                                    "region", "eu-west", "reader", "eu-west-2")),
                    rule("JourneyFailing", "sightline_journey_consecutive_failures >= 3",
                            alert("firing", "2026-12-06T14:01:00Z", "shop fails", "alertname", "JourneyFailing", "journey", "shop")),
                    rule("SomethingElse", "up == 0",
                            alert("firing", "2026-12-06T14:01:00Z", "not the demo's business", "alertname", "SomethingElse"))));
            Demo.Options d = Demo.Options.defaults(dir);
            Demo.Options options = new Demo.Options(d.seed(), dir, d.webhookHost(), 0, 0, Duration.ZERO, Duration.ZERO,
                    Duration.ofMinutes(5), Duration.ofMinutes(5), d.tick(), d.exportInterval(), List.of(IncidentKind.STALE_CACHE));
            try (Demo demo = Demo.open(options, new PrintStream(buf, true, StandardCharsets.UTF_8), SimClock.SYSTEM)) {
                demo.run(server.uri(), URI.create("http://localhost:9797/"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline && (demo.detections().size() < 2 || !console(buf).contains("JourneyFailing"))) {
                    Thread.sleep(100);
                }
                Thread.sleep(2_500); // another poll: nothing is printed twice
                assertThat(demo.detections()).extracting(Demo.Detection::alert)
                        .containsExactlyInAnyOrder("ProductCacheStale", "ProductCacheCanaryStale");
            }
        }
        String out = console(buf);
        assertThat(out).containsPattern("ALERT     ProductCacheStale caught #1 stale cache \\d+ s after it began: lag 3h\n"
                        + " +see http://localhost:9797/alerts\\?alert=ProductCacheStale\n")
                .containsPattern("ALERT     ProductCacheCanaryStale \\(freshness canary\\) also caught #1 stale cache \\d+ s after it"
                        + " began: eu-west-2 returns an old value\n +see http://localhost:9797/alerts\\?alert=ProductCacheCanaryStale\n")
                .containsPattern("ALERT     JourneyFailing \\(journey\\) firing: shop fails\n"
                        + " +see http://localhost:9797/alerts\\?alert=JourneyFailing\n")
                .doesNotContain("SomethingElse");
        assertThat(out.split("ALERT ", -1)).hasSize(4);
    }

    private static String console(ByteArrayOutputStream buf) {
        return buf.toString(StandardCharsets.UTF_8);
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
            // An incident reaching other services' users is a drill of each of them, its owner first.
            bodies.clear();
            w.recordCaught(new Incident(3, IncidentKind.SATURATED_POOL, START, START + 480_000), START + 75_000);
            assertThat(bodies).containsExactly("POST {\"results\":["
                    + "{\"drill\":\"demo-saturated-pool\",\"service\":\"payment-service\",\"passed\":true,\"finished\":\"2026-12-06T14:01:15Z\"},"
                    + "{\"drill\":\"demo-saturated-pool\",\"service\":\"order-service\",\"passed\":true,\"finished\":\"2026-12-06T14:01:15Z\"}]}");
            status[0] = 400;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.recordCaught(
                    new Incident(1, IncidentKind.RUNAWAY_STRATEGY, START, START + 480_000), START))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("answered 400");
        } finally {
            server.stop(0);
        }
    }
}
