package dev.sightline.traces.metrics;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The metrics generator's settings, named and defaulted as Tempo's metrics-generator has them. Checks name the
 * offending key relative to the {@code metrics_generator:} section ({@code "processor.span_metrics.dimensions[1]: ..."}).
 *
 * @param collectionInterval   how often the current values are written (Tempo's registry.collection_interval, 15s)
 * @param staleDuration        a series not updated for this long is dropped (registry.stale_duration, 15m)
 * @param traceIdLabelName     the exemplar label holding the trace id ("trace_id"; Tempo's own default is "traceID")
 * @param histograms           which histogram forms are written (generate_native_histograms: both)
 * @param nativeBucketFactor   the native histograms' bucket growth factor (1.1: schema 3)
 * @param nativeMaxBuckets     populated native buckets per series before the resolution halves (100)
 * @param spanMetrics          the span metrics processor, or null when off
 * @param serviceGraphs        the service graph processor, or null when off
 */
public record GeneratorConfig(Duration collectionInterval, Duration staleDuration, String traceIdLabelName,
                              HistogramMode histograms, double nativeBucketFactor, int nativeMaxBuckets,
                              SpanMetrics spanMetrics, ServiceGraphs serviceGraphs) {
    /** Tempo's span metrics buckets: 2ms doubling 14 times, to 16.384s. */
    public static final List<Double> SPAN_METRICS_BUCKETS = exponential(0.002, 14);
    /** Tempo's service graph buckets: 100ms doubling 8 times, to 12.8s. */
    public static final List<Double> SERVICE_GRAPH_BUCKETS = exponential(0.1, 8);
    /** The label names the span metrics set themselves; a dimension may not take one. */
    static final Set<String> INTRINSIC = Set.of("service", "span_name", "span_kind", "status_code", "status_message",
            "job", "instance", "le");
    /** The label names the service graph sets itself. */
    static final Set<String> GRAPH_INTRINSIC = Set.of("client", "server", "connection_type", "le");

    public GeneratorConfig {
        positive("collection_interval", collectionInterval);
        positive("stale_duration", staleDuration);
        if (traceIdLabelName == null || !validLabelName(traceIdLabelName)) {
            throw new IllegalArgumentException("trace_id_label_name: \"" + traceIdLabelName + "\" is not a valid label name");
        }
        if (histograms == null) {
            throw new IllegalArgumentException("generate_native_histograms: required");
        }
        if (!(nativeBucketFactor > 1)) {
            throw new IllegalArgumentException("native_histogram_bucket_factor: must be more than 1, got " + nativeBucketFactor);
        }
        if (nativeMaxBuckets < 1) {
            throw new IllegalArgumentException("native_histogram_max_bucket_number: must be at least 1, got " + nativeMaxBuckets);
        }
    }

    /** Both processors on, Tempo's defaults everywhere. */
    public static GeneratorConfig defaults() {
        return new GeneratorConfig(Duration.ofSeconds(15), Duration.ofMinutes(15), "trace_id", HistogramMode.BOTH, 1.1, 100,
                SpanMetrics.defaults(), ServiceGraphs.defaults());
    }

    /** The native histograms' starting schema, from the bucket factor. */
    int nativeSchema() {
        return ExponentialBuckets.schemaOf(nativeBucketFactor);
    }

    /**
     * {@code processor.span_metrics}: extra labels from span or resource attributes ({@code dimensions}, looked up in
     * the resource first, then the span; the label is the attribute name with every character outside
     * [a-zA-Z0-9_] made '_'), and the latency histogram's classic bounds in seconds.
     */
    public record SpanMetrics(List<String> dimensions, List<Double> histogramBuckets) {
        public SpanMetrics {
            dimensions = checkDimensions(dimensions, "processor.span_metrics.dimensions", INTRINSIC);
            histogramBuckets = checkBuckets(histogramBuckets, "processor.span_metrics.histogram_buckets", SPAN_METRICS_BUCKETS);
        }

        public static SpanMetrics defaults() {
            return new SpanMetrics(null, null);
        }
    }

    /**
     * {@code processor.service_graphs}: how long an unpaired client or server span waits for its other half
     * ({@code wait}, 10s) and how many may wait at once ({@code max_items}, 10000); extra labels ({@code dimensions});
     * the span attributes naming an uninstrumented peer ({@code peer_attributes}, peer.service, db.name, db.system);
     * the latency histograms' bounds.
     */
    public record ServiceGraphs(List<String> dimensions, List<Double> histogramBuckets, Duration waitDuration, int maxItems,
                                List<String> peerAttributes) {
        public ServiceGraphs {
            dimensions = checkDimensions(dimensions, "processor.service_graphs.dimensions", GRAPH_INTRINSIC);
            histogramBuckets = checkBuckets(histogramBuckets, "processor.service_graphs.histogram_buckets", SERVICE_GRAPH_BUCKETS);
            waitDuration = waitDuration == null ? Duration.ofSeconds(10) : waitDuration;
            positive("processor.service_graphs.wait", waitDuration);
            if (maxItems < 1) {
                throw new IllegalArgumentException("processor.service_graphs.max_items: must be at least 1, got " + maxItems);
            }
            peerAttributes = peerAttributes == null ? List.of("peer.service", "db.name", "db.system") : List.copyOf(peerAttributes);
            for (int i = 0; i < peerAttributes.size(); i++) {
                if (peerAttributes.get(i).isEmpty()) {
                    throw new IllegalArgumentException("processor.service_graphs.peer_attributes[" + i + "]: empty attribute name");
                }
            }
        }

        public static ServiceGraphs defaults() {
            return new ServiceGraphs(null, null, null, 10_000, null);
        }
    }

    /** The label an attribute becomes: every character outside [a-zA-Z0-9_] turned '_', '_' before a leading digit. */
    static String labelName(String attribute) {
        StringBuilder sb = new StringBuilder(attribute.length() + 1);
        if (!attribute.isEmpty() && Character.isDigit(attribute.charAt(0))) {
            sb.append('_');
        }
        for (int i = 0; i < attribute.length(); i++) {
            char c = attribute.charAt(i);
            sb.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
        }
        return sb.toString();
    }

    private static boolean validLabelName(String s) {
        return !s.isEmpty() && !s.startsWith("__") && labelName(s).equals(s);
    }

    private static List<String> checkDimensions(List<String> dims, String key, Set<String> reserved) {
        if (dims == null) {
            return List.of();
        }
        Set<String> labels = new HashSet<>();
        for (int i = 0; i < dims.size(); i++) {
            String d = dims.get(i);
            if (d == null || d.isEmpty()) {
                throw new IllegalArgumentException(key + "[" + i + "]: empty attribute name");
            }
            String label = labelName(d);
            if (reserved.contains(label) || label.startsWith("__")) {
                throw new IllegalArgumentException(key + "[" + i + "]: \"" + d + "\" would become the label \"" + label
                        + "\", which the generator sets itself");
            }
            if (!labels.add(label)) {
                throw new IllegalArgumentException(key + "[" + i + "]: \"" + d + "\" would become the label \"" + label
                        + "\" a dimension before it already is");
            }
        }
        return List.copyOf(dims);
    }

    private static List<Double> checkBuckets(List<Double> b, String key, List<Double> dflt) {
        if (b == null) {
            return dflt;
        }
        if (b.isEmpty()) {
            throw new IllegalArgumentException(key + ": at least one bucket bound is needed");
        }
        for (int i = 0; i < b.size(); i++) {
            Double v = b.get(i);
            if (v == null || !Double.isFinite(v) || v <= 0) {
                throw new IllegalArgumentException(key + "[" + i + "]: bounds are finite seconds above 0, got " + v);
            }
            if (i > 0 && !(v > b.get(i - 1))) {
                throw new IllegalArgumentException(key + "[" + i + "]: bounds must increase, got " + b.get(i - 1) + " then " + v);
            }
        }
        return List.copyOf(b);
    }

    private static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": must be more than 0, got " + d);
        }
    }

    private static List<Double> exponential(double start, int n) {
        Double[] b = new Double[n];
        double v = start;
        for (int i = 0; i < n; i++) {
            b[i] = v;
            v *= 2;
        }
        return List.of(b);
    }
}
