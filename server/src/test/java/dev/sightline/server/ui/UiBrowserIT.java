package dev.sightline.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Explore page in Debian's headless Chromium against a running server with data: a query typed and run draws a
 * chart and a table, the URL carries the query, a bad query shows the API's error. Screenshots go to
 * {@code <build dir>/ui-screenshots}.
 */
class UiBrowserIT extends BrowserTest {
    private static final String METRIC = "ui_test_temperature";

    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, null);
        Appender app = server.storage().appender();
        long now = System.currentTimeMillis();
        // Ten minutes at 15 s ending now; the newest value is what the table must show.
        for (int i = 40; i >= 0; i--) {
            app.append(0, Labels.of("__name__", METRIC, "room", "kitchen"), now - i * 15_000L, i == 0 ? 21.5 : 18 + i % 5);
        }
        app.commit();
    }

    @Test
    void aQueryTypedAndRunDrawsItsChartAndTable() throws Exception {
        ui.open(server.uri("/"));
        browser.findElement(By.id("query")).sendKeys(METRIC + "{room=\"kitchen\"}", Keys.ENTER);

        assertDrawn();
        assertThat(browser.getCurrentUrl()).contains("query=" + URLEncoder.encode(METRIC + "{room=\"kitchen\"}", StandardCharsets.UTF_8))
                .contains("range=1h");
        ui.screenshot("explore.png");
        assertThat(ui.severe()).isEmpty();

        // The URL alone brings the same view back, with the range and step it names.
        ui.open(server.uri("/?query=" + URLEncoder.encode(METRIC, StandardCharsets.UTF_8) + "&range=5m&step=30s"));
        assertDrawn();
        assertThat(((JavascriptExecutor) browser).executeScript("return document.getElementById('range').value")).isEqualTo("5m");
        assertThat(browser.findElement(By.id("status")).getText()).contains("step 30s");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void aDarkSystemThemeGivesTheDarkPage() throws Exception {
        browser.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        ui.open(server.uri("/?query=" + URLEncoder.encode(METRIC, StandardCharsets.UTF_8)));
        assertDrawn();
        assertThat(((JavascriptExecutor) browser).executeScript("return getComputedStyle(document.body).backgroundColor"))
                .isEqualTo("rgb(20, 24, 29)");
        ui.screenshot("explore-dark.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void aBadQueryShowsTheApiError() throws Exception {
        String bad = "sum(rate(" + METRIC + "[5m]";
        JsonNode api = RunningServer.JSON.readTree(server.get("/api/v1/query_range?start=0&end=60&step=15&query="
                + URLEncoder.encode(bad, StandardCharsets.UTF_8)).body());
        assertThat(api.path("status").asText()).isEqualTo("error");

        ui.open(server.uri("/"));
        WebElement query = browser.findElement(By.id("query"));
        query.sendKeys(bad);
        query.sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));

        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        // The API's text, then the query with a caret under the column the parser named (1:33, just past the end).
        String message = api.path("errorType").asText() + ": " + api.path("error").asText();
        assertThat(message).contains("1:" + (bad.length() + 1) + ": parse error");
        assertThat(((JavascriptExecutor) browser).executeScript("return document.getElementById('error').textContent"))
                .isEqualTo(message + "\n\n" + bad + "\n" + " ".repeat(bad.length()) + "^");
        assertThat(browser.findElement(By.id("table")).isDisplayed()).isFalse();
        ui.screenshot("explore-error.png");

        // A step that is no duration is refused in the page, naming the field, before any request.
        query.clear();
        query.sendKeys(METRIC);
        browser.findElement(By.id("step")).sendKeys("fast", Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("error"),
                "step: \"fast\" is not a duration such as 15s, 1m or 1h, nor a number of seconds"));
        // The only console error is Chromium's note of the 400 itself.
        assertThat(ui.severe()).allSatisfy(e -> assertThat(e.getMessage()).contains("/api/v1/query_range").contains("400"));
    }

    private void assertDrawn() {
        WebElement cell = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#table tbody td.series")));
        List<WebElement> rows = browser.findElements(By.cssSelector("#table tbody tr"));
        assertThat(rows).hasSize(1);
        assertThat(cell.getText()).isEqualTo(METRIC + "{room=\"kitchen\"}");
        assertThat(rows.getFirst().findElement(By.cssSelector("td.value")).getText()).isEqualTo("21.5");
        assertThat(browser.findElement(By.cssSelector("#chart .u-legend")).getText()).contains(METRIC + "{room=\"kitchen\"}");
        // The line is drawn: some pixels of the plot canvas are not transparent.
        assertThat(ui.paintedPixels("#chart")).isGreaterThan(100L);
    }
}
