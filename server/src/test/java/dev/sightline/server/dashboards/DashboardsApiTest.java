package dev.sightline.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboards API on a running server whose sightline.yml names a dashboards directory (relative to it). */
class DashboardsApiTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @Test
    void listsServesAndConverts() throws Exception {
        Path dashboards = Files.createDirectories(dir.resolve("dash"));
        Files.writeString(dashboards.resolve("orders.yml"), DashboardReaderTest.ORDERS);
        Files.writeString(dashboards.resolve("bad.yml"), "uid: bad\nrows: 3\n");
        server.start(dir, "dashboards:\n  directory: dash\n");

        JsonNode list = server.getJson("/api/v1/dashboards").path("data");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).toString()).isEqualTo("{\"uid\":\"bad\",\"title\":null,\"tags\":[],\"file\":\"bad.yml\","
                + "\"error\":\"bad.yml:2:1: rows: expected a list\",\"notes\":[]}");
        assertThat(list.get(1).path("uid").asText()).isEqualTo("orders");
        assertThat(list.get(1).path("title").asText()).isEqualTo("Order flow");
        assertThat(list.get(1).path("error").isNull()).isTrue();

        JsonNode model = server.getJson("/api/v1/dashboards/orders").path("data");
        assertThat(model.path("rows").get(0).path("panels").get(0).path("span").asInt()).isEqualTo(8);
        // The full shape: optional keys present as null.
        assertThat(model.path("variables").get(0).has("values")).isTrue();
        assertThat(model.path("rows").get(0).path("panels").get(0).path("time_shift").isNull()).isTrue();

        HttpResponse<String> yaml = server.get("/api/v1/dashboards/orders/yaml");
        assertThat(yaml.statusCode()).isEqualTo(200);
        assertThat(yaml.headers().firstValue("Content-Type")).hasValue("application/yaml; charset=utf-8");
        assertThat(DashboardReader.yaml("x.yml", yaml.body().getBytes(StandardCharsets.UTF_8), null).tree(true))
                .isEqualTo(DashboardReaderTest.read(DashboardReaderTest.ORDERS).tree(true));

        HttpResponse<String> missing = server.get("/api/v1/dashboards/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"not_found\",\"error\":\"no dashboard with uid \\\"nope\\\"\"}");
        HttpResponse<String> bad = server.get("/api/v1/dashboards/bad");
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(RunningServer.JSON.readTree(bad.body()).path("error").asText()).isEqualTo("bad.yml:2:1: rows: expected a list");

        // The panel editor: the model's JSON in (as the API gave it, edited), its YAML out.
        ((com.fasterxml.jackson.databind.node.ObjectNode) model).put("title", "Edited");
        HttpResponse<String> toYaml = server.post("/api/v1/dashboards/yaml", "application/json", model.toString());
        assertThat(toYaml.statusCode()).as(toYaml.body()).isEqualTo(200);
        String text = RunningServer.JSON.readTree(toYaml.body()).path("data").path("yaml").asText();
        assertThat(text).startsWith("uid: orders\ntitle: Edited\n");
        HttpResponse<String> invalid = server.post("/api/v1/dashboards/yaml", "application/json", "{\"uid\": \"x\",\n \"rows\": [{\"panels\": [{\"type\": 7}]}]}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(RunningServer.JSON.readTree(invalid.body()).path("error").asText())
                .isEqualTo("request:2:24: rows[0].panels[0].type: \"7\" is not a panel type (lower-case letters, digits, '_' or '-')");

        // Import: Grafana JSON in, model, YAML and notes out; nothing written.
        HttpResponse<String> imported = server.post("/api/v1/dashboards/import", "application/json", GrafanaImportTest.GRID);
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        JsonNode data = RunningServer.JSON.readTree(imported.body()).path("data");
        assertThat(data.path("dashboard").path("uid").asText()).isEqualTo("svc-overview");
        assertThat(data.path("yaml").asText()).contains("uid: svc-overview");
        assertThat(data.path("notes").get(0).toString()).isEqualTo("{\"what\":\"variable $ds\",\"reason\":\"a datasource variable; dropped (Sightline is the one data source)\"}");
        try (var files = Files.list(dashboards)) {
            assertThat(files.count()).isEqualTo(2);
        }
        HttpResponse<String> notGrafana = server.post("/api/v1/dashboards/import", "application/json", "{oops");
        assertThat(notGrafana.statusCode()).isEqualTo(400);
        assertThat(RunningServer.JSON.readTree(notGrafana.body()).path("error").asText()).startsWith("request:1:").contains("invalid JSON");
    }

    @Test
    void aReloadNamingAnotherDirectoryWatchesThatOne() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("a/one.yml"), "title: One\n");
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("b/two.yml"), "title: Two\n");
        server.start(dir, "dashboards:\n  directory: a\n");
        assertThat(server.getJson("/api/v1/dashboards").path("data").get(0).path("uid").asText()).isEqualTo("one");

        Files.writeString(dir.resolve("sightline.yml"), "dashboards:\n  directory: b\n");
        assertThat(server.reload().statusCode()).isEqualTo(200);
        assertThat(server.getJson("/api/v1/dashboards").path("data").get(0).path("uid").asText()).isEqualTo("two");
    }

    @Test
    void withoutTheSectionTheListIsEmpty() throws Exception {
        server.start(dir, null);
        assertThat(server.getJson("/api/v1/dashboards").path("data")).isEmpty();
    }
}
