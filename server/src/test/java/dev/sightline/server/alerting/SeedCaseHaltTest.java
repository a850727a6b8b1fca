package dev.sightline.server.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Storage;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed case 1 end to end with the shipped examples (examples/sightline.yml and examples/rules/01-runaway-orders.yml,
 * only the webhook addresses and the evaluation interval changed): an hour of normal order flow, then a strategy
 * floods orders; the volume z-score alert fires and the halt webhook is called within one evaluation interval plus
 * one second of the first runaway sample.
 */
class SeedCaseHaltTest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final long INTERVAL_MS = 1_000;
    private static final Labels ORDERS = Labels.of("__name__", "orders_placed_total", "strategy", "mm-1", "symbol", "ACME");
    @RegisterExtension
    final WebhookReceiver hooks = new WebhookReceiver();
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @TempDir
    Path dir;

    @Test
    void runawayOrderRateHaltsTheStrategyWithinOneIntervalPlusOneSecond() throws Exception {
        String config = Files.readString(EXAMPLES.resolve("sightline.yml"))
                .replace("http://127.0.0.1:9099", hooks.url(""))
                .replace("evaluation_interval: 15s", "evaluation_interval: 1s");
        assertThat(config).contains(hooks.url("/halt")).contains("evaluation_interval: 1s");
        Files.createDirectories(dir.resolve("rules"));
        Files.copy(EXAMPLES.resolve("rules/01-runaway-orders.yml"), dir.resolve("rules/01-runaway-orders.yml"));
        server.start(dir, config);
        Storage storage = server.storage();

        // The last hour of the recording rule's output, as if it had been running: ~100 orders/s (with the group's
        // label, which the rule adds to what it records).
        Random r = new Random(3);
        long now = System.currentTimeMillis();
        Appender history = storage.appender();
        for (long t = now - 3_600_000; t < now - 60_000; t += 60_000) {
            history.append(0, Labels.of("__name__", "strategy:orders_placed:rate1m", "strategy", "mm-1",
                    "team", "trading"), t,
                    100 + 5 * r.nextGaussian());
        }
        history.commit();
        // Normal flow for a few evaluations, a sample every 250 ms.
        double orders = 0;
        long t = now - 60_000;
        for (; t < now; t += 250) {
            orders += 25 + r.nextInt(3);
            append(storage, t, orders);
        }
        for (int i = 0; i < 12; i++) {
            Thread.sleep(250);
            orders += 25 + r.nextInt(3);
            t = Math.max(t + 1, System.currentTimeMillis());
            append(storage, t, orders);
        }
        // An absence needs a positive signal first: an evaluation of the alert after the normal flow was written.
        long normalWritten = System.currentTimeMillis();
        JsonNode rule = evaluatedAfter("RunawayOrderFlow", normalWritten);
        assertThat(rule.path("state").asText()).as("the alert after the normal flow: %s", rule).isEqualTo("inactive");
        assertThat(hooks.calls).as("no call while the flow is normal").isEmpty();

        // The runaway: 66,000 orders/s (4M a minute).
        orders += 16_500;
        append(storage, Math.max(t + 1, System.currentTimeMillis()), orders);
        long runaway = System.nanoTime();
        WebhookReceiver.Call halt = hooks.await(c -> c.path().equals("/halt"), 10_000);
        assertThat(halt).as("halt webhook called; rules: %s", server.get("/api/v1/rules").body()).isNotNull();
        long ms = (halt.atNanos() - runaway) / 1_000_000;
        System.out.println("halt webhook called " + ms + " ms after the first runaway sample");
        assertThat(ms).isLessThanOrEqualTo(INTERVAL_MS + 1_000);
        JsonNode alert = halt.payload().get("alerts").get(0);
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("RunawayOrderFlow");
        assertThat(alert.get("labels").get("strategy").asText()).isEqualTo("mm-1");
        assertThat(alert.get("labels").get("site").asText()).as("external label").isEqualTo("example");
        JsonNode ann = alert.get("annotations");
        assertThat(ann.get("observed").asText()).endsWith("orders/s");
        assertThat(ann.get("expected").asText()).endsWith("(mean of the last day)");
        assertThat(ann.get("score").asText()).endsWith("sigma (z-score)");
        assertThat(ann.get("lookback").asText()).isEqualTo("1d");
        assertThat(halt.payload().get("receiver").asText()).isEqualTo("halt-trading");
    }

    /** The alerting rule as /api/v1/rules shows it, once its last evaluation is later than {@code afterMs}. */
    private JsonNode evaluatedAfter(String alert, long afterMs) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            for (JsonNode group : server.getJson("/api/v1/rules?type=alert").path("data").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.path("name").asText().equals(alert)
                            && Instant.parse(rule.path("lastEvaluation").asText()).toEpochMilli() > afterMs) {
                        return rule;
                    }
                }
            }
            assertThat(System.currentTimeMillis()).as("%s evaluated after %d", alert, afterMs).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void append(Storage storage, long t, double v) throws Exception {
        Appender app = storage.appender();
        app.append(0, ORDERS, t, v);
        app.commit();
    }
}
