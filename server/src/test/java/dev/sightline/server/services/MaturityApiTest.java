package dev.sightline.server.services;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /api/v1/maturity against a running server holding {@link MaturityData}: a service at every level; and
 * /api/v1/drills/results, which records the drills the assessment reads.
 */
class MaturityApiTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dir, MaturityData.config(dir));
        MaturityData.write(server, System.currentTimeMillis());
    }

    @AfterEach
    void forgetDrills() throws Exception {
        Files.deleteIfExists(dir.resolve("data").resolve(Drills.FILE));
    }

    static Map<String, JsonNode> services() throws Exception {
        JsonNode body = server.getJson("/api/v1/maturity");
        assertThat(body.path("status").asText()).isEqualTo("success");
        assertThat(body.path("data").path("levels").toString())
                .isEqualTo("[\"blind\",\"reactive\",\"proactive\",\"insightful\",\"predictive\"]");
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        body.path("data").path("services").forEach(s -> byName.put(s.path("name").asText(), s));
        return byName;
    }

    private static Map<String, Integer> levels(Map<String, JsonNode> s) {
        Map<String, Integer> out = new LinkedHashMap<>();
        s.forEach((k, v) -> out.put(k, v.path("level").asInt()));
        return out;
    }

    private static JsonNode criterion(JsonNode service, String id) {
        for (JsonNode c : service.path("criteria")) {
            if (c.path("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no criterion " + id + " in " + service);
    }

    private static List<String> missing(JsonNode service) {
        List<String> out = new ArrayList<>();
        service.path("next").path("missing").forEach(c -> out.add(c.path("id").asText()));
        return out;
    }

    @Test
    void everyServiceAtItsLevelWithWhatTheNextOneLacks() throws Exception {
        Map<String, JsonNode> s = services();
        assertThat(levels(s)).containsExactly(Map.entry("archive", 3), Map.entry("batch", 3), Map.entry("checkout", 4),
                Map.entry("frontend", 1), Map.entry("node", 2), Map.entry("payments", 4), Map.entry("web", 2));

        // Known from its logs only: blind, metrics missing.
        assertThat(s.get("frontend").path("level_name").asText()).isEqualTo("blind");
        assertThat(missing(s.get("frontend"))).containsExactly("metrics");

        // A bare node_exporter scrape: reactive; no golden signals, no rule on them.
        JsonNode node = s.get("node");
        assertThat(node.path("level_name").asText()).isEqualTo("reactive");
        assertThat(criterion(node, "metrics").path("found").toString()).isEqualTo("[\"node_cpu_seconds_total\",\"up\"]");
        assertThat(missing(node)).containsExactly("golden_signals", "golden_alerts");
        // The one journey names node: it counts for node and for no other service.
        assertThat(criterion(node, "synthetics").path("found").toString()).isEqualTo("[\"journey node-status\"]");

        // HTTP golden signals, but only a recording rule and another job's alert select them.
        JsonNode web = s.get("web");
        assertThat(criterion(web, "golden_signals").path("met").asBoolean()).isTrue();
        assertThat(criterion(web, "golden_signals").path("evidence").asText()).contains("http");
        assertThat(missing(web)).containsExactly("golden_alerts");

        // The latency rule reads classic buckets, which only batch writes; the error rule reads the calls counter,
        // which the others write. Batch's spans stay inside batch and its log line has no trace id.
        JsonNode batch = s.get("batch");
        assertThat(criterion(batch, "golden_alerts").path("found").toString()).isEqualTo("[\"SpanLatencyHigh\"]");
        assertThat(criterion(s.get("archive"), "golden_alerts").path("found").toString()).isEqualTo("[\"SpanErrors\"]");
        assertThat(missing(batch)).containsExactly("cross_service_traces", "trace_linked_logs");
        assertThat(criterion(batch, "trace_linked_logs").path("evidence").asText()).isEqualTo("0 of 1 log line(s) read carry trace_id");

        // Spans under checkout's and a line with a trace id: insightful; the orders rule there is no anomaly rule.
        JsonNode payments = s.get("payments");
        assertThat(criterion(payments, "cross_service_traces").path("found").toString()).isEqualTo("[\"span context with checkout\"]");
        assertThat(criterion(payments, "trace_linked_logs").path("evidence").asText()).isEqualTo("1 of 2 log line(s) read carry trace_id");
        assertThat(missing(payments)).containsExactly("anomaly_rules", "synthetics", "drills");
        assertThat(criterion(payments, "synthetics").path("evidence").asText())
                .isEqualTo("no canary reads its metrics and no journey names it or the whole product");

        // Checkout has everything of 5 but a drill: none recorded.
        JsonNode checkout = s.get("checkout");
        assertThat(criterion(checkout, "anomaly_rules").path("found").toString()).isEqualTo("[\"CheckoutOrdersAnomalous\"]");
        assertThat(criterion(checkout, "synthetics").path("found").toString()).isEqualTo("[\"canary checkout-db (reader replica)\"]");
        assertThat(missing(checkout)).containsExactly("drills");
        assertThat(criterion(checkout, "drills").path("evidence").asText()).isEqualTo("none recorded");
    }

    @Test
    void aPassedDrillInTheLast30DaysCompletesLevel5() throws Exception {
        Path data = dir.resolve("data");
        MaturityData.recordDrill(data, Instant.now().minus(31, ChronoUnit.DAYS).toString(), "checkout");
        JsonNode stale = services().get("checkout");
        assertThat(stale.path("level").asInt()).isEqualTo(4);
        assertThat(criterion(stale, "drills").path("evidence").asText()).isEqualTo("0 of 1 recorded drill(s) passed in the last 30 days");

        MaturityData.recordDrill(data, Instant.now().minus(2, ChronoUnit.DAYS).toString(), "checkout", "payments");
        Map<String, JsonNode> s = services();
        assertThat(s.get("checkout").path("level").asInt()).isEqualTo(5);
        assertThat(s.get("checkout").path("level_name").asText()).isEqualTo("predictive");
        assertThat(s.get("checkout").path("next").isNull()).isTrue();
        // A drill alone does not lift payments: its anomaly rule and canary are still missing.
        assertThat(s.get("payments").path("level").asInt()).isEqualTo(4);
        assertThat(missing(s.get("payments"))).containsExactly("anomaly_rules", "synthetics");
    }

    @Test
    void aBrokenDrillRecordIsNamedInTheEvidence() throws Exception {
        Path file = dir.resolve("data").resolve(Drills.FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"results\": [{\"drill\": \"d\", \"service\": \"checkout\", \"passed\": true, \"finished\": \"yesterday\"}]}");
        JsonNode checkout = services().get("checkout");
        assertThat(checkout.path("level").asInt()).isEqualTo(4);
        assertThat(criterion(checkout, "drills").path("evidence").asText())
                .isEqualTo("drills/results.json: results[0].finished must be an RFC 3339 time, got \"yesterday\"");
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return server.post("/api/v1/drills/results", "application/json", body);
    }

    @Test
    void postedResultsAreMergedIntoTheRecordAndListed() throws Exception {
        assertThat(server.getJson("/api/v1/drills/results").toString())
                .isEqualTo("{\"status\":\"success\",\"data\":{\"results\":[]}}");
        HttpResponse<String> first = post("{\"results\": [{\"drill\": \"stale-cache\", \"service\": \"product-cache\","
                + " \"passed\": true, \"finished\": \"2026-12-06T10:00:00Z\"}]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        HttpResponse<String> second = post("{\"results\": [{\"drill\": \"runaway\", \"service\": \"trading-engine\","
                + " \"passed\": false, \"finished\": \"2026-12-06T11:00:00Z\"}]}");
        JsonNode body = RunningServer.JSON.readTree(second.body());
        assertThat(body.path("data").path("results")).hasSize(2);
        JsonNode listed = server.getJson("/api/v1/drills/results").path("data").path("results");
        assertThat(listed.toString()).isEqualTo("[{\"drill\":\"stale-cache\",\"service\":\"product-cache\",\"passed\":true,"
                + "\"finished\":\"2026-12-06T10:00:00Z\"},{\"drill\":\"runaway\",\"service\":\"trading-engine\","
                + "\"passed\":false,\"finished\":\"2026-12-06T11:00:00Z\"}]");
        assertThat(Drills.read(dir.resolve("data")).results()).hasSize(2);
        // Posted, then read by the assessment: checkout, lacking only a drill, is predictive.
        assertThat(post("{\"results\": [{\"drill\": \"d\", \"service\": \"checkout\", \"passed\": true, \"finished\": \""
                + Instant.now().minus(1, ChronoUnit.HOURS) + "\"}]}").statusCode()).isEqualTo(200);
        assertThat(services().get("checkout").path("level").asInt()).isEqualTo(5);
    }

    @Test
    void aBadBodyIsRefusedNamingTheField() throws Exception {
        HttpResponse<String> r = post("{\"results\": [{\"drill\": \"a\", \"service\": \"x\", \"passed\": true, \"finished\": \"soon\"}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode body = RunningServer.JSON.readTree(r.body());
        assertThat(body.path("status").asText()).isEqualTo("error");
        assertThat(body.path("errorType").asText()).isEqualTo("bad_data");
        assertThat(body.path("error").asText()).isEqualTo("body: results[0].finished must be an RFC 3339 time, got \"soon\"");
        assertThat(post("not json").statusCode()).isEqualTo(400);
        assertThat(Files.exists(dir.resolve("data").resolve(Drills.FILE))).isFalse();
    }

    @Test
    void aRecordOnDiskThatDoesNotReadIsNamedAndKept() throws Exception {
        Path file = dir.resolve("data").resolve(Drills.FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "[]");
        HttpResponse<String> r = post("{\"results\": []}");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(RunningServer.JSON.readTree(r.body()).path("error").asText())
                .isEqualTo("the record was left as it is: drills/results.json: \"results\" must be an array");
        assertThat(Files.readString(file)).isEqualTo("[]");
        assertThat(server.get("/api/v1/drills/results").statusCode()).isEqualTo(500);
    }
}
