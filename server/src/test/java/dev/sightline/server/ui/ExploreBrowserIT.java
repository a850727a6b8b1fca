package dev.sightline.server.ui;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Explore page's editor and chart in headless Chromium: completion of metric names, functions, label names and
 * values driven by the keyboard to a graph; stacked and log-scale toggles; exemplar dots that open their trace;
 * LogQL and TraceQL queries handed to their pages; several queries at once. Screenshots in
 * {@code <build dir>/ui-screenshots}.
 */
class ExploreBrowserIT extends BrowserTest {
    private static final String METRIC = "explore_test_requests";
    private static final String LATENCY = "explore_test_latency";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, null);
        Appender app = server.storage().appender();
        long now = System.currentTimeMillis();
        Labels kitchen = Labels.of("__name__", METRIC, "room", "kitchen");
        Labels hall = Labels.of("__name__", METRIC, "room", "hall");
        long kitchenRef = 0;
        // Thirty minutes at 15 s ending now; the hall drops to 0 once (a gap on a log scale).
        for (int i = 120; i >= 0; i--) {
            long t = now - i * 15_000L;
            kitchenRef = app.append(kitchenRef, kitchen, t, 100 + i % 7 * 10);
            app.append(0, hall, t, i == 60 ? 0 : 5 + i % 3);
        }
        app.commit();
        // An exemplar comes with its sample, here through OTLP (the storage keeps exemplars that ingestion indexes).
        long ns = (now - 10 * 60_000L) * 1_000_000L;
        String otlp = """
                {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
                 "scopeMetrics":[{"metrics":[{"name":"%s","gauge":{"dataPoints":[
                  {"timeUnixNano":"%d","asDouble":130,"attributes":[{"key":"route","value":{"stringValue":"/cart"}}],"exemplars":[{"timeUnixNano":"%d","asDouble":130,"traceId":"%s","spanId":"00f067aa0ba902b7"}]},
                  {"timeUnixNano":"%d","asDouble":120,"attributes":[{"key":"route","value":{"stringValue":"/cart"}}]}]}}]}]}]}""".formatted(LATENCY, ns, ns, TRACE_ID, now * 1_000_000L);
        assertThat(server.post("/v1/metrics", "application/json", otlp).statusCode()).isEqualTo(200);
        String push = "{\"streams\":[{\"stream\":{\"job\":\"checkout\"},\"values\":[[\"" + now * 1_000_000L + "\",\"error: out of stock\"]]}]}";
        assertThat(server.post("/loki/api/v1/push", "application/json", push).statusCode()).isEqualTo(204);
        String span = """
                {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
                 "scopeSpans":[{"spans":[{"traceId":"%s","spanId":"00f067aa0ba902b7","name":"GET /cart","kind":2,
                  "startTimeUnixNano":"%d","endTimeUnixNano":"%d"}]}]}]}""".formatted(TRACE_ID, ns, ns + 250_000_000L);
        assertThat(server.post("/v1/traces", "application/json", span).statusCode()).isEqualTo(200);
    }

    private URI explore(String query, String more) {
        return server.uri("/explore?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + more);
    }

    /** The completion list's option labels once it shows one labelled {@code expected}. */
    private List<String> optionsShowing(String expected) {
        wait.until(d -> options().contains(expected));
        return options();
    }

    /** The labels of the open list, read in one script: the list is redrawn as answers arrive. */
    @SuppressWarnings("unchecked")
    private List<String> options() {
        return (List<String>) ui.script("return [...document.querySelectorAll('.completion-popup:not([hidden]) li[role=option] .label')]"
                + ".map(e => e.textContent)");
    }

    /** Moves the list's selection down to {@code label} with the arrow key, as a user would. */
    private void selectWithKeyboard(WebElement editor, String label) {
        int index = optionsShowing(label).indexOf(label);
        for (int i = 0; i < index; i++) {
            editor.sendKeys(Keys.ARROW_DOWN);
        }
        wait.until(d -> d.findElement(By.cssSelector(".completions li[aria-selected=true] .label")).getText().equals(label));
    }

    private String value(WebElement editor) {
        return editor.getDomProperty("value");
    }

    @Test
    void aQueryTypedWithCompletionDrawsItsGraph() throws Exception {
        ui.open(server.uri("/explore"));
        WebElement editor = browser.findElement(By.id("query"));
        editor.click();

        // A function from the server's table, with its signature and description.
        editor.sendKeys("histogram_qua");
        optionsShowing("histogram_quantile");
        selectWithKeyboard(editor, "histogram_quantile");
        assertThat(browser.findElement(By.cssSelector(".completion-doc")).getText())
                .contains("histogram_quantile(phi scalar, v instant-vector) instant-vector")
                .contains("Estimated phi-quantile");
        ui.screenshot("explore-complete-function.png");
        editor.sendKeys(Keys.ENTER);
        assertThat(value(editor)).isEqualTo("histogram_quantile(");
        editor.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);

        // A metric name by its prefix, taken with Tab.
        editor.sendKeys("explore_te");
        selectWithKeyboard(editor, METRIC);
        editor.sendKeys(Keys.TAB);
        assertThat(value(editor)).isEqualTo(METRIC);

        // Label names of that metric inside the braces, then its values, quoted on the way in.
        editor.sendKeys("{");
        assertThat(optionsShowing("room")).doesNotContain("__name__");
        editor.sendKeys(Keys.ENTER, "=");
        assertThat(optionsShowing("hall")).containsExactly("hall", "kitchen");
        ui.screenshot("explore-complete-value.png");
        selectWithKeyboard(editor, "kitchen");
        editor.sendKeys(Keys.ENTER, "}");
        assertThat(value(editor)).isEqualTo(METRIC + "{room=\"kitchen\"}");

        // With the list closed, Enter runs.
        wait.until(d -> d.findElement(By.cssSelector(".completion-popup")).getAttribute("hidden") != null);
        editor.sendKeys(Keys.ENTER);
        assertRows(1);
        assertThat(browser.findElement(By.cssSelector("#table td.series")).getText()).isEqualTo(METRIC + "{room=\"kitchen\"}");
        assertThat(browser.getCurrentUrl()).contains("query=" + URLEncoder.encode(METRIC + "{room=\"kitchen\"}", StandardCharsets.UTF_8));
        assertThat(ui.paintedPixels("#chart")).isGreaterThan(100L);
        ui.screenshot("explore-completed-graph.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void labelValuesCompleteInsideAStringAndFollowTheMatchersWritten() throws Exception {
        ui.open(server.uri("/explore"));
        WebElement editor = browser.findElement(By.id("query"));
        editor.sendKeys(METRIC + "{room=\"ki");
        assertThat(optionsShowing("kitchen")).containsExactly("kitchen");
        editor.sendKeys(Keys.TAB);
        // The string is closed for us.
        assertThat(value(editor)).isEqualTo(METRIC + "{room=\"kitchen\"");

        editor.sendKeys(Keys.ESCAPE);
        wait.until(d -> options().isEmpty());

        // Label names are those of the series the metric and the matchers written select, less those matched on.
        editor.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        editor.sendKeys(LATENCY + "{");
        assertThat(optionsShowing("route")).containsExactly("job", "route");
        editor.sendKeys("job=\"shop\", ");
        editor.sendKeys(Keys.chord(Keys.CONTROL, " "));
        assertThat(optionsShowing("route")).containsExactly("route");

        // Label names after by ( ... ).
        editor.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        editor.sendKeys("sum by (ro");
        assertThat(optionsShowing("room")).contains("room");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void stackedAndLogScaleRedrawAndStayInTheUrl() throws Exception {
        ui.open(explore(METRIC, "&range=1h"));
        assertRows(2);
        long lines = ui.paintedPixels("#chart");
        String linear = canvas();

        browser.findElement(By.id("stacked")).click();
        wait.until(ExpectedConditions.urlContains("stacked=1"));
        // Stacked areas are filled: far more pixels painted than two lines.
        assertThat(ui.paintedPixels("#chart")).isGreaterThan(3 * lines);
        ui.screenshot("explore-stacked.png");

        browser.findElement(By.id("stacked")).click();
        browser.findElement(By.id("log-scale")).click();
        wait.until(ExpectedConditions.urlContains("log=1"));
        wait.until(d -> !canvas().equals(linear));
        assertThat(browser.getCurrentUrl()).doesNotContain("stacked=1");
        ui.screenshot("explore-log.png");

        // The URL alone brings the toggles back.
        ui.open(explore(METRIC, "&range=1h&stacked=1&log=1"));
        assertRows(2);
        assertThat(browser.findElement(By.id("stacked")).isSelected()).isTrue();
        assertThat(browser.findElement(By.id("log-scale")).isSelected()).isTrue();
        // Times are local in the table and named with their zone, as on the chart's axis.
        assertThat(browser.findElement(By.id("table-time")).getText()).startsWith("At (");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void anAbsoluteRangeComesFromTheUrlAndIsChecked() throws Exception {
        Instant to = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant from = to.minusSeconds(600);
        ui.open(explore(METRIC, "&from=" + from + "&to=" + to + "&step=60s"));
        assertRows(2);
        assertThat(ui.script("return document.getElementById('range').value")).isEqualTo("custom");
        assertThat(browser.findElement(By.id("from")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("2 series, step 60s");
        // From after to is refused naming the field, before any request.
        ui.script("document.getElementById('to').value = document.getElementById('from').value");
        browser.findElement(By.id("run")).click();
        wait.until(ExpectedConditions.textToBe(By.id("error"), "to: must be after from"));
        ui.screenshot("explore-absolute.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void anExemplarDotOpensItsTrace() throws Exception {
        ui.open(explore(LATENCY, "&range=1h"));
        WebElement dot = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#chart a.exemplar")));
        assertThat(dot.getDomAttribute("href")).isEqualTo("/traces/" + TRACE_ID);
        assertThat(dot.getDomAttribute("title")).contains("trace_id=" + TRACE_ID).contains("130");
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("1 series, step 15s, 1 exemplar");
        ui.screenshot("explore-exemplar.png");
        assertThat(ui.severe()).isEmpty();
        dot.click();
        wait.until(ExpectedConditions.urlToBe(server.uri("/traces/" + TRACE_ID).toString()));

        // Switched off, no dots.
        ui.open(explore(LATENCY, "&range=1h&exemplars=0"));
        assertRows(1);
        assertThat(browser.findElements(By.cssSelector("#chart .exemplar"))).isEmpty();
    }

    @Test
    void severalQueriesDrawTogether() throws Exception {
        ui.open(server.uri("/explore?query=" + URLEncoder.encode(METRIC + "{room=\"hall\"}", StandardCharsets.UTF_8)
                + "&query=" + URLEncoder.encode("sum(" + METRIC + ")", StandardCharsets.UTF_8)));
        assertRows(2);
        List<String> letters = browser.findElements(By.cssSelector("#table td.query")).stream().map(WebElement::getText).toList();
        assertThat(letters).containsExactly("A", "B");
        assertThat(browser.findElement(By.cssSelector("#chart .u-legend")).getText()).contains("B: {}");

        browser.findElement(By.id("add-query")).click();
        WebElement third = browser.findElement(By.id("query-C"));
        assertThat(browser.switchTo().activeElement()).isEqualTo(third);
        third.sendKeys("count(" + METRIC + ")", Keys.ENTER);
        assertRows(3);
        assertThat(browser.getCurrentUrl()).contains("&query=count");
        ui.screenshot("explore-three-queries.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void logAndTraceQueriesOpenTheirPages() throws Exception {
        ui.open(server.uri("/explore?lang=logql"));
        WebElement editor = browser.findElement(By.id("query"));
        assertThat(editor.getDomAttribute("aria-label")).isEqualTo("Query (LogQL)");
        // Stream labels and their values come from Loki's API.
        completeAndRun(editor, "{job=\"checkout\"} |= \"error\"", "/logs?query=", "{jo", "job", "=", "checkout", "} |= \"error\"");

        // A LogQL metric query draws here (no log lines stored: an empty graph, no error).
        ui.open(server.uri("/explore?lang=logql&query=" + URLEncoder.encode("sum(count_over_time({job=\"app\"}[1m]))", StandardCharsets.UTF_8)));
        wait.until(ExpectedConditions.textToBe(By.id("status"), "0 series, step 15s"));
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();

        // TraceQL: the language switch, then Traces.
        ui.open(server.uri("/explore"));
        new Select(browser.findElement(By.id("lang"))).selectByValue("traceql");
        editor = browser.findElement(By.id("query"));
        assertThat(editor.getDomAttribute("aria-label")).isEqualTo("Query (TraceQL)");
        // Attributes by scope and their values come from Tempo's tag API; strings go in quoted.
        completeAndRun(editor, "{ resource.service.name = \"shop\" }", "/traces?q=", "{ resource.serv", "resource.service.name",
                " = ", "shop", " }");
    }

    /**
     * Types the texts of {@code typedAndTaken}, each but the last followed by the option named next, taken with Enter;
     * checks the query written, runs it, and checks that it opened {@code opens} with the query.
     */
    private void completeAndRun(WebElement editor, String expected, String opens, String... typedAndTaken) {
        for (int i = 0; i + 1 < typedAndTaken.length; i += 2) {
            editor.sendKeys(typedAndTaken[i]);
            optionsShowing(typedAndTaken[i + 1]);
            editor.sendKeys(Keys.ENTER);
        }
        editor.sendKeys(typedAndTaken[typedAndTaken.length - 1]);
        assertThat(value(editor)).isEqualTo(expected);
        editor.sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.urlContains(opens));
        assertThat(browser.getCurrentUrl()).contains(opens + URLEncoder.encode(expected, StandardCharsets.UTF_8));
    }

    private void assertRows(int n) {
        wait.until(d -> d.findElements(By.cssSelector("#table tbody tr")).size() == n
                && d.findElement(By.id("table")).isDisplayed());
    }

    private String canvas() {
        return (String) ui.script("return document.querySelector('#chart canvas').toDataURL()");
    }
}
