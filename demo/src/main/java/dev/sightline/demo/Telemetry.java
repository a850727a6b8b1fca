package dev.sightline.demo;

import dev.sightline.demo.sim.MetricSink;
import dev.sightline.demo.sim.Series;
import dev.sightline.demo.sim.SimClock;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One OpenTelemetry SDK per simulated service, exporting metrics, spans and logs over OTLP/HTTP protobuf, as the
 * service's own process would. As a {@link MetricSink} it turns the company's measurements into SDK instruments.
 */
final class Telemetry implements MetricSink, AutoCloseable {
    /** The instrumentation scope of every instrument; the backfill uses it too (it becomes the otel_scope_name label). */
    static final String SCOPE = "dev.sightline.demo";
    private final Map<String, OpenTelemetrySdk> sdks = new HashMap<>();
    private final Map<Series, Object> instruments = new HashMap<>();
    private final Map<Series, Attributes> attributes = new HashMap<>();

    Telemetry(URI target, List<String> services, Duration exportInterval, SimClock clock) {
        String base = target.toString().replaceAll("/+$", "");
        // The SDKs stamp metric points with the simulation's time, so an accelerated run's samples land where it is.
        Clock sdkClock = new Clock() {
            @Override
            public long now() {
                return clock.millis() * 1_000_000;
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
        for (String service : services) {
            sdks.put(service, sdk(base, service, exportInterval, sdkClock));
        }
    }

    /** Resource attributes of a simulated service; the backfill sends the same, so history and live are one series. */
    static Map<String, String> resource(String service) {
        return Map.of("service.name", service, "service.instance.id", service + "-1",
                "deployment.environment.name", "demo", "service.version", "1.4.2");
    }

    private static OpenTelemetrySdk sdk(String base, String service, Duration interval, Clock clock) {
        AttributesBuilder rb = Attributes.builder();
        resource(service).forEach(rb::put);
        Resource resource = Resource.getDefault().merge(Resource.create(rb.build()));
        OtlpHttpMetricExporter metrics = OtlpHttpMetricExporter.builder()
                .setEndpoint(base + "/v1/metrics")
                // Histograms as exponential histograms: the server stores native histograms, so a rare 10x surge
                // lands in its own bucket instead of disappearing into a classic "+Inf".
                .setDefaultAggregationSelector(DefaultAggregationSelector.getDefault()
                        .with(InstrumentType.HISTOGRAM, Aggregation.base2ExponentialBucketHistogram()))
                .build();
        return OpenTelemetrySdk.builder()
                .setMeterProvider(SdkMeterProvider.builder().setResource(resource).setClock(clock)
                        .registerMetricReader(PeriodicMetricReader.builder(metrics).setInterval(interval).build()).build())
                .setTracerProvider(SdkTracerProvider.builder().setResource(resource).setClock(clock)
                        .addSpanProcessor(BatchSpanProcessor.builder(
                                OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces").build())
                                .setScheduleDelay(Duration.ofSeconds(2)).build()).build())
                .setLoggerProvider(SdkLoggerProvider.builder().setResource(resource).setClock(clock)
                        .addLogRecordProcessor(BatchLogRecordProcessor.builder(
                                OtlpHttpLogRecordExporter.builder().setEndpoint(base + "/v1/logs").build())
                                .setScheduleDelay(Duration.ofSeconds(2)).build()).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
    }

    OpenTelemetry sdk(String service) {
        OpenTelemetrySdk sdk = sdks.get(service);
        if (sdk == null) {
            throw new IllegalArgumentException("no SDK for service " + service);
        }
        return sdk;
    }

    private Meter meter(Series s) {
        return sdk(s.service()).getMeter(SCOPE);
    }

    private Attributes attributes(Series s) {
        return attributes.computeIfAbsent(s, k -> {
            AttributesBuilder b = Attributes.builder();
            k.labels().forEach(b::put);
            return b.build();
        });
    }

    /** The SDK instrument of a series, built on first use (series of one name share it; the SDK dedupes). */
    private <T> T instrument(Series s, Class<T> type, Function<Meter, T> build) {
        return type.cast(instruments.computeIfAbsent(s, k -> build.apply(meter(k))));
    }

    @Override
    public synchronized void add(Series s, long increment) {
        instrument(s, LongCounter.class, m -> m.counterBuilder(s.name()).setDescription(s.description()).build())
                .add(increment, attributes(s));
    }

    @Override
    public synchronized void set(Series s, double value) {
        instrument(s, DoubleGauge.class, m -> m.gaugeBuilder(s.name()).setDescription(s.description()).build())
                .set(value, attributes(s));
    }

    @Override
    public synchronized void observe(Series s, double value) {
        instrument(s, DoubleHistogram.class, m -> m.histogramBuilder(s.name()).setDescription(s.description()).build())
                .record(value, attributes(s));
    }

    /** Flushes what is buffered and stops the exporters. */
    @Override
    public void close() {
        for (OpenTelemetrySdk sdk : sdks.values()) {
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
