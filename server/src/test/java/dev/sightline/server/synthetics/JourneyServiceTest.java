package dev.sightline.server.synthetics;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Journeys and /probe in a running server: files and inline journeys from sightline.yml, results as samples, a trace
 * and failure log lines, the journeys API, reload refusing a bad journey, and a Prometheus-style scrape of /probe.
 */
class JourneyServiceTest {
    private HttpServer app;
    private final AtomicBoolean broken = new AtomicBoolean();
    @RegisterExtension
    final RunningServer server = new RunningServer();
    @TempDir
    Path dir;

    @BeforeEach
    void startApp() throws IOException {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/catalog", ex -> {
            byte[] b = (broken.get() ? "{\"items\":[]}" : "{\"items\":[\"tea\"]}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        app.start();
    }

    @AfterEach
    void stopApp() {
        app.stop(0);
    }

    private String appUrl() {
        return "http://127.0.0.1:" + app.getAddress().getPort();
    }

    private static <T> T await(Check<T> get, Predicate<T> ok, String what) throws Exception {
        long end = System.currentTimeMillis() + 20_000;
        T v = get.get();
        while (!ok.test(v)) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what + "; last: " + v);
            }
            Thread.sleep(100);
            v = get.get();
        }
        return v;
    }

    interface Check<T> {
        T get() throws Exception;
    }

    private static JsonNode journey(JsonNode api, String name) {
        for (JsonNode j : api.path("data")) {
            if (j.path("name").asText().equals(name)) {
                return j;
            }
        }
        return null;
    }

    private String config(String extra) throws IOException {
        Path journeys = Files.createDirectories(dir.resolve("journeys"));
        Files.writeString(journeys.resolve("catalog.yml"), """
                name: catalog
                interval: 1s
                alert_after: 2
                steps:
                  - name: list
                    request: {url: "%s/catalog"}
                    assert: [{status: 200}, {jsonpath: "$.items", contains: tea}]
                """.formatted(appUrl()));
        return """
                journeys:
                  files: ["journeys/*.yml"]
                  inline:
                    - name: inline-home
                      interval: 1s
                      steps: [{name: get, request: {url: "%s/catalog"}, assert: [{status: 200}]}]
                %s""".formatted(appUrl(), extra);
    }

    @Test
    void journeysRunIntoMetricsTracesLogsAndTheApi() throws Exception {
        server.start(dir, config(""));

        JsonNode api = await(() -> server.getJson("/api/v1/journeys"),
                a -> journey(a, "catalog") != null && journey(a, "catalog").has("lastRun")
                        && journey(a, "inline-home") != null && journey(a, "inline-home").has("lastRun"), "both journeys ran");
        JsonNode run = journey(api, "catalog").path("lastRun");
        assertThat(run.path("status").asText()).isEqualTo("passed");
        assertThat(run.path("steps").get(0).path("phases").has("first_byte")).isTrue();
        assertThat(journey(api, "catalog").path("source").asText()).endsWith("catalog.yml:1:1");

        JsonNode ok = await(() -> server.query("sightline_journey_success{journey=\"catalog\"}"),
                r -> r.size() == 1, "the success sample");
        assertThat(ok.get(0).path("value").get(1).asText()).isEqualTo("1");
        assertThat(server.query("sightline_journey_duration_seconds{journey=\"catalog\",step=\"list\",phase=\"connect\"}")
                ).hasSize(1);

        broken.set(true);
        JsonNode alerting = await(() -> server.query("sightline_journey_consecutive_failures{journey=\"catalog\"} >= on(journey) sightline_journey_alert_after"),
                r -> r.size() == 1, "two failed runs in a row");
        assertThat(alerting.get(0).path("metric").path("journey").asText()).isEqualTo("catalog");
        JsonNode failed = journey(server.getJson("/api/v1/journeys"), "catalog");
        assertThat(failed.path("lastRun").path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("lastRun").path("steps").get(0).path("assertion").asText())
                .isEqualTo("jsonpath $.items contains \"tea\"");
        assertThat(failed.path("lastRun").path("steps").get(0).path("excerpt").asText()).isEqualTo("{\"items\":[]}");

        String query = URLEncoder.encode("{service_name=\"sightline-journeys\", journey=\"catalog\"}", StandardCharsets.UTF_8);
        JsonNode logs = await(() -> server.getJson("/loki/api/v1/query_range?query=" + query + "&limit=5"),
                r -> r.path("data").path("result").size() > 0, "a failure log line");
        String line = logs.path("data").path("result").get(0).path("values").get(0).get(1).asText();
        assertThat(line).contains("step=list status=failed")
                .contains("assertion=\"jsonpath $.items contains \\\"tea\\\"\"")
                .contains("excerpt=\"{\\\"items\\\":[]}\"");
        Matcher trace = Pattern.compile("trace_id=([0-9a-f]{32})").matcher(line);
        assertThat(trace.find()).isTrue();
        JsonNode spans = await(() -> server.getJson("/jaeger/api/traces/" + trace.group(1)),
                r -> r.path("data").path(0).path("spans").size() == 2, "the run's trace");
        assertThat(spans.path("data").path(0).path("spans").findValuesAsText("operationName"))
                .containsExactlyInAnyOrder("journey catalog", "list");
        // Between a run and its trace, lastRun has no trace id yet; lastTraceId always names the newest written one.
        JsonNode latest = journey(server.getJson("/api/v1/journeys"), "catalog");
        assertThat(latest.path("lastTraceId").asText()).matches("[0-9a-f]{32}");
        if (latest.path("lastRun").path("traceId").isTextual()) {
            assertThat(latest.path("lastRun").path("traceId").asText()).isEqualTo(latest.path("lastTraceId").asText());
        }
    }

    @Test
    void aReloadWithABadJourneyIsRefusedAtItsPositionAndTheOldOnesKeepRunning() throws Exception {
        server.start(dir, config(""));
        await(() -> server.getJson("/api/v1/journeys"), a -> journey(a, "catalog") != null, "loaded");
        Files.writeString(dir.resolve("journeys/bad.yml"), """
                name: bad
                steps:
                  - name: a
                    request: {url: "http://x/{{nope}}"}
                """);
        HttpResponse<String> r = server.reload();
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("bad.yml:4:20: url: unknown reference {{nope}}");
        JsonNode api = server.getJson("/api/v1/journeys");
        assertThat(api.path("data")).hasSize(2);
        assertThat(journey(api, "catalog")).isNotNull();

        Files.writeString(dir.resolve("journeys/bad.yml"), "name: fixed\nsteps: [{name: a, request: {url: \"" + appUrl() + "/catalog\"}}]\n");
        assertThat(server.reload().statusCode()).isEqualTo(200);
        assertThat(server.getJson("/api/v1/journeys").path("data")).hasSize(3);
    }

    @Test
    void aBadInlineJourneyIsReportedInSightlineYml() throws Exception {
        server.start(dir, config(""));
        Files.writeString(server.configFile(), """
                journeys:
                  inline:
                    - name: x
                      steps: [{name: a, request: {url: "http://h/"}, assert: [{status: 200, gt: 1}]}]
                """);
        HttpResponse<String> r = server.reload();
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("sightline.yml:4:63: status: takes no comparison key");
    }

    @Test
    void probeAnswersAsBlackboxExporterAndAScrapeWithRelabellingStoresIt() throws Exception {
        Files.writeString(dir.resolve("blackbox.yml"), """
                modules:
                  http_2xx: {prober: http, http: {fail_if_body_not_matches_regexp: [tea]}}
                  tcp_connect: {prober: tcp, timeout: 2s}
                """);
        server.start(dir, config("  blackbox_config_file: blackbox.yml\n"));
        String target = app.getAddress().getHostString() + ":" + app.getAddress().getPort();

        HttpResponse<String> probe = server.get("/probe?module=http_2xx&target=" + appUrl() + "/catalog");
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(probe.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(probe.body()).contains("probe_success 1\n").contains("probe_http_status_code 200\n");
        assertThat(server.get("/probe?module=tcp_connect&target=" + target).body()).contains("probe_success 1\n");
        assertThat(server.get("/probe?module=nope&target=x").statusCode()).isEqualTo(400);
        assertThat(server.get("/probe?module=nope&target=x").body()).isEqualTo("Unknown module \"nope\"\n");
        assertThat(server.get("/probe?module=http_2xx").body()).isEqualTo("Target parameter is missing\n");

        // The usual Prometheus scrape of a blackbox exporter, pointed at Sightline itself.
        Files.writeString(server.configFile(), config("""
                  blackbox_config_file: blackbox.yml
                scrape_configs:
                  - job_name: blackbox
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    metrics_path: /probe
                    params: {module: [http_2xx]}
                    static_configs: [{targets: ["%s/catalog"]}]
                    relabel_configs:
                      - {source_labels: [__address__], target_label: __param_target}
                      - {source_labels: [__param_target], target_label: instance}
                      - {target_label: __address__, replacement: "127.0.0.1:%d"}
                """.formatted(appUrl(), server.httpPort())));
        assertThat(server.reload().statusCode()).isEqualTo(200);
        JsonNode success = await(() -> server.query("probe_success{job=\"blackbox\"}"),
                r -> r.size() == 1, "a scraped probe");
        assertThat(success.get(0).path("metric").path("instance").asText())
                .isEqualTo(appUrl() + "/catalog");
        assertThat(success.get(0).path("value").get(1).asText()).isEqualTo("1");
        broken.set(true);
        await(() -> server.query("probe_failed_due_to_regex{job=\"blackbox\"} == 1"),
                r -> r.size() == 1, "the regex failure scraped");
    }
}
