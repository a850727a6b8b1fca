package dev.sightline.ingest.logs;

import com.google.protobuf.ByteString;
import dev.sightline.core.Labels;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.otlp.OtlpLogsDecoder;
import dev.sightline.logs.LogEntry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OTLP mapping on hand-built requests; the OpenTelemetry SDK with its Logback appender is in the server's tests. */
class OtlpLogsDecoderTest {
    private static final long NOW = 1_800_000_000_000_000_000L;
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "b7ad6b7169203331";

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    static ExportLogsServiceRequest request() {
        Resource resource = Resource.newBuilder().addAttributes(kv("service.name", "checkout"))
                .addAttributes(kv("deployment.environment", "prod")).addAttributes(kv("k8s.namespace.name", "shop"))
                .addAttributes(kv("host.name", "node-1")).build();
        LogRecord withTrace = LogRecord.newBuilder().setTimeUnixNano(1_700_000_000_000_000_001L)
                .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN).setSeverityText("WARN")
                .setBody(AnyValue.newBuilder().setStringValue("card declined"))
                .addAttributes(kv("http.status_code", "402"))
                .addAttributes(KeyValue.newBuilder().setKey("retries").setValue(AnyValue.newBuilder().setIntValue(3)))
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(SPAN))).build();
        LogRecord mapBody = LogRecord.newBuilder().setObservedTimeUnixNano(1_700_000_000_000_000_002L)
                .setSeverityText("Error")
                .setBody(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addValues(kv("event", "x"))))
                .setTraceId(ByteString.copyFrom(new byte[16])).build();
        LogRecord bare = LogRecord.newBuilder().build();
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource)
                .addScopeLogs(ScopeLogs.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("com.shop.Pay").setVersion("1.2")
                                .addAttributes(kv("scope.attr", "s")))
                        .addAllLogRecords(List.of(withTrace, mapBody, bare))))
                .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
                        .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(5).setBody(AnyValue.newBuilder().setDoubleValue(1.5)))))
                .build();
    }

    @Test
    void mappedAsLokisOtlpIngestion() throws Exception {
        byte[] body = request().toByteArray();
        CollectingSink sink = new CollectingSink();
        new OtlpLogsDecoder().decode(body, 0, body.length, NOW, sink);
        assertThat(sink.entries).hasSize(4);
        LogEntry e = sink.entries.get(0);
        assertThat(e.stream()).isEqualTo(Labels.of("service_name", "checkout", "deployment_environment", "prod",
                "k8s_namespace_name", "shop"));
        assertThat(e.timeNanos()).isEqualTo(1_700_000_000_000_000_001L);
        assertThat(e.line()).isEqualTo("card declined");
        assertThat(e.metadata()).isEqualTo(Labels.of("host_name", "node-1", "scope_name", "com.shop.Pay",
                "scope_version", "1.2", "scope_attr", "s", "http_status_code", "402", "retries", "3",
                LogEntry.TRACE_ID, TRACE, LogEntry.SPAN_ID, SPAN, LogEntry.SEVERITY_TEXT, "WARN", LogEntry.LEVEL, "warn"));
        LogEntry m = sink.entries.get(1);
        assertThat(m.timeNanos()).as("observed time when time is 0").isEqualTo(1_700_000_000_000_000_002L);
        assertThat(m.line()).isEqualTo("{\"event\":\"x\"}");
        assertThat(m.metadata().get(LogEntry.TRACE_ID)).as("an all-zero id is no id").isNull();
        assertThat(m.metadata().get(LogEntry.LEVEL)).isEqualTo("error");
        LogEntry bare = sink.entries.get(2);
        assertThat(bare.timeNanos()).isEqualTo(NOW);
        assertThat(bare.metadata()).isEqualTo(Labels.of("host_name", "node-1", "scope_name", "com.shop.Pay",
                "scope_version", "1.2", "scope_attr", "s"));
        assertThat(bare.stream()).isSameAs(e.stream());
        LogEntry other = sink.entries.get(3);
        assertThat(other.stream()).isEqualTo(Labels.of("service_name", "unknown_service"));
        assertThat(other.line()).isEqualTo("1.5");
    }

    @Test
    void otlpJsonWithHexIds() throws Exception {
        String json = """
                {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
                  "scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","severityNumber":9,
                    "body":{"stringValue":"hello"},"traceId":"%s","spanId":"%s"}]}]}]}""".formatted(TRACE, SPAN);
        CollectingSink sink = new CollectingSink();
        new OtlpLogsDecoder().decode(OtlpCodec.parseLogsJson(json.getBytes(StandardCharsets.UTF_8)), NOW, sink);
        assertThat(sink.entries).singleElement().satisfies(e -> {
            assertThat(e.metadata().get(LogEntry.TRACE_ID)).isEqualTo(TRACE);
            assertThat(e.metadata().get(LogEntry.SPAN_ID)).isEqualTo(SPAN);
            assertThat(e.metadata().get(LogEntry.LEVEL)).isEqualTo("info");
            assertThat(e.stream()).isEqualTo(Labels.of("service_name", "api"));
        });
    }

    @Test
    void malformedBodyNamesTheOffsetAndHandsNothingOn() {
        byte[] body = request().toByteArray();
        byte[] truncated = Arrays.copyOf(body, body.length - 10);
        CollectingSink sink = new CollectingSink();
        assertThatThrownBy(() -> new OtlpLogsDecoder().decode(truncated, 0, truncated.length, NOW, sink))
                .isInstanceOf(MalformedOtlpException.class)
                .hasMessageContaining("invalid protobuf ExportLogsServiceRequest at byte offset");
        assertThat(sink.entries).isEmpty();
        assertThatThrownBy(() -> OtlpCodec.parseLogsJson("{\"resourceLogs\":[{\"scopeLogs\":7}]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedOtlpException.class).hasMessageContaining("/resourceLogs/0/scopeLogs");
    }
}
