package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.traces.metrics.GeneratorConfig;
import dev.sightline.traces.metrics.HistogramMode;

import java.time.Duration;
import java.util.List;

/**
 * {@code metrics_generator:} — span metrics and the service graph from the spans Sightline receives, written into its
 * own metric storage, with the keys of Tempo's metrics-generator (registry and processor settings in one section).
 * Both processors are on by default. Every value is checked here, errors naming the key:
 * <pre>
 * metrics_generator:
 *   collection_interval: 15s
 *   stale_duration: 15m
 *   trace_id_label_name: trace_id
 *   generate_native_histograms: both        # classic | native | both
 *   native_histogram_bucket_factor: 1.1
 *   native_histogram_max_bucket_number: 100
 *   processor:
 *     span_metrics:
 *       enabled: true
 *       dimensions: [http.request.method]
 *       histogram_buckets: [0.002, 0.004, ...]
 *     service_graphs:
 *       enabled: true
 *       dimensions: []
 *       histogram_buckets: [0.1, 0.2, ...]
 *       wait: 10s
 *       max_items: 10000
 *       peer_attributes: [peer.service, db.name, db.system]
 * </pre>
 */
public record MetricsGeneratorConfig(
        @JsonProperty("collection_interval") Duration collectionInterval,
        @JsonProperty("stale_duration") Duration staleDuration,
        @JsonProperty("trace_id_label_name") String traceIdLabelName,
        @JsonProperty("generate_native_histograms") String generateNativeHistograms,
        @JsonProperty("native_histogram_bucket_factor") Double nativeHistogramBucketFactor,
        @JsonProperty("native_histogram_max_bucket_number") Integer nativeHistogramMaxBucketNumber,
        @JsonProperty("processor") Processor processor) {

    public MetricsGeneratorConfig {
        GeneratorConfig d = GeneratorConfig.defaults();
        collectionInterval = collectionInterval == null ? d.collectionInterval() : collectionInterval;
        staleDuration = staleDuration == null ? d.staleDuration() : staleDuration;
        traceIdLabelName = traceIdLabelName == null ? d.traceIdLabelName() : traceIdLabelName;
        generateNativeHistograms = generateNativeHistograms == null ? "both" : generateNativeHistograms;
        nativeHistogramBucketFactor = nativeHistogramBucketFactor == null ? d.nativeBucketFactor() : nativeHistogramBucketFactor;
        nativeHistogramMaxBucketNumber = nativeHistogramMaxBucketNumber == null ? d.nativeMaxBuckets() : nativeHistogramMaxBucketNumber;
        processor = processor == null ? new Processor(null, null) : processor;
        // Checked whole here, so an error names its key relative to this section (ConfigLoader locates it).
        toGeneratorConfig(collectionInterval, staleDuration, traceIdLabelName, generateNativeHistograms,
                nativeHistogramBucketFactor, nativeHistogramMaxBucketNumber, processor);
    }

    public static MetricsGeneratorConfig defaults() {
        return new MetricsGeneratorConfig(null, null, null, null, null, null, null);
    }

    /** The generator's settings; a processor that is off is null. */
    public GeneratorConfig toGeneratorConfig() {
        return toGeneratorConfig(collectionInterval, staleDuration, traceIdLabelName, generateNativeHistograms,
                nativeHistogramBucketFactor, nativeHistogramMaxBucketNumber, processor);
    }

    private static GeneratorConfig toGeneratorConfig(Duration collectionInterval, Duration staleDuration, String traceIdLabelName,
                                                     String mode, double bucketFactor, int maxBuckets, Processor p) {
        HistogramMode histograms;
        try {
            histograms = HistogramMode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("generate_native_histograms: " + e.getMessage());
        }
        SpanMetrics sm = p.spanMetrics();
        ServiceGraphs sg = p.serviceGraphs();
        return new GeneratorConfig(collectionInterval, staleDuration, traceIdLabelName, histograms, bucketFactor, maxBuckets,
                sm.enabled() ? new GeneratorConfig.SpanMetrics(sm.dimensions(), sm.histogramBuckets()) : null,
                sg.enabled() ? new GeneratorConfig.ServiceGraphs(sg.dimensions(), sg.histogramBuckets(), sg.waitDuration(),
                        sg.maxItems(), sg.peerAttributes()) : null);
    }

    /** {@code processor:} — the two processors, as Tempo's metrics-generator names them. */
    public record Processor(@JsonProperty("span_metrics") SpanMetrics spanMetrics,
                            @JsonProperty("service_graphs") ServiceGraphs serviceGraphs) {
        public Processor {
            spanMetrics = spanMetrics == null ? new SpanMetrics(null, null, null) : spanMetrics;
            serviceGraphs = serviceGraphs == null ? new ServiceGraphs(null, null, null, null, null, null) : serviceGraphs;
        }
    }

    /** {@code processor.span_metrics:}; null lists take the generator's defaults. */
    public record SpanMetrics(@JsonProperty("enabled") Boolean enabled,
                              @JsonProperty("dimensions") List<String> dimensions,
                              @JsonProperty("histogram_buckets") List<Double> histogramBuckets) {
        public SpanMetrics {
            enabled = enabled == null || enabled;
        }
    }

    /** {@code processor.service_graphs:}; null values take the generator's defaults. */
    public record ServiceGraphs(@JsonProperty("enabled") Boolean enabled,
                                @JsonProperty("dimensions") List<String> dimensions,
                                @JsonProperty("histogram_buckets") List<Double> histogramBuckets,
                                @JsonProperty("wait") Duration waitDuration,
                                @JsonProperty("max_items") Integer maxItems,
                                @JsonProperty("peer_attributes") List<String> peerAttributes) {
        public ServiceGraphs {
            enabled = enabled == null || enabled;
            maxItems = maxItems == null ? GeneratorConfig.ServiceGraphs.defaults().maxItems() : maxItems;
        }
    }
}
