package dev.sightline.server.selfmetrics;

import dev.sightline.server.BuildInfo;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Sightline's own metrics: one registry shared by every component (storage registers into it through
 * TsdbOptions), exposed at /metrics in Prometheus text format 0.0.4.
 */
public final class SelfMetrics {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry;
    private final Histogram httpRequestDuration;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** A fresh registry with JVM/process metrics, build info and the HTTP request histogram. */
    public SelfMetrics(BuildInfo buildInfo) {
        this.registry = new PrometheusRegistry();
        // JvmMetrics.builder() less JvmNativeMemoryMetrics unless NMT is on: without it that collector has nothing to
        // report, yet asks the DiagnosticCommand MBean at start, which loads the platform MBean server and JFR's
        // command classes (~250 classes for no metric).
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryPoolAllocationMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        if (nativeMemoryTracking(ManagementFactory.getRuntimeMXBean().getInputArguments())) {
            JvmNativeMemoryMetrics.builder().register(registry);
        }
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
        Info build = Info.builder()
                .name("sightline_build_info")
                .help("A metric with a constant '1' value labeled by version, revision and branch from which Sightline was built.")
                .labelNames("version", "revision", "branch", "javaversion")
                .register(registry);
        build.setLabelValues(buildInfo.version(), buildInfo.revision(), buildInfo.branch(), buildInfo.javaVersion());
        this.httpRequestDuration = Histogram.builder()
                .name("sightline_http_request_duration_seconds")
                .help("Latency of HTTP requests by route pattern, status code and method.")
                .labelNames("handler", "code", "method")
                .classicOnly()
                .register(registry);
    }

    /** Whether the JVM's flags turn native memory tracking on (-XX:NativeMemoryTracking=summary or =detail). */
    static boolean nativeMemoryTracking(List<String> jvmArguments) {
        boolean on = false;
        for (String a : jvmArguments) {
            if (a.startsWith("-XX:NativeMemoryTracking=")) {
                on = !a.endsWith("=off"); // the last one wins, as for the JVM
            }
        }
        return on;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void observeHttpRequest(String handler, int code, String method, double seconds) {
        httpRequestDuration.labelValues(handler, Integer.toString(code), method).observe(seconds);
    }

    /** Collects every registered metric; callbacks may take storage locks, so call off the event loop. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
