package dev.sightline.server.config;

import dev.sightline.traces.metrics.GeneratorConfig;
import dev.sightline.traces.metrics.HistogramMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MetricsGeneratorConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private SightlineConfig parse(String yaml) throws ConfigException {
        return loader.parse("s.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private ConfigException failure(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    }

    @Test
    void absentSectionMeansBothProcessorsWithTemposDefaults() throws Exception {
        GeneratorConfig g = parse("global: {}\n").metricsGenerator().toGeneratorConfig();
        assertThat(g.collectionInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(g.staleDuration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(g.traceIdLabelName()).isEqualTo("trace_id");
        assertThat(g.histograms()).isEqualTo(HistogramMode.BOTH);
        assertThat(g.spanMetrics().histogramBuckets()).hasSize(14).startsWith(0.002).endsWith(16.384);
        assertThat(g.spanMetrics().dimensions()).isEmpty();
        assertThat(g.serviceGraphs().histogramBuckets()).containsExactly(0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8);
        assertThat(g.serviceGraphs().waitDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(g.serviceGraphs().maxItems()).isEqualTo(10_000);
        assertThat(g.serviceGraphs().peerAttributes()).containsExactly("peer.service", "db.name", "db.system");
    }

    @Test
    void everyKeyIsApplied() throws Exception {
        GeneratorConfig g = parse("""
                metrics_generator:
                  collection_interval: 30s
                  stale_duration: 5m
                  trace_id_label_name: traceID
                  generate_native_histograms: native
                  native_histogram_bucket_factor: 1.2
                  native_histogram_max_bucket_number: 50
                  processor:
                    span_metrics:
                      dimensions: [http.request.method, deployment.environment]
                      histogram_buckets: [0.01, 0.1, 1]
                    service_graphs:
                      enabled: false
                      wait: 3s
                """).metricsGenerator().toGeneratorConfig();
        assertThat(g.collectionInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(g.staleDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(g.traceIdLabelName()).isEqualTo("traceID");
        assertThat(g.histograms()).isEqualTo(HistogramMode.NATIVE);
        assertThat(g.nativeBucketFactor()).isEqualTo(1.2);
        assertThat(g.nativeMaxBuckets()).isEqualTo(50);
        assertThat(g.spanMetrics().dimensions()).containsExactly("http.request.method", "deployment.environment");
        assertThat(g.spanMetrics().histogramBuckets()).containsExactly(0.01, 0.1, 1.0);
        assertThat(g.serviceGraphs()).isNull();
    }

    @Test
    void badValuesAreLocatedAndNameTheirKey() {
        ConfigException e = failure("""
                metrics_generator:
                  processor:
                    span_metrics:
                      histogram_buckets: [0.1, 0.05]
                """);
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.detail()).isEqualTo("metrics_generator.processor.span_metrics.histogram_buckets[1]: bounds must increase, got 0.1 then 0.05");

        e = failure("""
                metrics_generator:
                  processor:
                    span_metrics:
                      dimensions: [http.method, service]
                """);
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.detail()).contains("metrics_generator.processor.span_metrics.dimensions[1]: \"service\" would become the label \"service\", which the generator sets itself");

        assertThat(failure("metrics_generator:\n  generate_native_histograms: sometimes\n").detail())
                .isEqualTo("metrics_generator.generate_native_histograms: \"sometimes\" is not one of classic, native, both");
        assertThat(failure("metrics_generator:\n  native_histogram_bucket_factor: 1\n").detail())
                .contains("metrics_generator.native_histogram_bucket_factor: must be more than 1, got 1.0");
        assertThat(failure("metrics_generator:\n  collection_interval: 0s\n").detail())
                .contains("metrics_generator.collection_interval: must be more than 0");
        assertThat(failure("metrics_generator:\n  trace_id_label_name: trace-id\n").detail())
                .contains("metrics_generator.trace_id_label_name: \"trace-id\" is not a valid label name");
        assertThat(failure("metrics_generator:\n  processor:\n    service_graphs:\n      max_items: 0\n").detail())
                .contains("metrics_generator.processor.service_graphs.max_items: must be at least 1, got 0");
        assertThat(failure("metrics_generator:\n  processor:\n    service_graphs:\n      dimensions: [a.b, a_b]\n").detail())
                .contains("metrics_generator.processor.service_graphs.dimensions[1]: \"a_b\" would become the label \"a_b\" a dimension before it already is");
        ConfigException unknown = failure("metrics_generator:\n  processor:\n    span_metrics:\n      dimension: [a]\n");
        assertThat(unknown.line()).isEqualTo(4);
        assertThat(unknown.detail()).contains("unknown key \"dimension\" in metrics_generator.processor.span_metrics");
        assertThat(failure("metrics_generator:\n  processor:\n    span_metrics:\n      histogram_buckets: [-1]\n").detail())
                .contains("histogram_buckets[0]: bounds are finite seconds above 0, got -1.0");
        assertThat(List.of(failure("metrics_generator:\n  processor:\n    span_metrics:\n      histogram_buckets: []\n").detail()))
                .allMatch(d -> d.contains("metrics_generator.processor.span_metrics.histogram_buckets: at least one bucket bound is needed"));
    }
}
