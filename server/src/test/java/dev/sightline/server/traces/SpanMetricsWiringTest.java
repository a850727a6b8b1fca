package dev.sightline.server.traces;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.server.RunningServer;
import dev.sightline.traces.metrics.MetricsGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server runs the metrics generator from its configuration into its own storage: spans handed to it come back
 * as span metrics from /api/v1/query and their trace ids from /api/v1/query_exemplars.
 */
class SpanMetricsWiringTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final RunningServer server = new RunningServer();

    @Test
    void consumedSpansComeBackAsSpanMetricsWithExemplars() throws Exception {
        server.start(dir, """
                metrics_generator:
                  collection_interval: 100ms
                """);
        MetricsGenerator generator = server.server().spanMetrics();
        SpanResource checkout = new SpanResource(new Attributes.Builder().addString("service.name", "checkout").build(), 0, "");
        long end = System.currentTimeMillis() * 1_000_000;
        for (int i = 1; i <= 3; i++) {
            generator.consume(checkout, InstrumentationScope.EMPTY, new Span(0xabc, i, 1, 0, "", 0, "GET /cart", SpanKind.SERVER,
                    end - 1_500_000_000L, end, Attributes.EMPTY, 0, List.of(), 0, List.of(), 0, StatusCode.UNSET, ""));
        }
        String q = "sum(traces_spanmetrics_calls_total{service=\"checkout\", span_kind=\"SPAN_KIND_SERVER\"})";
        JsonNode result = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            result = server.query(q);
            if (result.size() == 1 && result.get(0).path("value").get(1).asText().equals("3")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(result).as(q).hasSize(1);
        assertThat(result.get(0).path("value").get(1).asText()).isEqualTo("3");

        JsonNode ex = server.getJson("/api/v1/query_exemplars?query="
                + URLEncoder.encode("traces_spanmetrics_latency_bucket{le=\"2.048\"}", StandardCharsets.UTF_8)).path("data");
        assertThat(ex).hasSize(1);
        assertThat(ex.get(0).path("seriesLabels").path("service").asText()).isEqualTo("checkout");
        assertThat(ex.get(0).path("exemplars").get(0).path("labels").path("trace_id").asText())
                .isEqualTo("0000000000000abc0000000000000003");
        assertThat(ex.get(0).path("exemplars").get(0).path("value").asText()).isEqualTo("1.5");
    }
}
