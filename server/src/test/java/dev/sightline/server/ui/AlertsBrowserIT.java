package dev.sightline.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import dev.sightline.server.alerting.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Alerts and Status pages in Debian's headless Chromium against a running server: a rule over written data
 * fires within seconds; its generatorURL opens its page with the expression graphed; it is silenced from there (the
 * create-silence form prefilled from its labels) and shown silenced; the silence is edited, then expired; the
 * notification history shows what the webhook got. /status shows an up and a down target, the TSDB's head stats and
 * cardinality, the configuration, build, runtime and flags. No console errors; screenshots of each view.
 */
class AlertsBrowserIT extends BrowserTest {
    private static final String ALERT = "QueueTooLong";

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    /** Not registered: a registered receiver would close after the first test. */
    private static final WebhookReceiver hooks = new WebhookReceiver();
    /** A scrape target that is up. */
    private static HttpServer exporter;

    @BeforeAll
    static void start() throws Exception {
        exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        exporter.createContext("/metrics", x -> {
            byte[] body = "ui_exporter_up 1\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        exporter.start();
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: queues
                    interval: 1s
                    rules:
                      - alert: %s
                        expr: ui_queue_length > 100
                        for: 1s
                        labels: {severity: page}
                        annotations: {summary: 'queue {{ $labels.queue }} holds {{ $value }} jobs'}
                      - record: queue:length:max
                        expr: max(ui_queue_length)
                  - name: log-errors
                    query_language: logql
                    rules:
                      - alert: CheckoutErrorLogs
                        expr: count_over_time({service="checkout"} |= "error" [5m]) > 0
                """.formatted(ALERT));
        server.start(dir, """
                global:
                  evaluation_interval: 1s
                  scrape_interval: 1s
                rule_files: [rules.yml]
                scrape_configs:
                  - job_name: exporter
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                  - job_name: gone
                    static_configs: [{targets: ['127.0.0.1:1']}]
                alertmanager:
                  route: {receiver: ops, group_by: [alertname], group_wait: 0s, group_interval: 1s}
                  receivers:
                    - name: ops
                      webhook_configs: [{url: '%s'}]
                """.formatted(exporter.getAddress().getPort(), hooks.url("/ops")));
        Appender app = server.storage().appender();
        long now = System.currentTimeMillis();
        // Twenty minutes of a queue that grows past 100 in the last five.
        for (int i = 80; i >= 0; i--) {
            app.append(0, Labels.of("__name__", "ui_queue_length", "queue", "orders"), now - i * 15_000L, i > 20 ? 40 : 160 - i);
        }
        app.commit();
        // Error lines of the checkout service, which the LogQL rule counts.
        long ns = now * 1_000_000L;
        HttpResponse<String> pushed = server.post("/loki/api/v1/push", "application/json", """
                {"streams":[{"stream":{"service":"checkout"},"values":[["%d","error: card declined"],["%d","error: timeout"]]}]}
                """.formatted(ns - 60_000_000_000L, ns - 30_000_000_000L));
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        hooks.close();
        exporter.stop(0);
    }

    @Test
    void anAlertFiresIsSilencedFromItsPageShownSilencedAndTheSilenceExpires() throws Exception {
        // Firing in the API first: one evaluation makes it pending, the next (1 s later) firing, then it is notified.
        assertThat(hooks.await(c -> c.payload().path("groupLabels").path("alertname").asText().equals(ALERT), 15_000))
                .as("notified").isNotNull();
        JsonNode amAlert = amAlert();
        String generatorUrl = amAlert.get("generatorURL").asText();
        assertThat(generatorUrl).isEqualTo("http://127.0.0.1:" + server.httpPort() + "/alerts?alert=" + ALERT);

        // The overview: the alert firing with its labels and annotation, both groups (the LogQL one too) listed.
        ui.open(server.uri("/alerts"));
        WebElement row = wait.until(d -> d.findElements(By.cssSelector("#active-alerts tr.state-firing")).stream()
                .filter(r -> r.getText().startsWith(ALERT)).findFirst().orElse(null));
        assertThat(row.getText()).contains(ALERT).contains("queue=\"orders\"").contains("severity=\"page\"")
                .contains("queue orders holds").contains("not silenced");
        assertThat(browser.findElement(By.cssSelector("tr.rule[data-rule='CheckoutErrorLogs']")).getText())
                .contains("[logql] count_over_time").contains("ok");
        assertThat(browser.findElement(By.cssSelector("tr.rule[data-rule='queue:length:max']")).getText()).contains("record");
        ui.screenshot("alerts.png");

        // The generatorURL opens the alert's own view: its rule, its expression graphed, its instance.
        ui.open(URI.create(generatorUrl));
        WebElement detail = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("alert-detail")));
        assertThat(detail.findElement(By.tagName("h2")).getText()).isEqualTo(ALERT);
        assertThat(detail.getText()).contains("ui_queue_length > 100").contains("queues");
        wait.until(d -> ui.paintedPixels(".alert-chart") > 100);
        assertThat(detail.findElement(By.cssSelector(".graph-note")).getText()).startsWith("1 series").contains("active since");
        // The firing time is marked on the graph.
        wait.until(d -> d.findElements(By.cssSelector(".alert-chart .active-marker")).size() == 1);
        // Seconds ago in an hour's graph: in the right half of the plot.
        assertThat((Double) ui.script("const m = document.querySelector('.alert-chart .active-marker');"
                + "return m.offsetLeft / m.parentElement.clientWidth + 0.0;")).isBetween(0.5, 1.0);
        WebElement instance = detail.findElement(By.cssSelector("tr.instance.state-firing"));
        assertThat(instance.getText()).contains("not silenced");
        ui.screenshot("alerts-detail.png");

        // Silence it from its page: the form comes prefilled with the alert's labels as matchers.
        instance.findElement(By.cssSelector("button.silence-alert")).click();
        WebElement matchers = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("silence-matchers")));
        assertThat(matchers.getAttribute("value")).contains("alertname=\"" + ALERT + "\"").contains("queue=\"orders\"");
        assertThat(browser.findElement(By.id("silence-duration")).getAttribute("value")).isEqualTo("2h");
        // A line that is no matcher is refused, naming the line; so is a missing author, naming the field.
        matchers.sendKeys("\nqueue orders");
        browser.findElement(By.id("silence-submit")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#silence-form .form-error"), "matchers line 4: \"queue orders\" is not "
                + "name=\"value\", name=~\"regex\", name!=\"value\" or name!~\"regex\""));
        matchers.sendKeys(Keys.BACK_SPACE.toString().repeat("\nqueue orders".length()));
        browser.findElement(By.id("silence-comment")).sendKeys("draining the queue");
        browser.findElement(By.id("silence-submit")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#silence-form .form-error"), "author: say who is silencing"));
        browser.findElement(By.id("silence-author")).sendKeys("ops-oncall");
        ui.screenshot("alerts-silence-form.png");
        browser.findElement(By.id("silence-submit")).click();
        wait.until(d -> d.findElement(By.cssSelector("#alert-detail tr.instance")).getText().contains("silenced by"));
        assertThat(browser.findElement(By.id("alert-message")).getText()).matches("Silence \\S+ created\\.");
        JsonNode silenced = amAlert();
        assertThat(silenced.get("status").get("state").asText()).isEqualTo("suppressed");
        String silenceId = silenced.get("status").get("silencedBy").get(0).asText();
        assertThat(browser.findElement(By.cssSelector("#alert-detail tr.instance")).getText()).contains(silenceId);
        ui.screenshot("alerts-silenced.png");

        // The silences tab lists it active; edited, its comment changes; expired, it moves to the expired list.
        browser.findElement(By.id("tab-silences")).click();
        assertThat(browser.getCurrentUrl()).contains("tab=silences").contains("alert=" + ALERT);
        WebElement active = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#silences-active tr.silence")));
        assertThat(active.getText()).contains("ops-oncall").contains("draining the queue").contains("1 alert");
        active.findElement(By.cssSelector("button.edit-silence")).click();
        WebElement comment = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("silence-comment")));
        comment.clear();
        // Enter in a field submits the form, as everywhere.
        comment.sendKeys("queue drained by hand", Keys.ENTER);
        wait.until(d -> d.findElement(By.cssSelector("#silences-active tr.silence")).getText().contains("queue drained by hand"));
        String editedId = browser.findElement(By.cssSelector("#silences-active tr.silence")).getAttribute("data-silence-id");
        assertThat(server.getJson("/api/v2/silence/" + editedId).get("comment").asText()).isEqualTo("queue drained by hand");
        ui.screenshot("alerts-silences.png");

        browser.findElement(By.cssSelector("#silences-active tr.silence button.expire-silence")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#silences-expired tr.silence[data-silence-id='" + editedId + "']")));
        assertThat(browser.findElements(By.cssSelector("#silences-active tr.silence"))).isEmpty();
        assertThat(server.getJson("/api/v2/silence/" + editedId).get("status").get("state").asText()).isEqualTo("expired");
        assertThat(amAlert().get("status").get("state").asText()).isEqualTo("active");
        assertThat(browser.findElement(By.cssSelector("#alert-detail tr.instance")).getText()).contains("not silenced");

        // What was sent, to which receiver, and that it arrived.
        // The tabs are buttons: reachable with Tab, Enter opens one.
        browser.findElement(By.id("tab-notifications")).sendKeys(Keys.ENTER);
        assertThat(browser.getCurrentUrl()).contains("tab=notifications");
        WebElement sent = wait.until(d -> d.findElements(By.cssSelector("table.notifications tr.notification.ok")).stream()
                .filter(r -> r.getText().contains(ALERT)).findFirst().orElse(null));
        assertThat(sent.getText()).contains("ops").contains("webhook").contains(ALERT).contains("delivered");

        browser.findElement(By.id("tab-alertmanager")).click();
        WebElement config = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("am-config")));
        assertThat(config.getText()).contains("receiver: ops");
        assertThat(browser.findElement(By.id("am-status")).getText()).contains("disabled");
        ui.screenshot("alerts-alertmanager.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void aLogQlRuleIsListedFiresAndIsGraphedThroughTheLogQlEngine() throws Exception {
        browser.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        wait.until(d -> {
            try {
                return server.getJson("/api/v1/alerts").toString().contains("CheckoutErrorLogs");
            } catch (Exception e) {
                return false;
            }
        });
        ui.open(server.uri("/alerts?alert=CheckoutErrorLogs"));
        WebElement detail = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("alert-detail")));
        assertThat(detail.getText()).contains("LogQL").contains("count_over_time({service=\"checkout\"} |= \"error\" [5m]) > 0");
        URI logs = URI.create(detail.findElement(By.linkText("Open the expression in Logs")).getAttribute("href"));
        assertThat(logs.getPath()).isEqualTo("/logs");
        assertThat(logs.getQuery()).isEqualTo("query=count_over_time({service=\"checkout\"} |= \"error\" [5m]) > 0");
        wait.until(d -> ui.paintedPixels(".alert-chart") > 100);
        assertThat(detail.findElement(By.cssSelector(".graph-note")).getText()).startsWith("1 series");
        assertThat(detail.findElement(By.cssSelector("tr.instance")).getText()).contains("service=\"checkout\"");
        assertThat(((String) ui.script("return getComputedStyle(document.body).backgroundColor"))).isEqualTo("rgb(20, 24, 29)");
        ui.screenshot("alerts-logql-dark.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void theStatusPageShowsTargetsTsdbStatsConfigurationAndRuntime() throws Exception {
        // Both targets scraped at least once (1 s interval).
        wait.until(d -> {
            try {
                JsonNode t = server.getJson("/api/v1/targets").get("data").get("activeTargets");
                return t.size() == 2 && !t.get(0).get("lastScrape").asText().startsWith("0001")
                        && !t.get(1).get("lastScrape").asText().startsWith("0001");
            } catch (Exception e) {
                return false;
            }
        });
        ui.open(server.uri("/status"));
        WebElement up = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("table.targets tr.health-up")));
        assertThat(up.getText()).contains("127.0.0.1:" + exporter.getAddress().getPort()).contains("up").contains("job=\"exporter\"");
        WebElement down = browser.findElement(By.cssSelector("table.targets tr.health-down"));
        assertThat(down.getText()).contains("127.0.0.1:1").contains("down");
        assertThat(down.findElement(By.cssSelector(".error-text")).getText()).isNotBlank();
        assertThat(browser.findElement(By.id("head-stats")).getText()).contains("Head series").contains("Label pairs");
        // The scraped targets' series are there, with __name__ the label of most values.
        WebElement cardinality = browser.findElement(By.id("cardinality"));
        assertThat(cardinality.getText()).contains("scrape_duration_seconds").contains("__name__");
        assertThat(browser.findElement(By.id("config-yaml")).getText()).contains("job_name: exporter").contains("rule_files");
        assertThat(browser.findElement(By.id("build-info")).getText()).contains("Version");
        assertThat(browser.findElement(By.id("runtime-info")).getText()).contains("Storage retention").contains("Processors");
        List<WebElement> flags = browser.findElements(By.cssSelector("#flags-table tbody tr"));
        assertThat(flags).extracting(WebElement::getText).anySatisfy(t -> assertThat(t).startsWith("--config").contains("sightline.yml"));
        ui.screenshot("status.png");
        assertThat(ui.severe()).isEmpty();
    }

    /** The built-in Alertmanager's copy of the alert. */
    private static JsonNode amAlert() throws Exception {
        JsonNode all = server.getJson("/api/v2/alerts?filter=alertname%3D%22" + ALERT + "%22");
        assertThat(all.size()).isEqualTo(1);
        return all.get(0);
    }
}
