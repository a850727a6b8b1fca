package dev.sightline.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

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

    @Test
    void startTimestampOfAScrapedCounterIsItsCreatedLine(@TempDir Path dir) throws Exception {
        try (OpenMetricsExporter exporter = new OpenMetricsExporter(EXPOSITION);
             RunningServer server = new RunningServer().start(dir, exporter.scrapeConfig("st"))) {
            JsonNode orders = awaitOne(server, "start_timestamp(st_orders_total{job=\"st\",side=\"buy\"})");
            assertThat(orders.get("value").get(1).asText()).isEqualTo("1700000000");
            JsonNode buckets = awaitOne(server, "start_timestamp(st_lat_bucket{job=\"st\"})");
            assertThat(buckets.get("value").get(1).asText()).isEqualTo("1700000000.25");
            assertThat(awaitOne(server, "start_timestamp(st_lat_sum{job=\"st\"})").get("value").get(1).asText()).isEqualTo("1700000000.25");
            assertThat(awaitOne(server, "st_orders_created{job=\"st\"}").get("value").get(1).asText()).isEqualTo("1700000000");
        }
    }

    /** The single result of an instant query, waiting up to 30 s for the first scrapes. */
    private static JsonNode awaitOne(RunningServer server, String promql) throws Exception {
        JsonNode result = null;
        for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; Thread.sleep(100)) {
            result = server.query(promql);
            if (result.size() > 0) {
                break;
            }
        }
        assertThat(result).as(promql + " -> " + result).hasSize(1);
        return result.get(0);
    }
}
