package dev.sightline.server.promapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.scrape.ScrapeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** /api/v1/status/{config,flags,runtimeinfo,tsdb} in a running server, and tsdb before the storage is open. */
class StatusApiTest {
    @RegisterExtension
    final RunningServer server = new RunningServer();
    @RegisterExtension
    final ApiTestServer bare = new ApiTestServer();

    @TempDir
    Path dir;

    private static final String CONFIG = """
            global:
              scrape_interval: 30s
            storage:
              tsdb:
                retention_time: 7d
            scrape_configs:
              - job_name: node
                basic_auth: {username: u, password: hunter2}
                static_configs: [{targets: ['127.0.0.1:1']}]
            """;

    @Test
    void configIsTheRunningConfigurationAsYamlWithSecretsMasked() throws Exception {
        server.start(dir, CONFIG);
        JsonNode r = server.getJson("/api/v1/status/config");
        assertThat(r.get("status").asText()).isEqualTo("success");
        String yaml = r.get("data").get("yaml").asText();
        assertThat(yaml).contains("job_name: node").contains("scrape_interval: 30s").contains("retention_time: 1w")
                .contains("username: u").contains("password: <secret>").doesNotContain("hunter2");

        // A reload shows the new configuration and is told in runtimeinfo; a failed one keeps both.
        JsonNode before = server.getJson("/api/v1/status/runtimeinfo").get("data");
        assertThat(before.get("reloadConfigSuccess").asBoolean()).isTrue();
        Thread.sleep(5);
        Files.writeString(server.configFile(), CONFIG.replace("job_name: node", "job_name: node2"));
        assertThat(server.reload().statusCode()).isEqualTo(200);
        assertThat(server.getJson("/api/v1/status/config").get("data").get("yaml").asText()).contains("job_name: node2");
        JsonNode after = server.getJson("/api/v1/status/runtimeinfo").get("data");
        assertThat(Instant.parse(after.get("lastConfigTime").asText())).isAfter(Instant.parse(before.get("lastConfigTime").asText()));
        Files.writeString(server.configFile(), "global: [");
        assertThat(server.reload().statusCode()).isEqualTo(500);
        JsonNode failed = server.getJson("/api/v1/status/runtimeinfo").get("data");
        assertThat(failed.get("reloadConfigSuccess").asBoolean()).isFalse();
        assertThat(failed.get("lastConfigTime").asText()).isEqualTo(after.get("lastConfigTime").asText());
        assertThat(server.getJson("/api/v1/status/config").get("data").get("yaml").asText()).contains("job_name: node2");
    }

    @Test
    void flagsAndRuntimeInfo() throws Exception {
        server.start(dir, CONFIG);
        JsonNode flags = server.getJson("/api/v1/status/flags").get("data");
        assertThat(flags.get("config").asText()).isEqualTo(server.configFile().toString());
        assertThat(flags.get("data-dir").asText()).isEqualTo(dir.resolve("data").toString());
        assertThat(flags.get("listen-address").asText()).isEqualTo("127.0.0.1");
        assertThat(flags.get("http-port").asText()).isEqualTo("0");
        JsonNode rt = server.getJson("/api/v1/status/runtimeinfo").get("data");
        assertThat(Instant.parse(rt.get("startTime").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(rt.get("storageRetention").asText()).isEqualTo("1w");
        assertThat(rt.get("CWD").asText()).isEqualTo(Path.of("").toAbsolutePath().toString());
        assertThat(rt.get("threadCount").asInt()).isPositive();
        assertThat(rt.get("availableProcessors").asInt()).isPositive();
        assertThat(rt.get("heapUsedBytes").asLong()).isPositive();
        assertThat(rt.get("javaVersion").asText()).isEqualTo(Runtime.version().toString());
    }

    @Test
    void tsdbGivesHeadStatsAndTopCardinalities() throws Exception {
        server.start(dir, null);
        Appender app = server.storage().appender();
        long now = System.currentTimeMillis();
        for (int i = 0; i < 3; i++) {
            app.append(0, Labels.of("__name__", "status_test_requests", "pod", "p" + i), now - 1_000, i);
        }
        app.append(0, Labels.of("__name__", "status_test_up"), now, 1);
        app.commit();

        JsonNode d = server.getJson("/api/v1/status/tsdb").get("data");
        // The server's own self-scrape may add series: the counts are at least ours.
        assertThat(d.get("headStats").get("numSeries").asLong()).isGreaterThanOrEqualTo(4);
        assertThat(d.get("headStats").get("maxTime").asLong()).isGreaterThanOrEqualTo(now);
        assertThat(d.get("seriesCountByMetricName").toString()).contains("{\"name\":\"status_test_requests\",\"value\":3}");
        assertThat(d.get("labelValueCountByLabelName").toString()).contains("{\"name\":\"pod\",\"value\":3}");
        assertThat(d.get("seriesCountByLabelValuePair")).isNotEmpty();
        assertThat(d.get("memoryInBytesByLabelName")).isNotEmpty();
        assertThat(server.getJson("/api/v1/status/tsdb?limit=1").get("data").get("seriesCountByMetricName").size()).isEqualTo(1);
        for (String bad : new String[] {"0", "x", "10001"}) {
            HttpResponse<String> r = server.get("/api/v1/status/tsdb?limit=" + bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            JsonNode e = RunningServer.JSON.readTree(r.body());
            assertThat(e.get("errorType").asText()).isEqualTo("bad_data");
            assertThat(e.get("error").asText()).isEqualTo("limit: \"" + bad + "\" is not a whole number from 1 to 10000");
        }
    }

    @Test
    void tsdbIsUnavailableUntilTheStorageIsOpen() throws Exception {
        new StatusApi(SightlineConfig::defaults, Map.of(), () -> null, () -> new ScrapeService.ReloadStatus(true, 0), 0)
                .register(bare.api);
        bare.listen();
        HttpResponse<String> r = bare.get("/api/v1/status/tsdb");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("TSDB not ready");
        assertThat(RunningServer.JSON.readTree(bare.get("/api/v1/status/config").body()).get("data").get("yaml").asText())
                .contains("retention_time: 15d");
    }
}
