package dev.sightline.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running server scrapes an OpenMetrics exposition over HTTP; a counter's and a histogram's {@code _created} lines
 * become the start timestamps that {@code start_timestamp()} returns, and the {@code _created} series is still stored.
 */
class ScrapeStartTimestampEndToEndTest {
    private static final String EXPOSITION = """
            # TYPE st_orders counter
            st_orders_total{side="buy"} 17
            st_orders_created{side="buy"} 1.7e9
            # TYPE st_lat histogram
            st_lat_bucket{le="+Inf"} 2
            st_lat_count 2
            st_lat_sum 0.5
            st_lat_created 1700000000.25
            # EOF
            """;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void startTimestampOfAScrapedCounterIsItsCreatedLine(@TempDir Path dir) throws Exception {
        HttpServer exporter = OpenMetricsExporter.start(EXPOSITION);
        String yaml = """
                scrape_configs:
                  - job_name: st
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(exporter.getAddress().getPort());
        SightlineConfig config = new ConfigLoader().parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8));
        try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(dir, "127.0.0.1", 0, config))) {
            server.storage().get(30, TimeUnit.SECONDS);
            JsonNode orders = awaitOne(server, "start_timestamp(st_orders_total{job=\"st\",side=\"buy\"})");
            assertThat(orders.get("value").get(1).asText()).isEqualTo("1700000000");
            JsonNode buckets = awaitOne(server, "start_timestamp(st_lat_bucket{job=\"st\"})");
            assertThat(buckets.get("value").get(1).asText()).isEqualTo("1700000000.25");
            assertThat(awaitOne(server, "start_timestamp(st_lat_sum{job=\"st\"})").get("value").get(1).asText()).isEqualTo("1700000000.25");
            assertThat(awaitOne(server, "st_orders_created{job=\"st\"}").get("value").get(1).asText()).isEqualTo("1700000000");
        } finally {
            exporter.stop(0);
        }
    }

    /** The single result of an instant query, waiting up to 30 s for the first scrapes. */
    private JsonNode awaitOne(SightlineServer server, String promql) throws Exception {
        JsonNode result = null;
        for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; Thread.sleep(100)) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                    + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            result = new ObjectMapper().readTree(r.body()).get("data").get("result");
            if (result.size() > 0) {
                break;
            }
        }
        assertThat(result).as(promql + " -> " + result).hasSize(1);
        return result.get(0);
    }
}
