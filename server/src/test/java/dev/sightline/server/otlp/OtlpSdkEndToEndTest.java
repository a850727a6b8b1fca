package dev.sightline.server.otlp;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenTelemetry Java SDK as a real client, exporting over gRPC and OTLP/HTTP into a real Tsdb. */
class OtlpSdkEndToEndTest {
    private OtlpTestServer server;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        server = new OtlpTestServer(dir, IngestLimits.DEFAULT);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void grpcExport() {
        exportAndCheck("orders-grpc", OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + server.receiver.grpcPort()).setTimeout(Duration.ofSeconds(30)).build());
    }

    @Test
    void httpProtobufExport() {
        exportAndCheck("orders-http", OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + server.receiver.httpPort() + "/v1/metrics").setTimeout(Duration.ofSeconds(30)).build());
    }

    @Test
    void httpExportOnTheMainPort() {
        exportAndCheck("orders-main", OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + server.main.port() + "/v1/metrics").setCompression("gzip")
                .setTimeout(Duration.ofSeconds(30)).build());
    }

    @Test
    void deltaTemporalityIsStoredCumulative() {
        MetricExporter exporter = OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + server.receiver.grpcPort()).setCompression("gzip").setTimeout(Duration.ofSeconds(30))
                .setAggregationTemporalitySelector(AggregationTemporalitySelector.deltaPreferred()).build();
        SdkMeterProvider provider = provider("delta-svc", exporter);
        try {
            LongCounter c = provider.get("delta.lib").counterBuilder("jobs.done").build();
            c.add(5);
            flush(provider);
            c.add(3);
            flush(provider);
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
        var series = server.floats(LabelMatcher.eq(Labels.METRIC_NAME, "jobs_done_total"));
        assertThat(series).hasSize(1);
        assertThat(series.values().iterator().next().values()).containsExactly(5.0, 8.0);
    }

    @Test
    void grpcAnswersUnavailableWhileStorageIsNotReady() {
        server.storage.set(null);
        SdkMeterProvider provider = provider("late-svc", OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + server.receiver.grpcPort())
                .setRetryPolicy(RetryPolicy.builder().setMaxAttempts(2).setInitialBackoff(Duration.ofMillis(10)).build()).build());
        try {
            provider.get("late.lib").counterBuilder("late").build().add(1);
            // The SDK's reader reports success whatever the exporter met; the refusal shows in our self-metrics.
            provider.forceFlush().join(15, TimeUnit.SECONDS);
            assertThat(server.floats(LabelMatcher.eq(Labels.METRIC_NAME, "late_total"))).isEmpty();
            server.storage.set(server.tsdb);
            flush(provider);
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
        assertThat(server.floats(LabelMatcher.eq(Labels.METRIC_NAME, "late_total"))).hasSize(1);
        String scrape = new String(server.main.metrics.scrape(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(scrape).contains("sightline_ingest_otlp_requests_total{code=\"UNAVAILABLE\",protocol=\"otlp_grpc\"}")
                .contains("sightline_ingest_otlp_requests_total{code=\"OK\",protocol=\"otlp_grpc\"}");
    }

    private static SdkMeterProvider provider(String service, MetricExporter exporter) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), service,
                AttributeKey.stringKey("service.instance.id"), "i-1",
                AttributeKey.stringKey("deployment.environment"), "test")));
        return SdkMeterProvider.builder().setResource(resource)
                // Exports happen on forceFlush; the interval only keeps the reader from exporting on its own.
                .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
                .registerView(InstrumentSelector.builder().setName("task.latency").build(),
                        View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
                .build();
    }

    private static void flush(SdkMeterProvider provider) {
        // The SDK's reader answers a flush that comes right after the previous export with "exporter busy" (it marks
        // itself free only after completing that export's result), without collecting: then it is safe to ask again.
        for (int attempt = 0; attempt < 5; attempt++) {
            // Generous: the machine running the tests may be busy; a slow export must not read as a failed one.
            CompletableResultCode r = provider.forceFlush().join(60, TimeUnit.SECONDS);
            if (r.isSuccess()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("export did not succeed");
    }

    private void exportAndCheck(String service, MetricExporter exporter) {
        SdkMeterProvider provider = provider(service, exporter);
        try {
            Meter meter = provider.meterBuilder("e2e.lib").setInstrumentationVersion("0.1").build();
            LongCounter orders = meter.counterBuilder("orders.placed").setUnit("{order}").build();
            orders.add(5, Attributes.of(AttributeKey.stringKey("region"), "eu-west"));
            orders.add(2, Attributes.of(AttributeKey.stringKey("region"), "eu-west"));
            meter.gaugeBuilder("queue.depth").setUnit("{item}").buildWithCallback(m -> m.record(7.5));
            DoubleHistogram duration = meter.histogramBuilder("http.server.duration").setUnit("s")
                    .setExplicitBucketBoundariesAdvice(List.of(0.1, 1.0)).build();
            duration.record(0.05);
            duration.record(0.5);
            duration.record(3);
            DoubleHistogram latency = meter.histogramBuilder("task.latency").setUnit("ms").build();
            for (double v : new double[]{1, 2, 4, 4, 100}) {
                latency.record(v);
            }
            flush(provider);
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }

        String[] common = {"instance", "i-1", "job", service, "otel_scope_name", "e2e.lib", "otel_scope_version", "0.1"};
        assertThat(server.lastValue(labels("orders_placed_total", common, "region", "eu-west"))).isEqualTo(7);
        assertThat(server.lastValue(labels("queue_depth", common))).isEqualTo(7.5);
        assertThat(server.lastValue(labels("http_server_duration_seconds_bucket", common, "le", "0.1"))).isEqualTo(1);
        assertThat(server.lastValue(labels("http_server_duration_seconds_bucket", common, "le", "1"))).isEqualTo(2);
        assertThat(server.lastValue(labels("http_server_duration_seconds_bucket", common, "le", "+Inf"))).isEqualTo(3);
        assertThat(server.lastValue(labels("http_server_duration_seconds_count", common))).isEqualTo(3);
        assertThat(server.lastValue(labels("http_server_duration_seconds_sum", common))).isEqualTo(3.55);

        Histogram h = nativeHistogram(labels("task_latency_milliseconds", common));
        assertThat(h.count).isEqualTo(5);
        assertThat(h.sum).isEqualTo(111);
        assertThat(h.schema).isBetween(Histogram.MIN_SCHEMA, Histogram.MAX_SCHEMA);
        assertThat(java.util.Arrays.stream(h.positiveBuckets).sum()).isEqualTo(5);

        var info = server.floats(LabelMatcher.eq(Labels.METRIC_NAME, "target_info"), LabelMatcher.eq("job", service));
        assertThat(info).hasSize(1);
        Labels infoLabels = info.keySet().iterator().next();
        assertThat(infoLabels.get("instance")).isEqualTo("i-1");
        assertThat(infoLabels.get("deployment_environment")).isEqualTo("test");
        assertThat(infoLabels.get("telemetry_sdk_language")).isEqualTo("java");
        assertThat(infoLabels.get("service_name")).isNull();
    }

    private Histogram nativeHistogram(Labels labels) {
        try (Querier q = server.tsdb.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq(Labels.METRIC_NAME, labels.metricName()),
                    LabelMatcher.eq("job", labels.get("job")));
            assertThat(set.next()).as("series " + labels).isTrue();
            assertThat(set.at().labels()).isEqualTo(labels);
            SampleIterator it = set.at().iterator(null);
            assertThat(it.next()).isEqualTo(ValueType.HISTOGRAM);
            return it.histogram();
        }
    }

    private static Labels labels(String name, String[] common, String... more) {
        Labels.Builder b = Labels.builder().set(Labels.METRIC_NAME, name);
        for (int i = 0; i < common.length; i += 2) {
            b.set(common[i], common[i + 1]);
        }
        for (int i = 0; i < more.length; i += 2) {
            b.set(more[i], more[i + 1]);
        }
        return b.build();
    }
}
