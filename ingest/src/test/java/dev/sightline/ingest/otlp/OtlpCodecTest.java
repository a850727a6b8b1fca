package dev.sightline.ingest.otlp;

import com.google.protobuf.CodedInputStream;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OtlpCodecTest {
    private static final String JSON = """
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
             "scopeMetrics":[{"scope":{"name":"lib"},"metrics":[{"name":"c","sum":{"aggregationTemporality":2,"isMonotonic":true,
             "dataPoints":[{"timeUnixNano":"1700000000000000000","asInt":"7","exemplars":[{"timeUnixNano":"1700000000000000000",
             "asDouble":1.5,"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}}]}]}]}
            """;

    @Test
    void jsonWithHexIdsAndStringInt64() throws Exception {
        ExportMetricsServiceRequest req = OtlpCodec.parseJson(JSON.getBytes(StandardCharsets.UTF_8));
        NumberDataPoint p = req.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getSum().getDataPoints(0);
        assertThat(p.getAsInt()).isEqualTo(7);
        assertThat(p.getTimeUnixNano()).isEqualTo(1_700_000_000_000_000_000L);
        Exemplar e = p.getExemplars(0);
        assertThat(e.getTraceId().toByteArray()).hasSize(16);
        assertThat(java.util.HexFormat.of().formatHex(e.getTraceId().toByteArray())).isEqualTo("5b8efff798038103d269b633813fc60c");
        assertThat(java.util.HexFormat.of().formatHex(e.getSpanId().toByteArray())).isEqualTo("eee19b7ec3c1b174");
    }

    @Test
    void malformedBodiesAreTypedErrors() {
        assertThatThrownBy(() -> OtlpCodec.parseJson("{\"resourceMetrics\": [".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedOtlpException.class).hasMessageContaining("invalid OTLP JSON");
        assertThatThrownBy(() -> OtlpCodec.checkProtobuf(new byte[]{(byte) 0x0a, (byte) 0xff}))
                .isInstanceOf(MalformedOtlpException.class).hasMessageContaining("invalid protobuf");
        assertThatThrownBy(() -> OtlpCodec.gunzip(new byte[]{1, 2, 3}, 100)).isInstanceOf(MalformedOtlpException.class);
    }

    @Test
    void gzipLimit() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(new byte[1000]);
        }
        assertThat(OtlpCodec.gunzip(bytes.toByteArray(), 1000)).hasSize(1000);
        assertThatThrownBy(() -> OtlpCodec.gunzip(bytes.toByteArray(), 999)).isInstanceOf(OtlpCodec.TooLargeException.class);
    }

    @Test
    void responsesAndStatus() throws Exception {
        assertThat(OtlpCodec.response(new OtlpResult(3, 0, 3, Map.of(), "")).hasPartialSuccess()).isFalse();
        var partial = OtlpCodec.response(new OtlpResult(1, 2, 1, Map.of("x", 2L), "2 data points rejected: why"));
        assertThat(partial.getPartialSuccess().getRejectedDataPoints()).isEqualTo(2);
        assertThat(new String(OtlpCodec.toJson(partial), StandardCharsets.UTF_8))
                .isEqualTo("{\"partialSuccess\":{\"rejectedDataPoints\":\"2\",\"errorMessage\":\"2 data points rejected: why\"}}");
        CodedInputStream in = CodedInputStream.newInstance(OtlpCodec.statusProtobuf(3, "bad \"body\""));
        assertThat(in.readTag()).isEqualTo(1 << 3);
        assertThat(in.readInt32()).isEqualTo(3);
        assertThat(in.readTag()).isEqualTo(2 << 3 | 2);
        assertThat(in.readString()).isEqualTo("bad \"body\"");
        assertThat(new String(OtlpCodec.statusJson(3, "bad \"body\""), StandardCharsets.UTF_8)).isEqualTo("{\"code\":3,\"message\":\"bad \\\"body\\\"\"}");
    }
}
