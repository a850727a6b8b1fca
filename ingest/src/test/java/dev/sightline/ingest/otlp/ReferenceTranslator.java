package dev.sightline.ingest.otlp;

import com.google.protobuf.ByteString;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException;
import dev.sightline.core.text.GoFloats;
import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.MetricType;
import dev.sightline.metricstore.Appender;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The translator as it was before the streaming decoder, over the generated message classes: the oracle of
 * {@link StreamingDecoderDifferentialTest} and the "before" of its allocation figure. Kept unchanged on purpose, but
 * for start timestamps, added after: a sum's, histogram's or summary's point gives each of its samples its start
 * time (ms; none if 0 or after the point's time, or for a staleness marker), a delta total the start of the delta
 * that began it.
 *
 * <p>Maps OTLP metrics to Prometheus series as the OpenTelemetry "Prometheus and OpenMetrics compatibility" specification
 * says: gauges and non-monotonic sums become gauges, monotonic sums counters ({@code _total}), explicit-bucket
 * histograms classic {@code _bucket}/{@code _sum}/{@code _count} series, exponential histograms native histograms,
 * summaries quantile series. Resource attributes give {@code job} ({@code service.namespace/service.name}) and
 * {@code instance} ({@code service.instance.id}), the others go to one {@code target_info} series per resource.
 * Delta temporality is turned into cumulative totals held in memory. A point that cannot be stored is counted and
 * explained while the rest of the request goes on, so the receiver can answer with OTLP's partial success.
 *
 * <p>Thread-safe: one translator serves all requests (it holds the delta totals).
 */
final class ReferenceTranslator {
    public static final String TARGET_INFO = "target_info";
    static final String UNSUPPORTED = "unsupported_data_point";
    private static final long DELTA_IDLE_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long EVICT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final HexFormat HEX = HexFormat.of();

    private final IngestLimits limits;
    private final DeltaAccumulator deltas = new DeltaAccumulator(DELTA_IDLE_NANOS);
    private volatile long lastEviction = System.nanoTime();

    ReferenceTranslator(IngestLimits limits) {
        this.limits = limits;
    }

    /** Series whose delta totals are held in memory. */
    public int deltaSeries() {
        return deltas.size();
    }

    /** Appends every point of the request to the appender; never throws for bad points, it reports them in the result. */
    public OtlpResult translate(ExportMetricsServiceRequest request, Appender appender, IngestContext context) {
        long now = System.nanoTime();
        if (now - lastEviction > EVICT_EVERY_NANOS) {
            lastEviction = now;
            deltas.evictIdle();
        }
        Request r = new Request(appender, context);
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            r.resource(rm);
        }
        StringBuilder msg = new StringBuilder();
        if (r.rejectedPoints > 0) {
            msg.append(r.rejectedPoints).append(" data point").append(r.rejectedPoints == 1 ? "" : "s").append(" rejected: ");
            msg.append(String.join("; ", r.errors));
            if (r.errorCount > r.errors.size()) {
                msg.append("; and ").append(r.errorCount - r.errors.size()).append(" more");
            }
        }
        return new OtlpResult(r.acceptedPoints, r.rejectedPoints, r.samples, Map.copyOf(r.reasons), msg.toString());
    }

    /** The state of one request: counts and the current resource/scope labels. */
    private final class Request {
        final Appender appender;
        final IngestContext context;
        long acceptedPoints;
        long rejectedPoints;
        long samples;
        long errorCount;
        final Map<String, Long> reasons = new TreeMap<>();
        final List<String> errors = new ArrayList<>();
        /** Labels every point of the current scope carries: job, instance, otel_scope_*. */
        Map<String, String> common;
        long maxTimestampMs;

        Request(Appender appender, IngestContext context) {
            this.appender = appender;
            this.context = context;
        }

        void resource(ResourceMetrics rm) {
            List<KeyValue> attrs = rm.getResource().getAttributesList();
            String serviceName = null;
            String serviceNamespace = null;
            String instance = null;
            for (KeyValue kv : attrs) {
                switch (kv.getKey()) {
                    case "service.name" -> serviceName = stringValue(kv.getValue());
                    case "service.namespace" -> serviceNamespace = stringValue(kv.getValue());
                    case "service.instance.id" -> instance = stringValue(kv.getValue());
                    default -> {
                    }
                }
            }
            String job = serviceName == null ? null
                    : serviceNamespace == null || serviceNamespace.isEmpty() ? serviceName : serviceNamespace + "/" + serviceName;
            maxTimestampMs = Long.MIN_VALUE;
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                common = new LinkedHashMap<>();
                scopeLabels(sm.getScope(), sm.getSchemaUrl());
                putIfPresent(common, "job", job);
                putIfPresent(common, "instance", instance);
                for (Metric m : sm.getMetricsList()) {
                    metric(m);
                }
            }
            if (maxTimestampMs != Long.MIN_VALUE) {
                targetInfo(attrs, job, instance);
            }
        }

        private void scopeLabels(InstrumentationScope scope, String schemaUrl) {
            putIfPresent(common, "otel_scope_name", scope.getName());
            putIfPresent(common, "otel_scope_version", scope.getVersion());
            putIfPresent(common, "otel_scope_schema_url", schemaUrl);
            for (KeyValue kv : scope.getAttributesList()) {
                putIfPresent(common, "otel_scope_" + OtlpNames.labelName(kv.getKey()), stringValue(kv.getValue()));
            }
        }

        /** target_info: the resource attributes that are not job/instance, so they can be joined in queries. */
        private void targetInfo(List<KeyValue> attrs, String job, String instance) {
            Map<String, String> labels = new TreeMap<>();
            boolean any = false;
            for (KeyValue kv : attrs) {
                String k = kv.getKey();
                if (k.equals("service.name") || k.equals("service.namespace") || k.equals("service.instance.id")) {
                    continue;
                }
                mergeAttribute(labels, k, stringValue(kv.getValue()));
                any = true;
            }
            if (!any) {
                return;
            }
            Labels.Builder b = Labels.builder();
            labels.forEach(b::set);
            if (job != null) {
                b.set("job", job);
            }
            if (instance != null) {
                b.set("instance", instance);
            }
            b.set(Labels.METRIC_NAME, TARGET_INFO);
            try {
                Labels l = b.build();
                appender.append(0, l, maxTimestampMs, 1);
                samples++;
                context.metadata(TARGET_INFO, MetricType.INFO, "Target metadata", "");
            } catch (ValidationException e) {
                // Not a data point of the request: counted under its reason, without touching the point counts.
                reasons.merge(e.reason().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
                note(TARGET_INFO + ": " + e.getMessage());
            }
        }

        private void metric(Metric m) {
            String name = m.getName();
            switch (m.getDataCase()) {
                case GAUGE -> {
                    String prom = OtlpNames.metricName(name, m.getUnit(), false, true);
                    metadata(prom, MetricType.GAUGE, m);
                    for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
                        number(m, prom, p, false, false);
                    }
                }
                case SUM -> {
                    boolean monotonic = m.getSum().getIsMonotonic();
                    boolean delta = m.getSum().getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
                    String prom = OtlpNames.metricName(name, m.getUnit(), monotonic, !monotonic);
                    metadata(prom, monotonic ? MetricType.COUNTER : MetricType.GAUGE, m);
                    for (NumberDataPoint p : m.getSum().getDataPointsList()) {
                        // A non-monotonic delta sum is still a sum of changes: accumulate it as well.
                        number(m, prom, p, delta, true);
                    }
                }
                case HISTOGRAM -> {
                    String prom = OtlpNames.metricName(name, m.getUnit(), false, false);
                    metadata(prom, MetricType.HISTOGRAM, m);
                    boolean delta = m.getHistogram().getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
                    for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                        histogram(m, prom, p, delta);
                    }
                }
                case EXPONENTIAL_HISTOGRAM -> {
                    String prom = OtlpNames.metricName(name, m.getUnit(), false, false);
                    metadata(prom, MetricType.HISTOGRAM, m);
                    boolean delta = m.getExponentialHistogram().getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
                    for (ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
                        exponential(m, prom, p, delta);
                    }
                }
                case SUMMARY -> {
                    String prom = OtlpNames.metricName(name, m.getUnit(), false, false);
                    metadata(prom, MetricType.SUMMARY, m);
                    for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
                        summary(m, prom, p);
                    }
                }
                case DATA_NOT_SET -> reject(name, UNSUPPORTED, "metric has no data (gauge, sum, histogram, exponential_histogram or summary)");
            }
        }

        private void metadata(String prom, MetricType type, Metric m) {
            context.metadata(prom, type, m.getDescription(), m.getUnit());
        }

        private void number(Metric m, String prom, NumberDataPoint p, boolean delta, boolean isSum) {
            long tsMs = millis(p.getTimeUnixNano());
            long stMs = isSum ? startMillis(p.getStartTimeUnixNano(), p.getTimeUnixNano()) : 0;
            try {
                Labels labels = labels(p.getAttributesList(), prom);
                double v = switch (p.getValueCase()) {
                    case AS_DOUBLE -> p.getAsDouble();
                    case AS_INT -> p.getAsInt();
                    case VALUE_NOT_SET -> Double.NaN;
                };
                if (noRecordedValue(p.getFlags())) {
                    v = Staleness.STALE_NAN;
                    stMs = 0;
                } else if (p.getValueCase() == NumberDataPoint.ValueCase.VALUE_NOT_SET) {
                    reject(m.getName(), UNSUPPORTED, "number data point has neither as_double nor as_int");
                    return;
                } else if (delta) {
                    DeltaAccumulator.SumTotal total = deltas.addSum(labels, p.getStartTimeUnixNano(), p.getTimeUnixNano(), v);
                    v = total.total();
                    stMs = millis(total.startNanos());
                }
                long ref = append(labels, stMs, tsMs, v);
                exemplars(ref, labels, p.getExemplarsList());
                accepted(tsMs);
            } catch (ValidationException e) {
                reject(m.getName(), e);
            }
        }

        private void histogram(Metric m, String prom, HistogramDataPoint p, boolean delta) {
            long tsMs = millis(p.getTimeUnixNano());
            int nb = p.getBucketCountsCount();
            int nBounds = p.getExplicitBoundsCount();
            if (nb != 0 && nb != nBounds + 1) {
                reject(m.getName(), UNSUPPORTED, "histogram data point has " + nb + " bucket_counts for " + nBounds
                        + " explicit_bounds (needs bounds + 1)");
                return;
            }
            try {
                Labels base = labels(p.getAttributesList(), null);
                boolean stale = noRecordedValue(p.getFlags());
                long[] counts = new long[nb];
                for (int i = 0; i < nb; i++) {
                    counts[i] = p.getBucketCounts(i);
                }
                double[] bounds = new double[nBounds];
                for (int i = 0; i < nBounds; i++) {
                    bounds[i] = p.getExplicitBounds(i);
                }
                long count = p.getCount();
                double sum = p.getSum();
                long stMs = stale ? 0 : startMillis(p.getStartTimeUnixNano(), p.getTimeUnixNano());
                if (delta && !stale) {
                    DeltaAccumulator.HistogramTotals t = deltas.addHistogram(with(base, prom), p.getStartTimeUnixNano(),
                            p.getTimeUnixNano(), bounds, counts, count, sum);
                    counts = t.counts();
                    count = t.count();
                    sum = t.sum();
                    stMs = millis(t.startNanos());
                }
                if (p.hasSum()) {
                    append(with(base, prom + "_sum"), stMs, tsMs, stale ? Staleness.STALE_NAN : sum);
                }
                append(with(base, prom + "_count"), stMs, tsMs, stale ? Staleness.STALE_NAN : count);
                long cumulative = 0;
                long[] refs = new long[nb];
                Labels[] bucketLabels = new Labels[nb];
                for (int i = 0; i < nb; i++) {
                    cumulative += counts[i];
                    String le = i < nBounds ? GoFloats.formatF(bounds[i]) : "+Inf";
                    bucketLabels[i] = base.toBuilder().set("le", le).set(Labels.METRIC_NAME, prom + "_bucket").build();
                    refs[i] = append(bucketLabels[i], stMs, tsMs, stale ? Staleness.STALE_NAN : cumulative);
                }
                if (nb == 0) {
                    // No buckets: the count alone is the +Inf bucket.
                    append(base.toBuilder().set("le", "+Inf").set(Labels.METRIC_NAME, prom + "_bucket").build(), stMs, tsMs,
                            stale ? Staleness.STALE_NAN : count);
                } else {
                    // Each exemplar goes with the bucket its value falls into.
                    for (Exemplar e : p.getExemplarsList()) {
                        double v = exemplarValue(e);
                        int b = 0;
                        while (b < nBounds && v > bounds[b]) {
                            b++;
                        }
                        exemplars(refs[b], bucketLabels[b], List.of(e));
                    }
                }
                accepted(tsMs);
            } catch (ValidationException e) {
                reject(m.getName(), e);
            }
        }

        private void exponential(Metric m, String prom, ExponentialHistogramDataPoint p, boolean delta) {
            long tsMs = millis(p.getTimeUnixNano());
            try {
                Labels labels = labels(p.getAttributesList(), prom);
                if (noRecordedValue(p.getFlags())) {
                    long ref = append(labels, 0, tsMs, Staleness.STALE_NAN);
                    exemplars(ref, labels, p.getExemplarsList());
                    accepted(tsMs);
                    return;
                }
                TreeMap<Integer, Long> pos = buckets(p.getPositive().getOffset(), p.getPositive().getBucketCountsList());
                TreeMap<Integer, Long> neg = buckets(p.getNegative().getOffset(), p.getNegative().getBucketCountsList());
                int scale = p.getScale();
                double zeroThreshold = p.getZeroThreshold();
                long zeroCount = p.getZeroCount();
                long count = p.getCount();
                double sum = p.hasSum() ? p.getSum() : 0;
                long stMs = startMillis(p.getStartTimeUnixNano(), p.getTimeUnixNano());
                Histogram.CounterResetHint hint = Histogram.CounterResetHint.UNKNOWN;
                if (delta) {
                    DeltaAccumulator.ExpState s = deltas.addExponential(labels, p.getStartTimeUnixNano(), p.getTimeUnixNano(),
                            scale, zeroThreshold, zeroCount, count, sum, pos, neg);
                    scale = s.scale;
                    zeroThreshold = s.zeroThreshold;
                    zeroCount = s.zeroCount;
                    count = s.count;
                    sum = s.sum;
                    pos = s.positive;
                    neg = s.negative;
                    stMs = millis(s.totalStartNanos);
                    // Totals kept here only grow, so no counter reset can be mistaken for one.
                    hint = Histogram.CounterResetHint.NOT_COUNTER_RESET;
                }
                Histogram h = NativeHistograms.toNative(hint, scale, zeroThreshold, zeroCount, count, sum, pos, neg);
                h.validate();
                long ref = appender.appendHistogram(0, labels, stMs, tsMs, h);
                samples++;
                exemplars(ref, labels, p.getExemplarsList());
                accepted(tsMs);
            } catch (ValidationException e) {
                reject(m.getName(), e);
            }
        }

        private void summary(Metric m, String prom, SummaryDataPoint p) {
            long tsMs = millis(p.getTimeUnixNano());
            try {
                Labels base = labels(p.getAttributesList(), null);
                boolean stale = noRecordedValue(p.getFlags());
                long stMs = stale ? 0 : startMillis(p.getStartTimeUnixNano(), p.getTimeUnixNano());
                append(with(base, prom + "_sum"), stMs, tsMs, stale ? Staleness.STALE_NAN : p.getSum());
                append(with(base, prom + "_count"), stMs, tsMs, stale ? Staleness.STALE_NAN : p.getCount());
                for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
                    Labels l = base.toBuilder().set("quantile", GoFloats.formatF(q.getQuantile()))
                            .set(Labels.METRIC_NAME, prom).build();
                    append(l, stMs, tsMs, stale ? Staleness.STALE_NAN : q.getValue());
                }
                accepted(tsMs);
            } catch (ValidationException e) {
                reject(m.getName(), e);
            }
        }

        private long append(Labels labels, long stMs, long tsMs, double v) {
            long ref = appender.append(0, labels, stMs, tsMs, v);
            samples++;
            return ref;
        }

        private void exemplars(long ref, Labels series, List<Exemplar> exemplars) {
            for (Exemplar e : exemplars) {
                Labels.Builder b = Labels.builder();
                for (KeyValue kv : e.getFilteredAttributesList()) {
                    b.set(OtlpNames.labelName(kv.getKey()), stringValue(kv.getValue()));
                }
                hex(b, "trace_id", e.getTraceId());
                hex(b, "span_id", e.getSpanId());
                appender.appendExemplar(ref, series, b.build(), millis(e.getTimeUnixNano()), exemplarValue(e));
            }
        }

        /**
         * The point's labels: its attributes (sanitised; keys that collide after sanitising have their values joined
         * with ';' in key order), then the scope labels and job/instance, which win over attributes, then the name.
         */
        private Labels labels(List<KeyValue> attrs, String metricName) {
            Map<String, String> m = new TreeMap<>();
            if (!attrs.isEmpty()) {
                // Sorted by original key so the joined values of colliding keys come in a stable order. SDKs send
                // them sorted already (then no copy).
                List<KeyValue> sorted = attrs;
                if (!sortedByKey(attrs)) {
                    sorted = new ArrayList<>(attrs);
                    sorted.sort((a, b) -> a.getKey().compareTo(b.getKey()));
                }
                for (KeyValue kv : sorted) {
                    mergeAttribute(m, kv.getKey(), stringValue(kv.getValue()));
                }
            }
            m.putAll(common);
            if (metricName != null) {
                m.put(Labels.METRIC_NAME, metricName);
            }
            m.remove("");
            return Labels.fromMap(m);
        }

        private void accepted(long tsMs) {
            acceptedPoints++;
            maxTimestampMs = Math.max(maxTimestampMs, tsMs);
        }

        private void reject(String metric, ValidationException e) {
            reject(metric, e.reason().name().toLowerCase(Locale.ROOT), e.getMessage());
        }

        private void reject(String metric, String reason, String message) {
            rejectedPoints++;
            reasons.merge(reason, 1L, Long::sum);
            note("metric \"" + metric + "\": " + message);
        }

        private void note(String error) {
            errorCount++;
            if (errors.size() < limits.maxReportedErrors()) {
                errors.add(error);
            }
        }
    }

    private static Labels with(Labels base, String name) {
        return base.toBuilder().set(Labels.METRIC_NAME, name).build();
    }

    private static boolean sortedByKey(List<KeyValue> attrs) {
        for (int i = 1; i < attrs.size(); i++) {
            if (attrs.get(i - 1).getKey().compareTo(attrs.get(i).getKey()) > 0) {
                return false;
            }
        }
        return true;
    }

    private static void mergeAttribute(Map<String, String> m, String key, String value) {
        String name = OtlpNames.labelName(key);
        m.merge(name, value, (a, b) -> a + ";" + b);
    }

    private static void putIfPresent(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }

    private static void hex(Labels.Builder b, String name, ByteString id) {
        if (!id.isEmpty()) {
            b.set(name, HEX.formatHex(id.toByteArray()));
        }
    }

    private static double exemplarValue(Exemplar e) {
        return e.getValueCase() == Exemplar.ValueCase.AS_INT ? e.getAsInt() : e.getAsDouble();
    }

    private static boolean noRecordedValue(int flags) {
        return (flags & DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE) != 0;
    }

    private static long millis(long nanos) {
        return Math.floorDiv(nanos, 1_000_000L);
    }

    private static long startMillis(long startNanos, long timeNanos) {
        return startNanos == 0 || Long.compareUnsigned(startNanos, timeNanos) > 0 ? 0 : millis(startNanos);
    }

    /** An attribute value as a label value: strings as they are, other scalars in their usual text, arrays and maps as JSON. */
    static String stringValue(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> GoFloats.formatF(v.getDoubleValue());
            case BYTES_VALUE -> java.util.Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
            case ARRAY_VALUE, KVLIST_VALUE -> json(v);
            case VALUE_NOT_SET -> "";
        };
    }

    private static String json(AnyValue v) {
        StringBuilder sb = new StringBuilder();
        appendJson(sb, v);
        return sb.toString();
    }

    private static void appendJson(StringBuilder sb, AnyValue v) {
        switch (v.getValueCase()) {
            case ARRAY_VALUE -> {
                sb.append('[');
                List<AnyValue> vs = v.getArrayValue().getValuesList();
                for (int i = 0; i < vs.size(); i++) {
                    sb.append(i == 0 ? "" : ",");
                    appendJson(sb, vs.get(i));
                }
                sb.append(']');
            }
            case KVLIST_VALUE -> {
                sb.append('{');
                List<KeyValue> kvs = v.getKvlistValue().getValuesList();
                for (int i = 0; i < kvs.size(); i++) {
                    sb.append(i == 0 ? "" : ",");
                    jsonString(sb, kvs.get(i).getKey());
                    sb.append(':');
                    appendJson(sb, kvs.get(i).getValue());
                }
                sb.append('}');
            }
            case STRING_VALUE, BYTES_VALUE -> jsonString(sb, stringValue(v));
            case VALUE_NOT_SET -> sb.append("null");
            default -> sb.append(stringValue(v));
        }
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static TreeMap<Integer, Long> buckets(int offset, List<Long> counts) {
        TreeMap<Integer, Long> m = new TreeMap<>();
        for (int i = 0; i < counts.size(); i++) {
            long c = counts.get(i);
            if (c != 0) {
                m.merge(offset + i, c, Long::sum);
            }
        }
        return m;
    }
}
