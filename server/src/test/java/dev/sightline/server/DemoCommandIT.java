package dev.sightline.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sightline demo} end to end, compressed: its own server on a free port, 50 hours of history
 * (enough for the daily seasonal baseline), the first incident (the runaway strategy) 5 s after the company starts.
 * The alert must fire, the halt webhook must be called, and the console must say so with the alert's page. The
 * example dashboards are listed and draw data, and the product-cache canary reads every replica the demo serves.
 */
class DemoCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void firstIncidentIsCaughtHaltedAndPrinted(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DemoCommand cmd = new DemoCommand();
        cmd.out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Thread run = Thread.ofPlatform().start(() -> new CommandLine(cmd).execute(
                "--data-dir", dir.resolve("data").toString(), "--http-port", "0", "--webhook-port", "0", "--cache-port", "0",
                "--history", "50h", "--incident-delay", "5s"));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(console(buf).contains("ALERT") && console(buf).contains("ACTION")) && System.nanoTime() < deadline && run.isAlive()) {
                Thread.sleep(250);
            }
            String out = console(buf);
            System.out.print(out);
            String[] lines = out.split("\n");
            Matcher ui = Pattern.compile("^Sightline UI: http://localhost:(\\d+)/$").matcher(lines[0]);
            assertThat(ui.matches()).as("first line is the UI address:\n" + out).isTrue();
            int port = Integer.parseInt(ui.group(1));
            assertThat(out).contains("HISTORY   backfilling 50 hours").doesNotContain("REJECTED")
                    .contains("INCIDENT  #1 runaway strategy: strategy momentum sends 40x");
            Matcher alert = Pattern.compile("ALERT     (RunawayStrategy|StrategyLosing) caught #1 runaway strategy (\\d+) s after it began: (.+)")
                    .matcher(out);
            assertThat(alert.find()).as(out).isTrue();
            assertThat(alert.group(3)).contains("momentum");
            String link = "http://localhost:" + port + "/alerts?alert=" + alert.group(1);
            assertThat(out).contains("see " + link).contains("ACTION    halt webhook called by")
                    .contains("strategy momentum halted");
            // The UI answers at the printed address. (The /alerts page the link opens is issue 15's, built alongside.)
            HttpResponse<String> page = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);

            JsonNode boards = api(port, "/api/v1/dashboards");
            List<String> uids = new ArrayList<>();
            boards.forEach(b -> {
                assertThat(b.path("error").isNull()).as(b.toString()).isTrue();
                uids.add(b.path("uid").asText());
            });
            assertThat(uids).containsExactly("cache-freshness", "orders", "rider-driver", "surge");
            // Panels of the boards on the company's metrics: the order flow and the native surge histogram.
            assertThat(api(port, "/api/v1/query?query=sum+by+(order_type)+(rate(orders_placed_total%7Bjob%3D%22trading-engine%22%7D%5B1m%5D))")
                    .path("result")).isNotEmpty();
            assertThat(api(port, "/api/v1/query?query=histogram_quantile(0.5,sum(rate(surge_multiplier%5B5m%5D)))").path("result")).isNotEmpty();

            // Rounds run every 30 s: within two, every replica has answered with a fresh value (no stale incident yet).
            JsonNode canary = null;
            long canaryDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(65);
            while (System.nanoTime() < canaryDeadline) {
                canary = api(port, "/api/v1/canaries").path("canaries").get(0);
                boolean allRead = canary.path("readers").size() == 6;
                for (JsonNode r : canary.path("readers")) {
                    allRead &= r.path("stalenessSeconds").isNumber();
                }
                if (allRead) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(canary.path("name").asText()).isEqualTo("product-cache");
            assertThat(canary.path("lastWriteError").isNull()).as(canary.toString()).isTrue();
            assertThat(canary.path("readers")).hasSize(6).allSatisfy(r -> assertThat(r.path("stalenessSeconds").asDouble(1e9))
                    .as(r.toString()).isLessThan(30));
            assertThat(Files.readString(dir.resolve("data").resolve("demo-backfill.done"))).startsWith("seed 17, ");
        } finally {
            cmd.stop.countDown();
            run.join(30_000);
        }
        assertThat(run.isAlive()).isFalse();
        assertThat(console(buf)).endsWith("stopping the demo\n");
    }

    private JsonNode api(int port, String pathAndQuery) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(pathAndQuery + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("data");
    }

    private static String console(ByteArrayOutputStream buf) {
        return buf.toString(StandardCharsets.UTF_8);
    }
}
