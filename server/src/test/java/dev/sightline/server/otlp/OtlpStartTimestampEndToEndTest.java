package dev.sightline.server.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenTelemetry Java SDK exports a cumulative counter to a running server; the point's start_time_unix_nano is
 * stored as the start timestamp of its samples, which {@code start_timestamp()} returns over the Prometheus API.
 */
class OtlpStartTimestampEndToEndTest {
    /** Hands every export to the SDK's OTLP/HTTP exporter, noting the start times of the points it sends. */
    private static final class StartRecordingExporter extends ForwardingMetricExporter {
        final Set<Long> startNanos = new TreeSet<>();

        StartRecordingExporter(MetricExporter delegate) {
            super(delegate);
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            for (MetricData m : metrics) {
                for (PointData p : m.getData().getPoints()) {
                    startNanos.add(p.getStartEpochNanos());
                }
            }
            return delegate.export(metrics);
        }
    }

    @Test
    void startTimestampOfAnSdkCounterIsQueryable(@TempDir Path dir) throws Exception {
        try (RunningServer server = new RunningServer().start(dir, null)) {
            StartRecordingExporter exporter = new StartRecordingExporter(OtlpHttpMetricExporter.builder()
                    .setEndpoint("http://127.0.0.1:" + server.server().otlp().httpPort() + "/v1/metrics")
                    .setTimeout(Duration.ofSeconds(30)).build());
            SdkMeterProvider provider = SdkMeterProvider.builder()
                    .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "st-e2e")))
                    // Exports happen on forceFlush; the interval only keeps the reader from exporting on its own.
                    .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
                    .build();
            try {
                // Starts counting some time after the provider did, so a start taken from the sample would differ.
                Thread.sleep(20);
                LongCounter orders = provider.get("st.lib").counterBuilder("orders").build();
                orders.add(3);
                assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
                // Two exports within one millisecond carry the same sample time with another value, a duplicate the
                // storage refuses (as Prometheus does), and the flush fails: the test was flaky on a fast machine.
                Thread.sleep(5);
                orders.add(4);
                assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
            } finally {
                provider.shutdown().join(10, TimeUnit.SECONDS);
            }
            assertThat(exporter.startNanos).as("a cumulative counter keeps its start").hasSize(1);
            long startMs = exporter.startNanos.iterator().next() / 1_000_000;

            JsonNode result = server.query("start_timestamp(orders_total{job=\"st-e2e\"})");
            assertThat(result).as(result.toString()).hasSize(1);
            assertThat(new BigDecimal(result.get(0).get("value").get(1).asText()))
                    .isEqualByComparingTo(BigDecimal.valueOf(startMs, 3));
            JsonNode value = server.query("orders_total{job=\"st-e2e\"}");
            assertThat(value.get(0).get("value").get(1).asText()).isEqualTo("7");
        }
    }
}
