package dev.sightline.server.ui;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.TenantView;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A multitenant server in Debian's headless Chromium: the UI sends no tenant until one is set in the header's Tenant
 * field (401 "no org id" shown), then every request names it, so Explore shows that tenant's series and not the
 * other's; the choice survives a reload (localStorage).
 */
class TenantBrowserIT extends BrowserTest {
    private static final String METRIC = "tenant_ui_temperature";

    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, """
                tenants:
                  multitenancy_enabled: true
                """);
        long now = System.currentTimeMillis();
        for (String t : List.of("a", "b")) {
            Appender app = TenantView.storage(server.storage(), t).appender();
            for (int i = 20; i >= 0; i--) {
                app.append(0, Labels.of("__name__", METRIC, "room", t + "-room"), now - i * 15_000L, t.equals("a") ? 21 : 35);
            }
            app.commit();
        }
    }

    @Test
    void exploreShowsTheSeriesOfTheTenantSetInTheHeaderOnly() throws Exception {
        ui.open(server.uri("/explore?query=" + METRIC));
        // No tenant set: the server refuses, and the page says why.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "no org id"));
        assertThat(browser.findElement(By.id("tenant")).getAttribute("value")).isEmpty();
        ui.severe();

        useTenant("a");
        assertThat(rows()).containsExactly(METRIC + "{room=\"a-room\"}");
        ui.screenshot("tenant-a.png");
        // The choice is kept in this browser: a page opened anew still reads as tenant a.
        ui.open(server.uri("/explore?query=" + METRIC));
        assertThat(browser.findElement(By.id("tenant")).getAttribute("value")).isEqualTo("a");
        assertThat(rows()).containsExactly(METRIC + "{room=\"a-room\"}");

        useTenant("b");
        assertThat(rows()).containsExactly(METRIC + "{room=\"b-room\"}");
        assertThat(ui.severe()).isEmpty();
    }

    /** Types the tenant into the header field and waits for the page to come back as that tenant. */
    private void useTenant(String id) {
        WebElement body = browser.findElement(By.tagName("body"));
        WebElement field = browser.findElement(By.id("tenant"));
        field.clear();
        field.sendKeys(id, Keys.ENTER);
        wait.until(ExpectedConditions.stalenessOf(body));
        wait.until(d -> !d.findElements(By.cssSelector("body[data-page]")).isEmpty());
    }

    /** The series cells of Explore's table once drawn. */
    private List<String> rows() {
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#table tbody td.series")));
        return browser.findElements(By.cssSelector("#table tbody td.series")).stream().map(WebElement::getText).toList();
    }
}
