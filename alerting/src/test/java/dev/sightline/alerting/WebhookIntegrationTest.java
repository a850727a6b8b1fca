package dev.sightline.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.alerting.config.WebhookConfig;
import dev.sightline.core.Labels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook against a local HTTP receiver: the version 4 payload field by field, and retries. */
class WebhookIntegrationTest {
    private static final WebhookIntegration.Backoff FAST = new WebhookIntegration.Backoff(4, Duration.ofMillis(5), 2, Duration.ofMillis(50));
    private HttpServer server;
    /** Status codes to answer, in order; 200 once they run out. */
    private final Queue<Integer> answers = new ConcurrentLinkedQueue<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> auth = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            auth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            Integer code = answers.poll();
            ex.sendResponseHeaders(code == null ? 200 : code, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private WebhookIntegration webhook(WebhookConfig c) {
        return new WebhookIntegration(c, HttpClient.newHttpClient(), FAST, "Sightline/test");
    }

    private static final long NOW = 1_700_000_100_000L;

    private static Notification notification() {
        Alert firing = new Alert(Labels.of("alertname", "OrderRateSpike", "desk", "fx", "instance", "a"),
                Labels.of("summary", "spike", "runbook", "r1"), 1_700_000_000_123L, NOW + 240_000, "http://sl/graph?g0.expr=x", NOW);
        Alert resolved = new Alert(Labels.of("alertname", "OrderRateSpike", "desk", "fx", "instance", "b"),
                Labels.of("summary", "spike", "runbook", "r2"), 1_700_000_000_000L, NOW - 1_000, "", NOW);
        return new Notification("halt", "{}/{action=\"halt\"}:{alertname=\"OrderRateSpike\"}",
                Labels.of("alertname", "OrderRateSpike"), List.of(firing, resolved), NOW, "http://sightline:9797");
    }

    @Test
    void postsTheVersion4PayloadFieldByField() throws Exception {
        webhook(new WebhookConfig(url(), true, null, new WebhookConfig.HttpConfig(null, "s3cret", null))).send(notification());
        assertThat(bodies).hasSize(1);
        assertThat(auth).containsExactly("Bearer s3cret");
        JsonNode p = AlertmanagerJson.MAPPER.readTree(bodies.get(0));
        assertThat(p.fieldNames()).toIterable().containsExactlyInAnyOrder("version", "groupKey", "truncatedAlerts", "status",
                "receiver", "groupLabels", "commonLabels", "commonAnnotations", "externalURL", "alerts");
        assertThat(p.get("version").asText()).isEqualTo("4");
        assertThat(p.get("groupKey").asText()).isEqualTo("{}/{action=\"halt\"}:{alertname=\"OrderRateSpike\"}");
        assertThat(p.get("truncatedAlerts").isInt()).isTrue();
        assertThat(p.get("truncatedAlerts").asInt()).isZero();
        assertThat(p.get("status").asText()).isEqualTo("firing");
        assertThat(p.get("receiver").asText()).isEqualTo("halt");
        assertThat(p.get("groupLabels").toString()).isEqualTo("{\"alertname\":\"OrderRateSpike\"}");
        assertThat(p.get("commonLabels").toString()).isEqualTo("{\"alertname\":\"OrderRateSpike\",\"desk\":\"fx\"}");
        assertThat(p.get("commonAnnotations").toString()).isEqualTo("{\"summary\":\"spike\"}");
        assertThat(p.get("externalURL").asText()).isEqualTo("http://sightline:9797");
        JsonNode a = p.get("alerts");
        assertThat(a.size()).isEqualTo(2);
        JsonNode f = a.get(0);
        assertThat(f.fieldNames()).toIterable().containsExactlyInAnyOrder("status", "labels", "annotations", "startsAt",
                "endsAt", "generatorURL", "fingerprint");
        assertThat(f.get("status").asText()).isEqualTo("firing");
        assertThat(f.get("labels").toString()).isEqualTo("{\"alertname\":\"OrderRateSpike\",\"desk\":\"fx\",\"instance\":\"a\"}");
        assertThat(f.get("annotations").toString()).isEqualTo("{\"runbook\":\"r1\",\"summary\":\"spike\"}");
        assertThat(f.get("startsAt").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
        // A firing alert's endsAt is Go's zero time, as Alertmanager sends it.
        assertThat(f.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(f.get("generatorURL").asText()).isEqualTo("http://sl/graph?g0.expr=x");
        assertThat(f.get("fingerprint").asText()).matches("[0-9a-f]{16}")
                .isEqualTo(String.format("%016x", Alert.fingerprint(Labels.of("alertname", "OrderRateSpike", "desk", "fx", "instance", "a"))));
        JsonNode r = a.get(1);
        assertThat(r.get("status").asText()).isEqualTo("resolved");
        assertThat(r.get("startsAt").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(r.get("endsAt").asText()).isEqualTo("2023-11-14T22:14:59Z");
        assertThat(r.get("generatorURL").asText()).isEmpty();
    }

    @Test
    void maxAlertsTruncatesAndCounts() throws Exception {
        webhook(new WebhookConfig(url(), true, 1, new WebhookConfig.HttpConfig(new WebhookConfig.BasicAuth("u", "p"), null, null)))
                .send(notification());
        JsonNode p = AlertmanagerJson.MAPPER.readTree(bodies.get(0));
        assertThat(p.get("alerts").size()).isEqualTo(1);
        assertThat(p.get("truncatedAlerts").asInt()).isEqualTo(1);
        assertThat(auth).containsExactly("Basic dTpw");
    }

    @Test
    void retriesServerErrorsWithBackoffThenSucceeds() throws Exception {
        answers.addAll(List.of(500, 503));
        long start = System.nanoTime();
        webhook(new WebhookConfig(url())).send(notification());
        assertThat(bodies).hasSize(3);
        // Waited at least 5 ms then 10 ms between the attempts.
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(15);
    }

    @Test
    void givesUpAfterTheBoundedAttempts() {
        answers.addAll(List.of(500, 500, 500, 500, 500));
        assertThatThrownBy(() -> webhook(new WebhookConfig(url())).send(notification()))
                .isInstanceOf(WebhookIntegration.DeliveryException.class)
                .hasMessageContaining("answered 500")
                .satisfies(e -> assertThat(((WebhookIntegration.DeliveryException) e).reason()).isEqualTo("server_error"));
        assertThat(bodies).hasSize(4);
    }

    @Test
    void doesNotRetryClientErrors() {
        answers.add(400);
        assertThatThrownBy(() -> webhook(new WebhookConfig(url())).send(notification()))
                .satisfies(e -> assertThat(((WebhookIntegration.DeliveryException) e).reason()).isEqualTo("client_error"));
        assertThat(bodies).hasSize(1);
    }

    @Test
    void retriesConnectionErrors() {
        server.stop(0);
        assertThatThrownBy(() -> webhook(new WebhookConfig(url())).send(notification()))
                .satisfies(e -> assertThat(((WebhookIntegration.DeliveryException) e).reason()).isEqualTo("connection"));
    }
}
