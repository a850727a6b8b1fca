package dev.sightline.server.otlp;

import dev.sightline.server.RunningServer;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The receiver as SightlineServer wires it: the OTLP ports from the server section, data queryable over the Prometheus API. */
class OtlpServerWiringTest {
    @Test
    void otlpPortsComeFromTheServerSection() throws Exception {
        SightlineConfig cfg = new ConfigLoader().parse("sightline.yml",
                "server:\n  otlp_grpc_port: -1\n  otlp_http_port: 4999\n".getBytes(StandardCharsets.UTF_8));
        assertThat(cfg.server().otlpGrpcPort()).isEqualTo(-1);
        assertThat(cfg.server().otlpHttpPort()).isEqualTo(4999);
        assertThat(SightlineConfig.defaults().server().otlpGrpcPort()).isEqualTo(4317);
        assertThat(SightlineConfig.defaults().server().otlpHttpPort()).isEqualTo(4318);
        assertThatThrownBy(() -> new ConfigLoader().parse("sightline.yml",
                "server:\n  otlp_http_port: 70000\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("otlp_http_port");
    }

    @Test
    void exportIsQueryableThroughThePrometheusApi(@TempDir Path dir) throws Exception {
        try (RunningServer server = new RunningServer().start(dir, null)) {
            OtlpReceiver otlp = server.server().otlp();
            assertThat(otlp.grpcPort()).isPositive().isNotEqualTo(4317);
            assertThat(otlp.httpPort()).isPositive().isNotEqualTo(4318);
            long nowNs = System.currentTimeMillis() * 1_000_000L;
            String json = """
                    {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"wired"}}]},
                     "scopeMetrics":[{"metrics":[{"name":"temperature","unit":"Cel","gauge":{
                     "dataPoints":[{"timeUnixNano":"%d","asDouble":21.5}]}}]}]}]}""".formatted(nowNs);
            HttpResponse<String> post = server.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlp.httpPort() + "/v1/metrics"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
            assertThat(post.statusCode()).isEqualTo(200);
            HttpResponse<String> q = server.get("/api/v1/query?query=temperature_celsius%7Bjob%3D%22wired%22%7D");
            assertThat(q.statusCode()).isEqualTo(200);
            assertThat(q.body()).contains("\"__name__\":\"temperature_celsius\"", "\"job\":\"wired\"", "\"21.5\"");
        }
    }
}
