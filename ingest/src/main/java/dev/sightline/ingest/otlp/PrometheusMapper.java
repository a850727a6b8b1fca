package dev.sightline.ingest.otlp;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException;
import dev.sightline.core.text.GoFloats;
import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.SeriesRefCache;
import dev.sightline.metricstore.Appender;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.sightline.ingest.otlp.OtlpProtobuf.M_GAUGE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_SUM;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_SUMMARY;

/**
 * Maps one request's OTLP resources, scopes, metrics and data points, as {@link OtlpRequestDecoder} reads them, to
 * Prometheus series and appends them (see {@link OtlpMetricsTranslator} for the mapping). A point whose series refs
 * are all in the context's ref cache is appended by ref, without decoding its attributes or building labels.
 */
final class PrometheusMapper {
    private static final HexFormat HEX = HexFormat.of();
    private static final int DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA_VALUE;
    /** Series codes of a point's _sum and _count series (see seriesKey). */
    private static final long SUM = -1, COUNT = -2;

    private final Appender appender;
    private final IngestContext context;
    private final DeltaAccumulator deltas;
    private final PointTally tally;
    /** The point being mapped, filled by the decoder. */
    private final DataPoint point;

    // The resource, scope and metric being read.
    private String job;
    private String instance;
    /** Labels every point of the current scope carries: job, instance, otel_scope_*. */
    private Map<String, String> common;
    private long maxTimestampMs;
    /** The OTLP name of the metric being read (for messages), its Prometheus name, and how its points are mapped. */
    private String metricName;
    private String prom;
    private boolean delta;
    private boolean isSum;

    /** The context's series refs (null if it has none). */
    private final SeriesRefCache refs;
    /**
     * The key of one of the point's series: the point's key and a code for what else its labels come from: 0 for
     * a number point's one series, SUM or COUNT, a bucket's bound or a quantile (as double bits; never -1 or -2).
     */
    private final SeriesKey seriesKey = new SeriesKey();
    /** Whether the point's series go into the ref cache as they are appended; the index of the next one. */
    private boolean cacheable;
    private int seriesIndex;
    // The point's series in the order they are appended: their codes and values, keys and refs.
    private long[] seriesCodes = new long[16];
    private double[] seriesValues = new double[16];
    private long[] seriesKeys = new long[32];
    private long[] seriesRefs = new long[16];
    private final TreeMap<String, String> labelMap = new TreeMap<>();

    PrometheusMapper(Appender appender, IngestContext context, DeltaAccumulator deltas, PointTally tally, DataPoint point) {
        this.appender = appender;
        this.context = context;
        this.deltas = deltas;
        this.tally = tally;
        this.point = point;
        this.refs = context.seriesRefs();
    }

    /** A resource begins: its attributes give job ({@code service.namespace/service.name}) and instance. */
    void resource(List<String> keys, List<String> values) {
        String serviceName = null;
        String serviceNamespace = null;
        instance = null;
        for (int i = 0; i < keys.size(); i++) {
            switch (keys.get(i)) {
                case "service.name" -> serviceName = values.get(i);
                case "service.namespace" -> serviceNamespace = values.get(i);
                case "service.instance.id" -> instance = values.get(i);
                default -> {
                }
            }
        }
        job = serviceName == null ? null
                : serviceNamespace == null || serviceNamespace.isEmpty() ? serviceName : serviceNamespace + "/" + serviceName;
        maxTimestampMs = Long.MIN_VALUE;
    }

    /** A scope begins: the labels its points carry. */
    void scope(String name, String version, String schemaUrl, List<String> attrKeys, List<String> attrValues) {
        common = new LinkedHashMap<>();
        putIfPresent(common, "otel_scope_name", name);
        putIfPresent(common, "otel_scope_version", version);
        putIfPresent(common, "otel_scope_schema_url", schemaUrl);
        for (int i = 0; i < attrKeys.size(); i++) {
            putIfPresent(common, "otel_scope_" + OtlpNames.labelName(attrKeys.get(i)), attrValues.get(i));
        }
        putIfPresent(common, "job", job);
        putIfPresent(common, "instance", instance);
    }

    /**
     * The resource ends: target_info, the resource attributes that are not job/instance, so they can be joined in
     * queries, stamped with the latest accepted point's time (none if no point was accepted).
     */
    void endResource(List<String> keys, List<String> values) {
        if (maxTimestampMs == Long.MIN_VALUE) {
            return;
        }
        Map<String, String> labels = new TreeMap<>();
        boolean any = false;
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            if (k.equals("service.name") || k.equals("service.namespace") || k.equals("service.instance.id")) {
                continue;
            }
            mergeAttribute(labels, k, values.get(i));
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
        b.set(Labels.METRIC_NAME, OtlpMetricsTranslator.TARGET_INFO);
        try {
            Labels l = b.build();
            appender.append(0, l, maxTimestampMs, 1);
            tally.samples++;
            context.metadata(OtlpMetricsTranslator.TARGET_INFO, MetricType.INFO, "Target metadata", "");
        } catch (ValidationException e) {
            tally.refused(OtlpMetricsTranslator.TARGET_INFO, e);
        }
    }

    /** A metric without data: refused as one point. */
    void metricWithoutData(String name) {
        metricName = name;
        tally.reject(name, OtlpMetricsTranslator.UNSUPPORTED, "metric has no data (gauge, sum, histogram, exponential_histogram or summary)");
    }

    /**
     * A metric begins: its Prometheus name (with unit and type suffixes) and type, recorded as metadata.
     * {@code dataTag} is the Metric field holding its data.
     */
    void metric(String name, String description, String unit, int dataTag, int temporality, boolean monotonic) {
        metricName = name;
        isSum = dataTag == M_SUM;
        // A non-monotonic delta sum is still a sum of changes: accumulated as well.
        delta = temporality == DELTA && dataTag != M_GAUGE && dataTag != M_SUMMARY;
        MetricType type;
        if (dataTag == M_GAUGE) {
            prom = OtlpNames.metricName(name, unit, false, true);
            type = MetricType.GAUGE;
        } else if (dataTag == M_SUM) {
            prom = OtlpNames.metricName(name, unit, monotonic, !monotonic);
            type = monotonic ? MetricType.COUNTER : MetricType.GAUGE;
        } else {
            prom = OtlpNames.metricName(name, unit, false, false);
            type = dataTag == M_SUMMARY ? MetricType.SUMMARY : MetricType.HISTOGRAM;
        }
        context.metadata(prom, type, description, unit);
    }

    /** A number point (gauge or sum); a sum's samples carry its start timestamp, a gauge's none. */
    void number() {
        DataPoint p = point;
        long tsMs = millis(p.timeNanos);
        boolean stale = noRecordedValue(p.flags);
        long stMs = isSum && !stale ? startMillis() : 0;
        if (!stale && p.valueCase == DataPoint.VALUE_NOT_SET) {
            tally.reject(metricName, OtlpMetricsTranslator.UNSUPPORTED, "number data point has neither as_double nor as_int");
            return;
        }
        // A series seen before is appended by its ref: no attributes decoded, no labels built. Deltas need the
        // labels (their totals are kept by them), and so do exemplars.
        startSeries(refs != null && !delta && p.exemplarCount == 0);
        if (cacheable) {
            series(0, 0, stale ? Staleness.STALE_NAN : p.value);
            if (appendCached(1, stMs, tsMs)) {
                return;
            }
        }
        try {
            Labels labels = labels(prom);
            double v = stale ? Staleness.STALE_NAN : p.value;
            if (delta && !stale) {
                DeltaAccumulator.SumTotal total = deltas.addSum(labels, p.startNanos, p.timeNanos, v);
                v = total.total();
                stMs = millis(total.startNanos());
            }
            long ref = append(labels, stMs, tsMs, v);
            exemplars(ref, labels);
            accepted(tsMs);
        } catch (ValidationException e) {
            tally.reject(metricName, e);
        }
    }

    private void startSeries(boolean cache) {
        cacheable = cache;
        seriesIndex = 0;
    }

    private void series(int i, long code, double v) {
        if (i == seriesValues.length) {
            seriesCodes = Arrays.copyOf(seriesCodes, i * 2);
            seriesValues = Arrays.copyOf(seriesValues, i * 2);
            seriesRefs = new long[i * 2];
            seriesKeys = new long[i * 4];
        }
        seriesCodes[i] = code;
        seriesValues[i] = v;
    }

    /**
     * Appends the point's {@code n} series (values in seriesValues) by their cached refs, in the order the slow
     * path appends them, and counts the point; false, with nothing appended, if any ref is not cached. A ref that
     * storage no longer knows (it dropped the series) is forgotten with the point's others, and false returned:
     * the caller appends the point again with labels, which storage takes as duplicates for what went in already.
     */
    private boolean appendCached(int n, long stMs, long tsMs) {
        for (int i = 0; i < n; i++) {
            seriesKey.copy(point.key);
            seriesKey.add(seriesCodes[i]);
            long k1 = seriesKey.key1();
            long k2 = seriesKey.key2();
            seriesKeys[2 * i] = k1;
            seriesKeys[2 * i + 1] = k2;
            seriesRefs[i] = refs.get(k1, k2);
            if (seriesRefs[i] == 0) {
                return false;
            }
        }
        for (int i = 0; i < n; i++) {
            try {
                appender.append(seriesRefs[i], null, stMs, tsMs, seriesValues[i]);
                tally.samples++;
            } catch (ValidationException e) {
                tally.reject(metricName, e);
                return true;
            } catch (IllegalArgumentException unknownRef) {
                for (int j = 0; j < n; j++) {
                    refs.remove(seriesKeys[2 * j], seriesKeys[2 * j + 1]);
                }
                tally.samples -= i;
                return false;
            }
        }
        accepted(tsMs);
        return true;
    }

    /** An explicit-bucket histogram point: classic _sum, _count and cumulative _bucket series. */
    void histogram() {
        DataPoint p = point;
        long tsMs = millis(p.timeNanos);
        int nb = p.bucketCount;
        int nBounds = p.boundCount;
        if (nb != 0 && nb != nBounds + 1) {
            tally.reject(metricName, OtlpMetricsTranslator.UNSUPPORTED, "histogram data point has " + nb + " bucket_counts for " + nBounds
                    + " explicit_bounds (needs bounds + 1)");
            return;
        }
        boolean stale = noRecordedValue(p.flags);
        long stMs = stale ? 0 : startMillis();
        startSeries(refs != null && !delta && p.exemplarCount == 0);
        if (cacheable) {
            // The series in the order appended below: _sum (if any), _count, the cumulative buckets.
            int n = 0;
            if (p.hasSum) {
                series(n++, SUM, stale ? Staleness.STALE_NAN : p.sum);
            }
            series(n++, COUNT, stale ? Staleness.STALE_NAN : p.count);
            long cumulative = 0;
            for (int i = 0; i < Math.max(nb, 1); i++) {
                cumulative = nb == 0 ? p.count : cumulative + p.bucketCounts[i];
                double le = i < nBounds ? p.bounds[i] : Double.POSITIVE_INFINITY;
                series(n++, Double.doubleToLongBits(le), stale ? Staleness.STALE_NAN : cumulative);
            }
            if (appendCached(n, stMs, tsMs)) {
                return;
            }
        }
        try {
            Labels base = labels(null);
            long[] counts = p.bucketCounts;
            long total = p.count;
            double s = p.sum;
            if (delta && !stale) {
                // The accumulator keeps the arrays it is given: copies, not the reused buffers.
                DeltaAccumulator.HistogramTotals t = deltas.addHistogram(with(base, prom), p.startNanos, p.timeNanos,
                        Arrays.copyOf(p.bounds, nBounds), Arrays.copyOf(counts, nb), total, s);
                counts = t.counts();
                total = t.count();
                s = t.sum();
                stMs = millis(t.startNanos());
            }
            if (p.hasSum) {
                append(with(base, prom + "_sum"), stMs, tsMs, stale ? Staleness.STALE_NAN : s);
            }
            append(with(base, prom + "_count"), stMs, tsMs, stale ? Staleness.STALE_NAN : total);
            if (nb == 0) {
                // No buckets: the count alone is the +Inf bucket.
                append(bucket(base, prom, "+Inf"), stMs, tsMs, stale ? Staleness.STALE_NAN : total);
                accepted(tsMs);
                return;
            }
            long cumulative = 0;
            long[] bucketRefs = new long[nb];
            Labels[] bucketLabels = new Labels[nb];
            for (int i = 0; i < nb; i++) {
                cumulative += counts[i];
                bucketLabels[i] = bucket(base, prom, i < nBounds ? GoFloats.formatF(p.bounds[i]) : "+Inf");
                bucketRefs[i] = append(bucketLabels[i], stMs, tsMs, stale ? Staleness.STALE_NAN : cumulative);
            }
            // Each exemplar goes with the bucket its value falls into.
            for (int e = 0; e < p.exemplarCount; e++) {
                Labels exemplar = exemplarLabels(e);
                int b = 0;
                while (b < nBounds && p.exemplarValue > p.bounds[b]) {
                    b++;
                }
                appender.appendExemplar(bucketRefs[b], bucketLabels[b], exemplar, millis(p.exemplarTimeNanos), p.exemplarValue);
            }
            accepted(tsMs);
        } catch (ValidationException e) {
            tally.reject(metricName, e);
        }
    }

    /** An exponential histogram point: one native histogram series. */
    void exponential() {
        DataPoint p = point;
        long tsMs = millis(p.timeNanos);
        startSeries(false);
        try {
            Labels labels = labels(prom);
            if (noRecordedValue(p.flags)) {
                long ref = append(labels, 0, tsMs, Staleness.STALE_NAN);
                exemplars(ref, labels);
                accepted(tsMs);
                return;
            }
            TreeMap<Integer, Long> pos = NativeHistograms.buckets(p.positive.offset, p.positive.counts, p.positive.size);
            TreeMap<Integer, Long> neg = NativeHistograms.buckets(p.negative.offset, p.negative.counts, p.negative.size);
            int sc = p.scale;
            double zt = p.zeroThreshold;
            long zc = p.zeroCount;
            long total = p.count;
            double s = p.hasSum ? p.sum : 0;
            long stMs = startMillis();
            Histogram.CounterResetHint hint = Histogram.CounterResetHint.UNKNOWN;
            if (delta) {
                DeltaAccumulator.ExpState st = deltas.addExponential(labels, p.startNanos, p.timeNanos, sc, zt, zc, total, s, pos, neg);
                sc = st.scale;
                zt = st.zeroThreshold;
                zc = st.zeroCount;
                total = st.count;
                s = st.sum;
                pos = st.positive;
                neg = st.negative;
                stMs = millis(st.totalStartNanos);
                // Totals kept here only grow, so no counter reset can be mistaken for one.
                hint = Histogram.CounterResetHint.NOT_COUNTER_RESET;
            }
            Histogram h = NativeHistograms.toNative(hint, sc, zt, zc, total, s, pos, neg);
            h.validate();
            long ref = appender.appendHistogram(0, labels, stMs, tsMs, h);
            tally.samples++;
            exemplars(ref, labels);
            accepted(tsMs);
        } catch (ValidationException e) {
            tally.reject(metricName, e);
        }
    }

    /** A summary point: _sum, _count and one series per quantile. */
    void summary() {
        DataPoint p = point;
        long tsMs = millis(p.timeNanos);
        boolean stale = noRecordedValue(p.flags);
        long stMs = stale ? 0 : startMillis();
        startSeries(refs != null);
        if (cacheable) {
            series(0, SUM, stale ? Staleness.STALE_NAN : p.sum);
            series(1, COUNT, stale ? Staleness.STALE_NAN : p.count);
            for (int i = 0; i < p.quantileCount; i++) {
                series(2 + i, Double.doubleToLongBits(p.quantiles[i]), stale ? Staleness.STALE_NAN : p.quantileValues[i]);
            }
            if (appendCached(2 + p.quantileCount, stMs, tsMs)) {
                return;
            }
        }
        try {
            Labels base = labels(null);
            append(with(base, prom + "_sum"), stMs, tsMs, stale ? Staleness.STALE_NAN : p.sum);
            append(with(base, prom + "_count"), stMs, tsMs, stale ? Staleness.STALE_NAN : p.count);
            for (int i = 0; i < p.quantileCount; i++) {
                Labels l = base.toBuilder().set("quantile", GoFloats.formatF(p.quantiles[i]))
                        .set(Labels.METRIC_NAME, prom).build();
                append(l, stMs, tsMs, stale ? Staleness.STALE_NAN : p.quantileValues[i]);
            }
            accepted(tsMs);
        } catch (ValidationException e) {
            tally.reject(metricName, e);
        }
    }

    /**
     * The point's start timestamp in ms, 0 when unknown: OTel marks an unknown start with 0 or, from some
     * producers, a start after the point's time (both unsigned, as fixed64 is).
     */
    private long startMillis() {
        long start = point.startNanos;
        return start == 0 || Long.compareUnsigned(start, point.timeNanos) > 0 ? 0 : millis(start);
    }

    private long append(Labels labels, long stMs, long tsMs, double v) {
        long ref = appender.append(0, labels, stMs, tsMs, v);
        tally.samples++;
        if (cacheable && ref != 0) {
            seriesKey.copy(point.key);
            seriesKey.add(seriesCodes[seriesIndex]);
            refs.put(seriesKey.key1(), seriesKey.key2(), ref);
        }
        seriesIndex++;
        return ref;
    }

    private void exemplars(long ref, Labels series) {
        for (int e = 0; e < point.exemplarCount; e++) {
            Labels exemplar = exemplarLabels(e);
            appender.appendExemplar(ref, series, exemplar, millis(point.exemplarTimeNanos), point.exemplarValue);
        }
    }

    /** Decodes exemplar {@code e} of the point (its time and value stay in the point) and returns its labels. */
    private Labels exemplarLabels(int e) {
        DataPoint p = point;
        p.readExemplar(e);
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < p.exemplarAttrCount; i++) {
            b.set(OtlpNames.labelName(p.exemplarKeys[i]), p.exemplarValues[i]);
        }
        if (p.traceLen > 0) {
            b.set("trace_id", HEX.formatHex(p.buf(), p.traceAt, p.traceAt + p.traceLen));
        }
        if (p.spanLen > 0) {
            b.set("span_id", HEX.formatHex(p.buf(), p.spanAt, p.spanAt + p.spanLen));
        }
        return b.build();
    }

    /**
     * The point's labels: its attributes (sanitised; keys that collide after sanitising have their values joined
     * with ';' in key order), then the scope labels and job/instance, which win over attributes, then the name.
     */
    private Labels labels(String name) {
        DataPoint p = point;
        p.decodeAttributes();
        TreeMap<String, String> m = labelMap;
        m.clear();
        // Sorted by original key (stable, so equal keys keep their order) so the joined values of colliding keys
        // come in a stable order. SDKs send them sorted already.
        String[] keys = p.attrKeys;
        int[] order = p.attrOrder;
        for (int i = 0; i < p.attrCount; i++) {
            int j = i;
            while (j > 0 && keys[order[j - 1]].compareTo(keys[i]) > 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        for (int i = 0; i < p.attrCount; i++) {
            mergeAttribute(m, keys[order[i]], p.attrValues[order[i]]);
        }
        m.putAll(common);
        if (name != null) {
            m.put(Labels.METRIC_NAME, name);
        }
        m.remove("");
        return Labels.fromMap(m);
    }

    private void accepted(long tsMs) {
        tally.acceptedPoints++;
        maxTimestampMs = Math.max(maxTimestampMs, tsMs);
    }

    private static Labels bucket(Labels base, String prom, String le) {
        return base.toBuilder().set("le", le).set(Labels.METRIC_NAME, prom + "_bucket").build();
    }

    private static Labels with(Labels base, String name) {
        return base.toBuilder().set(Labels.METRIC_NAME, name).build();
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

    private static boolean noRecordedValue(int flags) {
        return (flags & DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE) != 0;
    }

    private static long millis(long nanos) {
        return Math.floorDiv(nanos, 1_000_000L);
    }
}
