package dev.sightline.server.ui;

import dev.sightline.server.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sightline demo} as a user starts it, in a child JVM (this test run's class path, the launcher's entry
 * point) with a data directory of its own and free ports: 50 hours of history (the runaway detector compares with
 * the same time on earlier days) and the first incident 5 s after the company starts ({@code --incident-delay}; 90 s
 * by default). Once the console says which alert caught it, the link it printed opens in Chromium on that alert:
 * firing, about the incident's strategy, its expression graphed.
 */
class DemoBrowserIT {
    private static final Pattern UI = Pattern.compile("^Sightline UI: (http://localhost:\\d+/)$", Pattern.MULTILINE);
    private static final Pattern CAUGHT = Pattern.compile(
            "ALERT     (\\S+) caught #1 runaway strategy (\\d+) s after it began: (.+)\n +see (\\S+)\n");

    @RegisterExtension
    final Browser ui = new Browser();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void theFirstIncidentsAlertOpensFromTheConsoleFiringWithItsGraph(@TempDir Path dir) throws Exception {
        Path console = dir.resolve("console.txt");
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        long t0 = System.nanoTime();
        Process demo = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "demo",
                "--data-dir", dir.resolve("data").toString(), "--http-port", "0", "--webhook-port", "0", "--cache-port", "0",
                "--history", "50h", "--incident-delay", "5s")
                .redirectOutput(console.toFile()).redirectError(dir.resolve("log.txt").toFile()).start();
        try {
            Matcher caught = CAUGHT.matcher("");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (!caught.reset(read(console)).find()) {
                assertThat(demo.isAlive()).as("demo running\n" + read(console) + read(dir.resolve("log.txt"))).isTrue();
                assertThat(System.nanoTime()).as("first incident caught within 150 s:\n" + read(console)).isLessThan(deadline);
                Thread.sleep(250);
            }
            String out = read(console);
            System.out.print(out);
            System.out.printf("alert on the console %.1f s after the demo started%n", (System.nanoTime() - t0) / 1e9);
            Matcher address = UI.matcher(out);
            assertThat(address.find()).as(out).isTrue();
            assertThat(out).startsWith(address.group()).contains("INCIDENT  #1 runaway strategy");
            String alert = caught.group(1);
            assertThat(alert).isIn("RunawayStrategy", "StrategyLosing");
            assertThat(caught.group(3)).contains("momentum");
            URI link = URI.create(caught.group(4));
            assertThat(link.toString()).isEqualTo(address.group(1) + "alerts?alert=" + alert);

            ui.open(link);
            WebDriverWait wait = ui.waiting();
            WebElement detail = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("alert-detail")));
            assertThat(detail.findElement(By.tagName("h2")).getText()).isEqualTo(alert);
            WebElement firing = wait.until(d -> d.findElements(By.cssSelector("#alert-detail tr.instance.state-firing")).stream()
                    .filter(r -> r.getText().contains("strategy=\"momentum\"")).findFirst().orElse(null));
            assertThat(firing.getText()).contains("firing");
            // The expression over the last hour: a range query of the rule's own expression, drawn once it answers.
            new WebDriverWait(ui.driver(), Duration.ofSeconds(60))
                    .until(d -> ui.paintedPixels("#alert-detail .alert-chart") > 100);
            assertThat(detail.findElement(By.cssSelector(".graph-note")).getText()).matches("\\d+ series, .*")
                    .doesNotStartWith("0 series").contains("active since");
            ui.screenshot("demo-first-alert.png");
            assertThat(ui.severe()).isEmpty();
            System.out.printf("alert page drawn %.1f s after the demo started%n", (System.nanoTime() - t0) / 1e9);
        } finally {
            demo.destroy();
            if (!demo.waitFor(30, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }
        assertThat(read(console)).endsWith("stopping the demo\n");
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
