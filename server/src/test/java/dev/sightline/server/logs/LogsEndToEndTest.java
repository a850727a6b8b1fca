package dev.sightline.server.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.loki4j.logback.Loki4jAppender;
import com.github.loki4j.logback.PipelineConfigAppenderBase;
import dev.sightline.server.RunningServer;
import dev.sightline.server.alerting.WebhookReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14's "done when" over one running server fed by a real client (the Loki4j Logback appender, two apps logging
 * JSON): the seed's three queries through Loki's query_range, a line reaching a live-tail websocket within a second
 * of its push, and a LogQL alerting rule calling its webhook.
 */
class LogsEndToEndTest {
    @RegisterExtension
    final WebhookReceiver hooks = new WebhookReceiver();
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @TempDir
    Path dir;

    private static final String[] PAYMENT = {
            "{\"msg\":\"P1 card declined\",\"status\":\"failed\",\"amount\":150,\"duration_ms\":40,\"trace_id\":\"abc123\"}",
            "{\"msg\":\"P2 card declined\",\"status\":\"failed\",\"amount\":50,\"duration_ms\":1200}",
            "{\"msg\":\"P3 charged\",\"status\":\"ok\",\"amount\":500,\"duration_ms\":30}",
            "{\"msg\":\"P4 insufficient funds\",\"status\":\"failed\",\"amount\":\"100.5\",\"duration_ms\":20}",
    };
    private static final String[] CHECKOUT = {
            "{\"msg\":\"C1 cart error\",\"status\":\"failed\",\"amount\":300,\"duration_ms\":2500}",
            "{\"msg\":\"C2 checkout step\",\"trace_id\":\"abc123\",\"duration_ms\":1000}",
            "{\"msg\":\"C3 other trace\",\"trace_id\":\"zzz\",\"duration_ms\":999.5}",
    };

    /** An app logging through Loki4j (JSON push) with the message as the line, as apps with a JSON encoder do. */
    private static LoggerContext app(String url, String service) {
        LoggerContext logback = new LoggerContext();
        logback.setName(service);
        logback.setMDCAdapter(MDC.getMDCAdapter());
        Loki4jAppender appender = new Loki4jAppender();
        appender.setContext(logback);
        appender.setName("loki");
        PipelineConfigAppenderBase.HttpCfg http = new PipelineConfigAppenderBase.HttpCfg();
        http.setUrl(url);
        appender.setHttp(http);
        PipelineConfigAppenderBase.BatchCfg batch = new PipelineConfigAppenderBase.BatchCfg();
        batch.setTimeoutMs(100);
        appender.setBatch(batch);
        appender.setLabels("service=" + service);
        PatternLayout layout = new PatternLayout();
        layout.setContext(logback);
        layout.setPattern("%msg");
        layout.start();
        appender.setMessage(layout);
        appender.start();
        Logger root = logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        return logback;
    }

    private static void log(LoggerContext app, String... lines) {
        Logger log = app.getLogger("com.shop.App");
        for (String line : lines) {
            log.info(line);
        }
        app.stop(); // drains the appender's batch
    }

    /** The `msg` prefixes (P1, C2, ...) of the lines a log query answers over the last 10 minutes, sorted. */
    private List<String> lines(String logql) throws Exception {
        long now = System.currentTimeMillis() * 1_000_000L;
        JsonNode body = server.getJson("/loki/api/v1/query_range?limit=100&start=" + (now - 600_000_000_000L)
                + "&end=" + now + "&query=" + URLEncoder.encode(logql, StandardCharsets.UTF_8));
        assertThat(body.path("data").path("resultType").asText()).isEqualTo("streams");
        List<String> out = new ArrayList<>();
        for (JsonNode stream : body.path("data").path("result")) {
            for (JsonNode value : stream.path("values")) {
                out.add(RunningServer.JSON.readTree(value.get(1).asText()).path("msg").asText().substring(0, 2));
            }
        }
        out.sort(null);
        return out;
    }

    /** Collects live-tail frames. */
    private static final class Frames implements WebSocket.Listener {
        final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(RunningServer.JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    @Test
    void seedQueriesLiveTailAndALogAlertOverARealClient() throws Exception {
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/payments.yml"), """
                groups:
                  - name: payment-logs
                    query_language: logql
                    interval: 1s
                    rules:
                      - alert: FailedPaymentsOver100
                        expr: sum by (service) (count_over_time({service="payment"} | json | __error__="" | status="failed" | amount > 100 [10m])) > 0
                        labels:
                          severity: page
                        annotations:
                          summary: "{{ $value }} failed payments over $100 on {{ $labels.service }}"
                """);
        server.start(dir, """
                global:
                  evaluation_interval: 1s
                rule_files:
                  - rules/*.yml
                alertmanager:
                  route:
                    receiver: payments
                    group_wait: 0s
                  receivers:
                    - name: payments
                      webhook_configs:
                        - url: '%s'
                """.formatted(hooks.url("/payments")));
        String push = server.uri(LogPushEndpoint.LOKI_PATH).toString();

        HttpClient client = HttpClient.newHttpClient();
        Frames tail = new Frames();
        WebSocket ws = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(
                URI.create("ws://127.0.0.1:" + server.httpPort() + "/loki/api/v1/tail?query="
                        + URLEncoder.encode("{service=\"payment\"} |= \"tail me\"", StandardCharsets.UTF_8)),
                tail).join();

        log(app(push, "payment"), PAYMENT);
        log(app(push, "checkout"), CHECKOUT);
        assertThat(StoredLogs.await(server.server().logs(), "service", "payment", PAYMENT.length)).hasSize(PAYMENT.length);
        assertThat(StoredLogs.await(server.server().logs(), "service", "checkout", CHECKOUT.length)).hasSize(CHECKOUT.length);

        assertThat(lines("{service=\"payment\"} | json | status=\"failed\" | amount > 100")).containsExactly("P1", "P4");
        assertThat(lines("{service=~\".+\"} | json | duration_ms > 1000")).containsExactly("C1", "P2");
        assertThat(lines("{service=~\".+\"} | json | trace_id=\"abc123\"")).containsExactly("C2", "P1");
        // What Grafana's trace-to-logs (Tempo data source, filterByTraceID) asks of a Loki data source.
        assertThat(lines("{service=~\".+\"} | label_format log_line_contains_trace_id=`{{ contains \"abc123\" __line__ }}`"
                + " | log_line_contains_trace_id=\"true\" or trace_id=\"abc123\"")).containsExactly("C2", "P1");

        // Grafana's Loki data source checks its connection with this query.
        JsonNode health = server.getJson("/loki/api/v1/query?query=" + URLEncoder.encode("vector(1)+vector(1)",
                StandardCharsets.UTF_8)).path("data");
        assertThat(health.path("resultType").asText()).isEqualTo("vector");
        assertThat(health.path("result").get(0).path("value").get(1).asText()).isEqualTo("2");

        // Live tail: a pushed line reaches the websocket within a second of the push's answer.
        HttpResponse<String> pushed = server.post(LogPushEndpoint.LOKI_PATH, "application/json",
                "{\"streams\":[{\"stream\":{\"service\":\"payment\"},\"values\":[[\""
                        + System.currentTimeMillis() * 1_000_000L + "\",\"tail me\"]]}]}");
        long answered = System.nanoTime();
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(204);
        JsonNode frame = tail.frames.poll(1, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - answered) / 1_000_000;
        assertThat(frame).as("a tail frame within 1 s").isNotNull();
        assertThat(frame.path("streams").get(0).path("values").get(0).get(1).asText()).isEqualTo("tail me");
        System.out.println("live tail frame " + ms + " ms after the push was answered");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();

        // The LogQL alert reaches its webhook.
        WebhookReceiver.Call call = hooks.await(c -> c.path().equals("/payments"), 15_000);
        assertThat(call).as("webhook called; rules: %s", server.get("/api/v1/rules").body()).isNotNull();
        JsonNode alert = call.payload().get("alerts").get(0);
        assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("FailedPaymentsOver100");
        assertThat(alert.path("labels").path("service").asText()).isEqualTo("payment");
        assertThat(alert.path("annotations").path("summary").asText())
                .isEqualTo("2 failed payments over $100 on payment");
    }
}
