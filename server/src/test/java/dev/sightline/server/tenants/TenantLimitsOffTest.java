package dev.sightline.server.tenants;

import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.tenants.RemoteWrites.label;
import static org.assertj.core.api.Assertions.assertThat;

/** With multitenancy off, tenant limits in sightline.yml change nothing: the header is ignored and nothing is refused. */
class TenantLimitsOffTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void limitsUnderTenantsDoNothingWithMultitenancyOff() throws Exception {
        long t = System.currentTimeMillis() - 120_000;
        server.start(dir, """
                tenants:
                  multitenancy_enabled: false
                  max_tenants: 1
                  defaults: {max_line_size: 1B, ingestion_rate_mb: 0.000001, ingestion_burst_size_mb: 0.000001,
                             ingestion_rate_limit_bytes: 1, ingestion_burst_size_bytes: 1, max_bytes_per_trace: 1,
                             max_label_names_per_series: 1, retention_period: 1s, block_retention: 1s,
                             compactor_blocks_retention_period: 1s, max_global_exemplars_per_user: 1}
                """);
        for (String tenant : new String[] {"x", "y", "z"}) {
            HttpResponse<String> logs = server.send(server.request("/loki/api/v1/push").header(Tenants.HEADER, tenant)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"streams": [{"stream": {"job": "j", "a": "b"}, "values": [["%d000000", "a line of some length"]]}]}
                            """.formatted(t))));
            assertThat(logs.statusCode()).as(logs.body()).isEqualTo(204);
            HttpResponse<String> spans = server.send(server.request("/v1/traces").header(Tenants.HEADER, tenant)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "0af7651916cd43dd8448eb211c80319c",
                              "spanId": "00000000000000a1", "name": "op", "startTimeUnixNano": "%d000000",
                              "endTimeUnixNano": "%d000000"}]}]}]}
                            """.formatted(t, t + 5))));
            assertThat(spans.statusCode()).as(spans.body()).isEqualTo(200);
            byte[] raw = message(o -> o.writeByteArray(1, message(s -> {
                label(s, "__name__", "m");
                label(s, "a", "b");
                label(s, "c", "d");
                s.writeByteArray(2, message(x -> {
                    x.writeDouble(1, 1);
                    x.writeInt64(2, t);
                }));
            })));
            assertThat(RemoteWrites.write(server, tenant, raw, "prometheus.WriteRequest").statusCode()).isEqualTo(204);
        }
        assertThat(server.query("count_over_time(m[10m])").get(0).path("value").get(1)
                .asText()).isEqualTo("1");
        assertThat(server.get("/metrics").body()).doesNotContain("sightline_tenant");
    }
}
