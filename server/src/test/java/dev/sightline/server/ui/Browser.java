package dev.sightline.server.ui;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's headless Chromium driven through chromedriver, one fresh browser (and profile) per test: register with
 * {@code @RegisterExtension final Browser browser = new Browser();}. A test is skipped with "peer not available"
 * where the binaries are absent (.ci/run installs them and fails on such a skip). Screenshots go to
 * {@code <build dir>/ui-screenshots}.
 */
public final class Browser implements BeforeEachCallback, AfterEachCallback {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of(System.getProperty("sightline.build.directory", "target"), "ui-screenshots");

    private Path profile;
    private ChromeDriver driver;
    private WebDriverWait wait;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "peer not available: " + CHROMIUM + " and " + CHROMEDRIVER + " (Debian packages chromium, chromium-driver)");
        profile = Files.createTempDirectory("sightline-chromium");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                        "--disable-background-networking", "--disable-component-update", "--no-first-run",
                        "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    public WebDriverWait waiting() {
        return wait;
    }

    /** Opens a UI URL and waits until app.js has mounted its page (body[data-page] names it). */
    public void open(URI uri) {
        driver.get(uri.toString());
        wait.until(d -> !d.findElements(By.cssSelector("body[data-page]")).isEmpty());
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Console entries at SEVERE (uncaught errors, failed requests) since the last call. */
    public List<LogEntry> severe() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    }

    /** How many pixels of the first canvas under {@code css} are not transparent: a drawn chart has many. */
    public long paintedPixels(String css) {
        return (Long) script("""
                const c = document.querySelector(arguments[0] + ' canvas');
                if (!c) return 0;
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
                return n;""", css);
    }

    public void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }
}
