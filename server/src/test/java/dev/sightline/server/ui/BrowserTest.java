package dev.sightline.server.ui;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What a page's browser IT holds: a fresh Chromium per test ({@link Browser}, skipped where absent), its driver and
 * its 20 s wait. The wait looks an element up again when the page replaced it meanwhile: pages re-render their lists
 * and panels after each change.
 */
abstract class BrowserTest {
    @RegisterExtension
    final Browser ui = new Browser();

    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void openBrowser() {
        browser = ui.driver();
        wait = ui.waiting();
        wait.ignoring(StaleElementReferenceException.class);
    }
}
