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

import static org.assertj.core.api.Assertions.assertThat;

/** /api/v1/drills/results: what a drill run or the demo posts lands in the record maturity reads. */
class DrillsApiTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dir, null);
    }

    @AfterEach
    void forgetDrills() throws Exception {
        Files.deleteIfExists(dir.resolve("data").resolve(Drills.FILE));
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
