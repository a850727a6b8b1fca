package dev.sightline.server.services;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** /api/v1/services and the generated dashboards against a running server holding {@link ServiceData}. */
class ServicesApiTest {
    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, null);
        ServiceData.write(server.storage().appender(), System.currentTimeMillis());
    }

    private static Map<String, JsonNode> services() throws Exception {
        JsonNode body = server.getJson("/api/v1/services");
        assertThat(body.path("status").asText()).isEqualTo("success");
        Map<String, JsonNode> byName = new HashMap<>();
        List<String> order = new ArrayList<>();
        body.path("data").forEach(s -> {
            byName.put(s.path("name").asText(), s);
            order.add(s.path("name").asText());
        });
        assertThat(order).isSorted();
        return byName;
    }

    @Test
    void everyServiceWithItsSignalsAndHealth() throws Exception {
        Map<String, JsonNode> s = services();
        assertThat(s).containsOnlyKeys("archive", "batch", "checkout", "payments", "web");

        // Seen in the last hour, no request in the last 5 minutes: listed, rate 0, no p99, ok.
        JsonNode archive = s.get("archive");
        assertThat(archive.path("rate").asDouble()).isZero();
        assertThat(archive.path("p99_seconds").isNull()).isTrue();
        assertThat(archive.path("health").asText()).isEqualTo("ok");

        // Requests are the SERVER spans: 201 per 15 s; the CLIENT spans (400 per 15 s) are not counted.
        JsonNode checkout = s.get("checkout");
        assertThat(checkout.path("source").asText()).isEqualTo("spanmetrics");
        assertThat(checkout.path("rate").asDouble()).isCloseTo(201 / 15.0, within(0.01));
        assertThat(checkout.path("error_ratio").asDouble()).isZero();
        // The 0.5% of 10x outliers do not move p99: it stays in the fast bucket (0.03125, 0.0625].
        assertThat(checkout.path("p99_seconds").asDouble()).isBetween(0.03125, 0.0625);
        assertThat(checkout.path("health").asText()).isEqualTo("ok");

        assertThat(s.get("payments").path("error_ratio").asDouble()).isCloseTo(0.1, within(1e-9));
        assertThat(s.get("payments").path("health").asText()).isEqualTo("bad");

        // No entry spans: measured on all spans; p99 in (1, 2.5] from the classic buckets is a warning.
        JsonNode batch = s.get("batch");
        assertThat(batch.path("rate").asDouble()).isCloseTo(5 / 15.0, within(1e-6));
        assertThat(batch.path("p99_seconds").asDouble()).isBetween(1.0, 2.5);
        assertThat(batch.path("health").asText()).isEqualTo("warn");

        JsonNode web = s.get("web");
        assertThat(web.path("source").asText()).isEqualTo("http");
        assertThat(web.path("rate").asDouble()).isCloseTo(100 / 15.0, within(1e-6));
        assertThat(web.path("error_ratio").asDouble()).isCloseTo(0.02, within(1e-9));
        assertThat(web.path("p99_seconds").asDouble()).isBetween(0.05, 0.1);
        assertThat(web.path("health").asText()).isEqualTo("warn");
    }

    @Test
    void theHealthThresholds() {
        assertThat(GoldenSignals.health(0, Double.NaN)).isEqualTo(GoldenSignals.Health.ok);
        assertThat(GoldenSignals.health(0.0099, 0.99)).isEqualTo(GoldenSignals.Health.ok);
        assertThat(GoldenSignals.health(0.01, 0)).isEqualTo(GoldenSignals.Health.warn);
        assertThat(GoldenSignals.health(0, 1)).isEqualTo(GoldenSignals.Health.warn);
        assertThat(GoldenSignals.health(0.05, 0)).isEqualTo(GoldenSignals.Health.bad);
        assertThat(GoldenSignals.health(0, 5)).isEqualTo(GoldenSignals.Health.bad);
    }

    @Test
    void theGeneratedDashboardDrawsFromWhatExists() throws Exception {
        JsonNode body = server.getJson("/api/v1/services/checkout/dashboard");
        assertThat(body.path("status").asText()).isEqualTo("success");
        JsonNode d = body.path("data");
        assertThat(DashboardShape.check(d)).isEmpty();
        assertThat(d.path("uid").asText()).isEqualTo("service-checkout");
        assertThat(d.path("time").path("range").asText()).isEqualTo("1h");
        List<String> rows = new ArrayList<>();
        d.path("rows").forEach(r -> rows.add(r.path("title").asText()));
        // checkout exports no process or pool metrics: no saturation row.
        assertThat(rows).containsExactly("Now", "Traffic and errors", "Duration");

        Map<String, JsonNode> panels = panels(d);
        assertThat(panels.get("Duration distribution (every bucket)").path("type").asText()).isEqualTo("heatmap");
        // Every expression runs and answers for this service; the heatmap's is native histograms with both buckets.
        for (JsonNode p : panels.values()) {
            for (JsonNode t : p.path("targets")) {
                assertThat(server.query(t.path("expr").asText())).as(t.path("expr").asText()).isNotEmpty();
            }
        }
        JsonNode heat = server.query(panels.get("Duration distribution (every bucket)").path("targets").get(0).path("expr").asText());
        JsonNode buckets = heat.get(0).path("histogram").get(1).path("buckets");
        assertThat(buckets).hasSize(2);
        assertThat(buckets.get(1).get(2).asText()).isEqualTo("0.5");
        // The stat's error ratio is 0, not missing, when nothing fails.
        assertThat(server.query(panels.get("Error ratio").path("targets").get(0).path("expr").asText())
                .get(0).path("value").get(1).asText()).isEqualTo("0");
    }

    @Test
    void saturationPanelsForTheMetricsAServiceExports() throws Exception {
        JsonNode d = server.getJson("/api/v1/services/web/dashboard").path("data");
        assertThat(DashboardShape.check(d)).isEmpty();
        JsonNode last = d.path("rows").get(d.path("rows").size() - 1);
        assertThat(last.path("title").asText()).isEqualTo("Saturation");
        assertThat(last.path("panels")).hasSize(1);
        String expr = last.path("panels").get(0).path("targets").get(0).path("expr").asText();
        assertThat(expr).contains("process_cpu_seconds_total");
        JsonNode cpu = server.query(expr);
        assertThat(cpu).hasSize(1);
        assertThat(cpu.get(0).path("value").get(1).asDouble()).isCloseTo(0.2, within(1e-9));
        // HTTP panels name the route, not the span.
        assertThat(panels(d)).containsKey("Requests/s by http_route");
    }

    @Test
    void anUnknownServiceIsA404NamingIt() throws Exception {
        HttpResponse<String> r = server.get("/api/v1/services/" + URLEncoder.encode("no such\"svc", StandardCharsets.UTF_8).replace("+", "%20") + "/dashboard");
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode body = RunningServer.JSON.readTree(r.body());
        assertThat(body.path("errorType").asText()).isEqualTo("not_found");
        assertThat(body.path("error").asText()).isEqualTo("no service \"no such\\\"svc\" in span metrics or HTTP server metrics");
    }

    @Test
    void quotingKeepsAnyNameLiteral() {
        assertThat(PromQl.string("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(PromQl.literalRegex("a.b+c(d)|e")).isEqualTo("a\\.b\\+c\\(d\\)\\|e");
    }

    private static Map<String, JsonNode> panels(JsonNode dashboard) {
        Map<String, JsonNode> panels = new HashMap<>();
        dashboard.path("rows").forEach(r -> r.path("panels").forEach(p -> panels.put(p.path("title").asText(), p)));
        return panels;
    }
}
