package dev.sightline.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import dev.sightline.server.synthetics.ShopCanary;
import dev.sightline.synthetics.canary.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Synthetics page in Debian's headless Chromium against a running server with one canary over an in-test app (a
 * fresh reader, and a stale one: a cache serving a value written an hour ago) and one journey whose second step's
 * assertion fails: both show with their states, the failed assertion and links to Explore and their traces; the
 * canary's trace link opens its trace.
 */
class SyntheticsBrowserIT {
    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();
    @RegisterExtension
    final Browser ui = new Browser();

    private static ShopCanary shop;

    @BeforeAll
    static void start() throws Exception {
        shop = new ShopCanary();
        server.start(dataDir, shop.config() + """
                journeys:
                  inline:
                    - name: storefront
                      interval: 1s
                      steps:
                        - {name: home, request: {url: "%1$s"}, assert: [{status: 200}]}
                        - {name: content, request: {url: "%1$s"}, assert: [{jsonpath: "$.value", equals: "tea"}]}
                """.formatted(shop.appUrl("/cache")));
        Poll.until(20, "a traced canary round and journey run", () -> {
            try {
                JsonNode c = server.getJson("/api/v1/canaries").path("data").path("canaries").path(0);
                JsonNode j = server.getJson("/api/v1/journeys").path("data").path(0).path("lastRun");
                return c.path("lastTraceId").isTextual() && c.path("readers").path(1).path("stalenessSeconds").isNumber()
                        && j.path("traceId").isTextual();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterAll
    static void stopApps() {
        shop.close();
    }

    @Test
    void showsCanariesAndJourneysWithTheirStatesAndOpensTheirTraces() throws Exception {
        ChromeDriver browser = ui.driver();
        ui.open(server.uri("/synthetics"));
        assertThat(browser.findElement(By.cssSelector("nav a[aria-current='page']")).getText()).isEqualTo("Synthetics");

        WebElement canary = browser.findElement(By.cssSelector("article[data-canary='shop']"));
        assertThat(canary.findElement(By.cssSelector("h3 .badge")).getText()).isEqualTo("degraded");
        List<WebElement> readers = canary.findElements(By.cssSelector("table.readers tbody tr"));
        assertThat(readers).hasSize(2);
        assertThat(readers.get(0).getText()).startsWith("fresh http").contains("fresh");
        List<WebElement> staleCells = readers.get(1).findElements(By.tagName("td"));
        assertThat(staleCells.get(0).getText()).isEqualTo("stale");
        assertThat(staleCells.get(2).getText()).isEqualTo("region=\"us\"");
        assertThat(staleCells.get(3).getText()).isEqualTo("stale");
        assertThat(Double.parseDouble(staleCells.get(4).getText().replace("s", ""))).isBetween(3600.0, 3700.0);
        assertThat(URLDecoder.decode(readers.get(1).findElement(By.cssSelector("a.explore-link")).getAttribute("href"),
                StandardCharsets.UTF_8)).endsWith("/explore?query=sightline_canary_staleness_seconds{canary=\"shop\",reader=\"stale\"}");

        WebElement journey = browser.findElement(By.cssSelector("article[data-journey='storefront']"));
        assertThat(journey.findElement(By.cssSelector("h3 .badge")).getText()).isEqualTo("failed");
        List<WebElement> steps = journey.findElements(By.cssSelector("table.steps tbody tr"));
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).findElements(By.tagName("td")).get(1).getText()).isEqualTo("passed");
        assertThat(steps.get(1).findElements(By.tagName("td")).get(1).getText()).isEqualTo("failed");
        assertThat(steps.get(1).findElement(By.cssSelector(".failure")).getText()).startsWith("assertion jsonpath $.value equals \"tea\"");
        assertThat(steps.get(0).getText()).contains("connect");
        assertThat(journey.findElement(By.cssSelector("a.trace-link")).getAttribute("href")).matches(".*/traces/[0-9a-f]{32}");
        ui.screenshot("synthetics.png");
        assertThat(ui.severe()).isEmpty();

        // The canary's trace link opens its round: the root, the write and a span per reader, the stale one and the root in error.
        WebElement trace = canary.findElement(By.cssSelector("a.trace-link"));
        String href = trace.getAttribute("href");
        trace.click();
        ui.waiting().until(ExpectedConditions.urlToBe(href));
        ui.waiting().until(d -> d.findElements(By.cssSelector("body[data-page='traces'] #waterfall .span-row")).size() == 4);
        assertThat(browser.findElement(By.id("trace-summary")).getText()).contains("4 spans", "2 with status error");
        assertThat(browser.findElements(By.cssSelector("#waterfall .span-row .waterfall-name")).stream().map(WebElement::getText))
                .anySatisfy(n -> assertThat(n).contains("read stale"));
        ui.screenshot("synthetics-canary-trace.png");
        assertThat(ui.severe()).isEmpty();
    }
}
