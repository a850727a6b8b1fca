package dev.sightline.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Explore page in Debian's headless Chromium against a running server with data: a query typed and run draws a
 * chart and a table, the URL carries the query, a bad query shows the API's error. Screenshots go to
 * {@code <build dir>/ui-screenshots}.
 */
class UiBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of(System.getProperty("sightline.build.directory", "target"), "ui-screenshots");
    private static final String METRIC = "ui_test_temperature";

    @TempDir
    static Path dataDir;
    @TempDir
    Path profileDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    private ChromeDriver browser;
    private WebDriverWait wait;

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

    @BeforeEach
    void openBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "peer not available: " + CHROMIUM + " and " + CHROMEDRIVER + " (Debian packages chromium, chromium-driver)");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                        "--user-data-dir=" + profileDir);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aQueryTypedAndRunDrawsItsChartAndTable() throws Exception {
        browser.get(server.uri("/").toString());
        // The metric-name list comes from the API.
        wait.until(d -> !d.findElements(By.cssSelector("#metric-names option[value='" + METRIC + "']")).isEmpty());
        browser.findElement(By.id("query")).sendKeys(METRIC + "{room=\"kitchen\"}", Keys.ENTER);

        assertDrawn();
        assertThat(browser.getCurrentUrl()).contains("query=" + URLEncoder.encode(METRIC + "{room=\"kitchen\"}", StandardCharsets.UTF_8))
                .contains("range=1h");
        screenshot("explore.png");
        assertThat(severe()).isEmpty();

        // The URL alone brings the same view back, with the range and step it names.
        browser.get(server.uri("/?query=" + URLEncoder.encode(METRIC, StandardCharsets.UTF_8) + "&range=5m&step=30s").toString());
        assertDrawn();
        assertThat(((JavascriptExecutor) browser).executeScript("return document.getElementById('range').value")).isEqualTo("5m");
        assertThat(browser.findElement(By.id("status")).getText()).contains("step 30s");
        assertThat(severe()).isEmpty();
    }

    @Test
    void aDarkSystemThemeGivesTheDarkPage() throws Exception {
        browser.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        browser.get(server.uri("/?query=" + URLEncoder.encode(METRIC, StandardCharsets.UTF_8)).toString());
        assertDrawn();
        assertThat(((JavascriptExecutor) browser).executeScript("return getComputedStyle(document.body).backgroundColor"))
                .isEqualTo("rgb(20, 24, 29)");
        screenshot("explore-dark.png");
        assertThat(severe()).isEmpty();
    }

    @Test
    void aBadQueryShowsTheApiError() throws Exception {
        String bad = "sum(rate(" + METRIC + "[5m]";
        JsonNode api = RunningServer.JSON.readTree(server.get("/api/v1/query_range?start=0&end=60&step=15&query="
                + URLEncoder.encode(bad, StandardCharsets.UTF_8)).body());
        assertThat(api.path("status").asText()).isEqualTo("error");

        browser.get(server.uri("/").toString());
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
        screenshot("explore-error.png");

        // A step that is no duration is refused in the page, naming the field, before any request.
        query.clear();
        query.sendKeys(METRIC);
        browser.findElement(By.id("step")).sendKeys("fast", Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("error"),
                "step: \"fast\" is not a duration such as 15s, 1m or 1h, nor a number of seconds"));
        // The only console error is Chromium's note of the 400 itself.
        assertThat(severe()).allSatisfy(e -> assertThat(e.getMessage()).contains("/api/v1/query_range").contains("400"));
    }

    private void assertDrawn() {
        WebElement cell = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#table tbody td.series")));
        List<WebElement> rows = browser.findElements(By.cssSelector("#table tbody tr"));
        assertThat(rows).hasSize(1);
        assertThat(cell.getText()).isEqualTo(METRIC + "{room=\"kitchen\"}");
        assertThat(rows.getFirst().findElement(By.cssSelector("td.value")).getText()).isEqualTo("21.5");
        assertThat(browser.findElement(By.cssSelector("#chart .u-legend")).getText()).contains(METRIC + "{room=\"kitchen\"}");
        // The line is drawn: some pixels of the plot canvas are not transparent.
        Object painted = ((JavascriptExecutor) browser).executeScript("""
                const c = document.querySelector('#chart canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
                return n;""");
        assertThat((Long) painted).isGreaterThan(100L);
    }

    private List<LogEntry> severe() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }
}
