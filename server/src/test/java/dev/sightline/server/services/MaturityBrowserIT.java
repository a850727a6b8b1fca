package dev.sightline.server.services;

import dev.sightline.server.RunningServer;
import dev.sightline.server.ui.Browser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** /maturity in headless Chromium against a running server holding {@link MaturityData}. */
class MaturityBrowserIT {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();
    @RegisterExtension
    final Browser ui = new Browser();

    @BeforeAll
    static void start() throws Exception {
        server.start(dir, MaturityData.config(dir));
        MaturityData.write(server, System.currentTimeMillis());
        MaturityData.recordDrill(dir.resolve("data"), Instant.now().minus(1, ChronoUnit.DAYS).toString(), "checkout");
    }

    @Test
    void everyServiceOnItsLadderWithWhatIsMissing() throws Exception {
        ui.open(server.uri("/maturity"));
        ui.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#maturity .maturity-service")));
        Map<String, String> levels = new LinkedHashMap<>();
        for (WebElement s : ui.driver().findElements(By.cssSelector(".maturity-service"))) {
            levels.put(s.getAttribute("data-service"), s.findElement(By.cssSelector(".maturity-badge")).getText());
            // Five rungs, the reached ones marked up to the level.
            assertThat(s.findElements(By.cssSelector(".ladder > li"))).hasSize(5);
            assertThat(s.findElements(By.cssSelector(".ladder > li.rung-reached")))
                    .hasSize(Integer.parseInt(s.getAttribute("data-level")));
        }
        assertThat(levels).containsExactly(Map.entry("archive", "3 proactive"), Map.entry("batch", "3 proactive"),
                Map.entry("checkout", "5 predictive"), Map.entry("frontend", "1 blind"), Map.entry("node", "2 reactive"),
                Map.entry("payments", "4 insightful"), Map.entry("web", "2 reactive"));

        WebElement payments = ui.driver().findElement(By.cssSelector(".maturity-service[data-service=payments]"));
        assertThat(payments.findElement(By.cssSelector(".next")).getText()).isEqualTo(
                "Next: 5 predictive, missing business KPIs with anomaly rules; freshness canaries or journeys; drills passed in the last 30 days");
        assertThat(payments.findElement(By.cssSelector("[data-criterion=drills] .evidence")).getText()).isEqualTo("none recorded");
        assertThat(payments.findElement(By.cssSelector("[data-criterion=trace_linked_logs]")).getAttribute("class")).contains("met");
        WebElement checkout = ui.driver().findElement(By.cssSelector(".maturity-service[data-service=checkout]"));
        assertThat(checkout.findElement(By.cssSelector(".next")).getText()).isEqualTo("Every level reached.");
        assertThat(ui.driver().findElement(By.cssSelector("header a[aria-current]")).getText()).isEqualTo("Maturity");
        ui.screenshot("maturity.png");
        assertThat(ui.severe()).isEmpty();

        // The golden-signals link opens the service's page, by keyboard.
        checkout.findElement(By.linkText("Golden signals")).sendKeys(Keys.ENTER);
        ui.waiting().until(ExpectedConditions.urlContains("/services/checkout"));
    }
}
