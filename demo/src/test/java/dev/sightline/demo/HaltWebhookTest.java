package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class HaltWebhookTest {
    @Test
    void firingAlertsOfAnAlertmanagerPayloadReachTheHandlerAndBadBodiesAreRefused() throws Exception {
        List<JsonNode> seen = new CopyOnWriteArrayList<>();
        try (HaltWebhook hook = new HaltWebhook("127.0.0.1", 0, seen::add)) {
            URI uri = URI.create("http://127.0.0.1:" + hook.port() + HaltWebhook.PATH);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("""
                    {"version":"4","status":"firing","alerts":[
                      {"status":"firing","labels":{"alertname":"RunawayStrategy","strategy":"momentum"}},
                      {"status":"resolved","labels":{"alertname":"RunawayStrategy","strategy":"stat-arb"}}]}""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(seen).singleElement().satisfies(a -> assertThat(a.path("labels").path("strategy").asText()).isEqualTo("momentum"));

            HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofString("{nope")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(notJson.statusCode()).isEqualTo(400);
            assertThat(notJson.body()).startsWith("body is not JSON");
            HttpResponse<String> noAlerts = http.send(HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"alerts\":3}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noAlerts.statusCode()).isEqualTo(400);
            assertThat(noAlerts.body()).contains("no \"alerts\" array");
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(seen).hasSize(1);
        }
    }
}
