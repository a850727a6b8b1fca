package dev.sightline.server.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.server.RunningServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenTelemetry Java SDK with its Logback appender as the real client: a Logback logger in a test app, the
 * OpenTelemetry appender turning its events into log records, the SDK's OTLP exporters sending them over gRPC (gzip)
 * and over HTTP protobuf to a running server. Every line must be in the log store with the labels, structured
 * metadata and time Loki's OTLP mapping gives, and a line logged inside an active span carries its trace and span id.
 */
class OtelLogbackEndToEndTest {
    @TempDir
    Path dir;

    /** A logger whose events go through the OpenTelemetry appender of an SDK exporting with {@code exporter}. */
    private record App(LoggerContext logback, OpenTelemetrySdk sdk, Logger logger) implements AutoCloseable {
        static App start(String service, LogRecordExporter exporter) {
            Resource resource = Resource.getDefault().merge(Resource.builder().put("service.name", service)
                    .put("deployment.environment", "test").put("host.name", "box-1").build());
            OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                    .setLoggerProvider(SdkLoggerProvider.builder().setResource(resource)
                            .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter)
                                    .setScheduleDelay(100, TimeUnit.MILLISECONDS).build()).build())
                    .setTracerProvider(SdkTracerProvider.builder().setResource(resource).build())
                    .build();
            LoggerContext logback = new LoggerContext();
            logback.setName(service);
            // The application's own context, sharing SLF4J's MDC so MDC.put reaches its events.
            logback.setMDCAdapter(MDC.getMDCAdapter());
            OpenTelemetryAppender appender = new OpenTelemetryAppender();
            appender.setContext(logback);
            appender.setOpenTelemetry(sdk);
            appender.setCaptureMdcAttributes("*");
            appender.setCaptureExperimentalAttributes(true);
            appender.start();
            Logger root = logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.setLevel(Level.DEBUG);
            root.addAppender(appender);
            return new App(logback, sdk, logback.getLogger("com.shop.Checkout"));
        }

        @Override
        public void close() {
            sdk.getSdkLoggerProvider().forceFlush().join(10, TimeUnit.SECONDS);
            sdk.close();
            logback.stop();
        }
    }

    /** Logs four lines, one inside a span; returns that span's ids. */
    private static String[] logSome(App app) {
        app.logger().info("order {} placed", 42);
        MDC.put("order_id", "o-7");
        try {
            app.logger().warn("payment slow");
        } finally {
            MDC.remove("order_id");
        }
        app.logger().error("payment failed", new IllegalStateException("card declined"));
        Tracer tracer = app.sdk().getTracer("test");
        Span span = tracer.spanBuilder("charge").startSpan();
        Scope scope = span.makeCurrent();
        try {
            app.logger().debug("inside the span");
        } finally {
            scope.close();
            span.end();
        }
        return new String[] {span.getSpanContext().getTraceId(), span.getSpanContext().getSpanId()};
    }

    private static void checkStored(List<LogEntry> lines, String service, String[] ids, long from, long to) {
        assertThat(lines).extracting(LogEntry::line)
                .containsExactly("order 42 placed", "payment slow", "payment failed", "inside the span");
        for (LogEntry e : lines) {
            assertThat(e.stream()).isEqualTo(Labels.of("service_name", service, "deployment_environment", "test"));
            assertThat(e.timeNanos()).isBetween(from, to);
            assertThat(e.metadata().get("host_name")).isEqualTo("box-1");
            assertThat(e.metadata().get("telemetry_sdk_language")).isEqualTo("java");
            assertThat(e.metadata().get("scope_name")).isEqualTo("com.shop.Checkout");
            assertThat(e.metadata().get("thread_name")).isEqualTo(Thread.currentThread().getName());
        }
        assertThat(lines).extracting(e -> e.metadata().get(LogEntry.SEVERITY_TEXT)).containsExactly("INFO", "WARN", "ERROR", "DEBUG");
        assertThat(lines).extracting(e -> e.metadata().get(LogEntry.LEVEL)).containsExactly("info", "warn", "error", "debug");
        assertThat(lines.get(1).metadata().get("order_id")).isEqualTo("o-7");
        assertThat(lines.get(0).metadata().get("order_id")).isNull();
        assertThat(lines.get(2).metadata().get("exception_type")).isEqualTo("java.lang.IllegalStateException");
        assertThat(lines.get(2).metadata().get("exception_message")).isEqualTo("card declined");
        assertThat(lines.get(2).metadata().get("exception_stacktrace")).contains("OtelLogbackEndToEndTest.logSome");
        assertThat(lines.get(3).metadata().get(LogEntry.TRACE_ID)).isEqualTo(ids[0]);
        assertThat(lines.get(3).metadata().get(LogEntry.SPAN_ID)).isEqualTo(ids[1]);
        assertThat(lines.subList(0, 3)).allSatisfy(e -> assertThat(e.metadata().get(LogEntry.TRACE_ID)).isNull());
    }

    private static long nowNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Test
    void grpcAndHttpProtobufExportersLandInTheStore() throws Exception {
        try (RunningServer running = new RunningServer().start(dir, null)) {
            var otlp = running.server().otlp();
            long from = nowNanos();
            String[] grpcIds;
            String[] httpIds;
            try (App grpc = App.start("shop-grpc", OtlpGrpcLogRecordExporter.builder()
                    .setEndpoint("http://127.0.0.1:" + otlp.grpcPort()).setCompression("gzip").build());
                 App http = App.start("shop-http", OtlpHttpLogRecordExporter.builder()
                         .setEndpoint("http://127.0.0.1:" + otlp.httpPort() + "/v1/logs").build());
                 App main = App.start("shop-main", OtlpHttpLogRecordExporter.builder()
                         .setEndpoint("http://127.0.0.1:" + running.httpPort() + "/v1/logs").setCompression("gzip").build())) {
                grpcIds = logSome(grpc);
                httpIds = logSome(http);
                logSome(main);
            }
            long to = nowNanos();
            var store = running.server().logs();
            checkStored(StoredLogs.await(store, "service_name", "shop-grpc", 4), "shop-grpc", grpcIds, from, to);
            checkStored(StoredLogs.await(store, "service_name", "shop-http", 4), "shop-http", httpIds, from, to);
            assertThat(StoredLogs.await(store, "service_name", "shop-main", 4)).hasSize(4);
            // Back through LogQL: the line logged inside the span, found by its trace id, with its labels and metadata.
            String logql = "{service_name=\"shop-grpc\"} | trace_id=\"" + grpcIds[0] + "\"";
            JsonNode result = running.getJson("/loki/api/v1/query_range?start=" + (from - 1) + "&end=" + (to + 1)
                    + "&query=" + URLEncoder.encode(logql, StandardCharsets.UTF_8)).path("data").path("result");
            assertThat(result.size()).as(result.toString()).isEqualTo(1);
            JsonNode stream = result.get(0).path("stream");
            assertThat(stream.path("service_name").asText()).isEqualTo("shop-grpc");
            assertThat(stream.path("span_id").asText()).isEqualTo(grpcIds[1]);
            assertThat(stream.path("detected_level").asText()).isEqualTo("debug");
            assertThat(stream.path("scope_name").asText()).isEqualTo("com.shop.Checkout");
            assertThat(result.get(0).path("values").size()).isEqualTo(1);
            String metrics = running.get("/metrics").body();
            assertThat(metrics).contains("sightline_ingest_log_lines_total{protocol=\"otlp_grpc\",result=\"accepted\"} 4.0")
                    .contains("sightline_ingest_log_lines_total{protocol=\"otlp_http\",result=\"accepted\"} 8.0")
                    .contains("sightline_ingest_log_requests_total{code=\"OK\",protocol=\"otlp_grpc\"}");
        }
    }
}
