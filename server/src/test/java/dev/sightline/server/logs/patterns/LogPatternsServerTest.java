package dev.sightline.server.logs.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server mines the lines it is handed (the log ingester's listener calls {@code logPatterns().observe}), serves
 * them on /loki/api/v1/patterns and writes the pattern counters into its metric store, the last time on shutdown.
 */
class LogPatternsServerTest {
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @Test
    void minedLinesAreServedAndCounted(@TempDir Path dir) throws Exception {
        server.start(dir, null);
        long now = System.currentTimeMillis() * 1_000_000L;
        Labels stream = Labels.of("service_name", "checkout");
        server.server().logPatterns().observe(List.of(
                new LogEntry(now, stream, Labels.EMPTY, "level=error msg=\"payment declined\" order=17"),
                new LogEntry(now, stream, Labels.EMPTY, "level=error msg=\"payment declined\" order=18")));
        HttpResponse<String> r = server.get("/loki/api/v1/patterns?query="
                + URLEncoder.encode("{service_name=\"checkout\"}", StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode data = RunningServer.JSON.readTree(r.body()).get("data");
        assertThat(data).hasSize(1);
        assertThat(data.get(0).get("pattern").asText()).isEqualTo("level=error msg=\"payment declined\" order=<_>");
        assertThat(data.get(0).get("samples").get(0).get(1).asLong()).isEqualTo(2);
        // Closing writes a last collection into storage; the restarted server reads it back.
        server.restart();
        JsonNode result = server.query("sightline_log_new_patterns_total{service=\"checkout\",level=\"error\"}");
        assertThat(result).hasSize(1);
        // Found in the service's learning period (its first 10 minutes): not counted as new, the series there at 0.
        assertThat(result.get(0).get("value").get(1).asText()).isEqualTo("0");
        JsonNode lines = server.query("sightline_log_pattern_lines_total{service=\"checkout\"}");
        assertThat(lines.get(0).get("value").get(1).asText()).isEqualTo("2");
        assertThat(lines.get(0).get("metric").get("pattern_id").asText()).hasSize(16);
    }
}
