package dev.sightline.server.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.alerting.Alert;
import dev.sightline.core.Labels;
import dev.sightline.ingest.scrape.StaticConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Sending to external Alertmanagers as Prometheus does: JSON batches of at most 256 to /api/v2/alerts, a bounded queue. */
class ExternalAlertmanagersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer am;
    private final List<JsonNode> batches = new CopyOnWriteArrayList<>();
    /** Each batch's X-Scope-OrgID, "-" without one. */
    private final List<String> tenants = new CopyOnWriteArrayList<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();

    @BeforeEach
    void listen() throws IOException {
        am = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        am.createContext("/prefix/api/v2/alerts", ex -> {
            String tenant = ex.getRequestHeaders().getFirst("X-Scope-OrgID");
            tenants.add(tenant == null ? "-" : tenant);
            batches.add(JSON.readTree(ex.getRequestBody()));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        am.start();
    }

    @AfterEach
    void stop() {
        am.stop(0);
    }

    private ExternalAlertmanagers sender() {
        AlertingConfig config = new AlertingConfig(List.of(new AlertingConfig.Endpoint(
                List.of(new StaticConfig(List.of("127.0.0.1:" + am.getAddress().getPort()), null)), null, "prefix/", null, null)));
        return new ExternalAlertmanagers(config, new ExternalAlertmanagers.Listener() {
            @Override
            public void sent(String alertmanager, int alerts, boolean ok) {
                if (ok) {
                    sent.addAndGet(alerts);
                }
            }

            @Override
            public void dropped(int alerts) {
                dropped.addAndGet(alerts);
            }
        }, "Sightline/test");
    }

    private static List<Alert> alerts(int n) {
        List<Alert> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Alert(Labels.of("alertname", "A", "i", Integer.toString(i)), Labels.of("summary", "s"),
                    1_700_000_000_000L, 1_700_000_240_000L, "", 0));
        }
        return out;
    }

    @Test
    void postsBatchesOfAtMost256() throws Exception {
        try (ExternalAlertmanagers s = sender()) {
            s.start();
            s.send(alerts(300));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (sent.get() < 300 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(sent.get()).isEqualTo(300);
        assertThat(batches).extracting(JsonNode::size).containsExactly(256, 44);
        JsonNode first = batches.get(0).get(0);
        assertThat(first.get("labels").toString()).isEqualTo("{\"alertname\":\"A\",\"i\":\"0\"}");
        assertThat(first.get("annotations").get("summary").asText()).isEqualTo("s");
        assertThat(first.get("startsAt").asText()).isEqualTo("2023-11-14T22:13:20.000Z");
        assertThat(first.get("endsAt").asText()).isEqualTo("2023-11-14T22:17:20.000Z");
        assertThat(first.has("generatorURL")).isTrue();
    }

    @Test
    void aFullQueueDropsTheOldest() {
        try (ExternalAlertmanagers s = sender()) {
            s.send(alerts(ExternalAlertmanagers.QUEUE_CAPACITY + 5));
        }
        assertThat(dropped.get()).isEqualTo(5);
    }

    @Test
    void aTenantsAlertsGoInBatchesOfTheirOwnWithItsOrgId() throws Exception {
        try (ExternalAlertmanagers s = sender()) {
            s.send("a", alerts(2));
            s.send("b", alerts(1));
            s.send(alerts(3));
            s.send("a", alerts(1));
            // Queued before the sender starts, so the batches are cut from the whole queue.
            s.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (sent.get() < 7 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(tenants).containsExactly("a", "b", "-", "a");
        assertThat(batches).extracting(JsonNode::size).containsExactly(2, 1, 3, 1);
    }
}
