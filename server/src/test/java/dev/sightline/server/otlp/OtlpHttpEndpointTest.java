package dev.sightline.server.otlp;

import com.google.protobuf.CodedInputStream;
import dev.sightline.core.Labels;
import dev.sightline.ingest.IngestLimits;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** OTLP/HTTP status codes and bodies over real HTTP into a real Tsdb. */
class OtlpHttpEndpointTest {
    private static final long T = 1_700_000_000_000_000_000L;
    @TempDir
    Path dir;
    private OtlpTestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private OtlpTestServer start(IngestLimits limits) throws Exception {
        server = new OtlpTestServer(dir, limits);
        return server;
    }

    private static ExportMetricsServiceRequest request(Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("svc"))))
                .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(java.util.List.of(metrics)))).build();
    }

    private static Metric gauge(String name, double v) {
        return Metric.newBuilder().setName(name).setGauge(Gauge.newBuilder().addDataPoints(
                NumberDataPoint.newBuilder().setTimeUnixNano(T).setAsDouble(v))).build();
    }

    @Test
    void protobufOnTheOtlpPortAndPartialSuccess() throws Exception {
        start(IngestLimits.DEFAULT);
        Metric badScale = Metric.newBuilder().setName("bad").setExponentialHistogram(ExponentialHistogram.newBuilder()
                .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T).setScale(-9).setCount(1))).build();
        HttpResponse<byte[]> r = server.postMetrics(server.receiver.httpPort(), "application/x-protobuf", request(gauge("good", 4), badScale).toByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
        ExportMetricsServiceResponse resp = ExportMetricsServiceResponse.parseFrom(r.body());
        assertThat(resp.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
        assertThat(resp.getPartialSuccess().getErrorMessage()).contains("metric \"bad\"", "scale -9");
        assertThat(server.lastValue(Labels.of("__name__", "good", "job", "svc"))).isEqualTo(4);

        String scrape = new String(server.main.metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(scrape).contains("sightline_ingest_otlp_data_points_total{protocol=\"otlp_http\",result=\"accepted\"} 1.0")
                .contains("sightline_ingest_otlp_data_points_total{protocol=\"otlp_http\",result=\"invalid_histogram\"} 1.0")
                .contains("sightline_ingest_otlp_requests_total{code=\"200\",protocol=\"otlp_http\"} 1.0");
    }

    @Test
    void jsonOnTheMainPort() throws Exception {
        start(IngestLimits.DEFAULT);
        String json = """
                {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"js"}}]},
                 "scopeMetrics":[{"metrics":[{"name":"reqs","sum":{"aggregationTemporality":2,"isMonotonic":true,
                 "dataPoints":[{"timeUnixNano":"1700000000000000000","asInt":"12"}]}}]}]}]}""";
        HttpResponse<byte[]> r = server.postMetrics(server.main.port(), "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
        assertThat(server.lastValue(Labels.of("__name__", "reqs_total", "job", "js"))).isEqualTo(12);
    }

    @Test
    void malformedBodiesAre400WithAStatus() throws Exception {
        start(IngestLimits.DEFAULT);
        HttpResponse<byte[]> proto = server.postMetrics(server.receiver.httpPort(), "application/x-protobuf", new byte[]{0x0a, (byte) 0xff, 0x01});
        assertThat(proto.statusCode()).isEqualTo(400);
        CodedInputStream in = CodedInputStream.newInstance(proto.body());
        assertThat(in.readTag()).isEqualTo(1 << 3);
        assertThat(in.readInt32()).isEqualTo(3);
        assertThat(in.readTag()).isEqualTo(2 << 3 | 2);
        assertThat(in.readString()).startsWith("invalid protobuf ExportMetricsServiceRequest");

        HttpResponse<byte[]> json = server.postMetrics(server.receiver.httpPort(), "application/json", "{\"resourceMetrics\":".getBytes(StandardCharsets.UTF_8));
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(new String(json.body(), StandardCharsets.UTF_8)).startsWith("{\"code\":3,\"message\":\"invalid OTLP JSON");
    }

    @Test
    void unsupportedTypeIs415() throws Exception {
        start(IngestLimits.DEFAULT);
        assertThat(server.postMetrics(server.receiver.httpPort(), "text/plain", new byte[0]).statusCode()).isEqualTo(415);
        assertThat(server.postMetrics(server.main.port(), null, new byte[0]).statusCode()).isEqualTo(415);
    }

    @Test
    void tooLargeIs413() throws Exception {
        start(IngestLimits.DEFAULT.withMaxDecompressedBytes(1024));
        byte[] big = request(gauge("x".repeat(2000), 1)).toByteArray();
        assertThat(server.postMetrics(server.receiver.httpPort(), "application/x-protobuf", big).statusCode()).isEqualTo(413);
        assertThat(server.postMetrics(server.main.port(), "application/x-protobuf", big).statusCode()).isEqualTo(413);
        assertThat(server.postMetrics(server.receiver.httpPort(), "application/x-protobuf", request(gauge("small", 1)).toByteArray()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void storageNotReadyIs503() throws Exception {
        start(IngestLimits.DEFAULT);
        server.storage.set(null);
        HttpResponse<byte[]> r = server.postMetrics(server.receiver.httpPort(), "application/x-protobuf", request(gauge("g", 1)).toByteArray());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    }
}
