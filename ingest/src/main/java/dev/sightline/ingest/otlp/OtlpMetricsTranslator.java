package dev.sightline.ingest.otlp;

import com.google.protobuf.CodedInputStream;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException;
import dev.sightline.core.text.GoFloats;
import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.SeriesRefCache;
import dev.sightline.metricstore.Appender;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.sightline.ingest.otlp.OtlpProtobuf.I64;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LEN;
import static dev.sightline.ingest.otlp.OtlpProtobuf.VARINT;

/**
 * Maps OTLP metrics to Prometheus series as the OpenTelemetry "Prometheus and OpenMetrics compatibility" specification
 * says: gauges and non-monotonic sums become gauges, monotonic sums counters ({@code _total}), explicit-bucket
 * histograms classic {@code _bucket}/{@code _sum}/{@code _count} series, exponential histograms native histograms,
 * summaries quantile series. Resource attributes give {@code job} ({@code service.namespace/service.name}) and
 * {@code instance} ({@code service.instance.id}), the others go to one {@code target_info} series per resource.
 * Delta temporality is turned into cumulative totals held in memory. A point that cannot be stored is counted and
 * explained while the rest of the request goes on, so the receiver can answer with OTLP's partial success.
 *
 * <p>Start timestamps: every sample of a sum, histogram, exponential histogram or summary point carries the point's
 * start_time_unix_nano (in ms, truncated like the timestamp) as its start timestamp, as Prometheus's OTLP receiver
 * does, summary quantiles included; 0 or a start after the point's time is OTel's "unknown start" and gives none.
 * Gauges, target_info and staleness markers (no recorded value) have none. A delta total's start is the start of
 * the delta that began it (see {@link DeltaAccumulator}).
 *
 * <p>Binary requests are decoded as they are read ({@link #translate(byte[], int, int, Appender, IngestContext)}): no message
 * objects, the point's fields in buffers reused from point to point.
 *
 * <p>Thread-safe: one translator serves all requests (it holds the delta totals).
 */
public final class OtlpMetricsTranslator {
    public static final String TARGET_INFO = "target_info";
    static final String UNSUPPORTED = "unsupported_data_point";
    private static final long DELTA_IDLE_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long EVICT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final HexFormat HEX = HexFormat.of();

    private final IngestLimits limits;
    private final DeltaAccumulator deltas = new DeltaAccumulator(DELTA_IDLE_NANOS);
    private volatile long lastEviction = System.nanoTime();

    public OtlpMetricsTranslator(IngestLimits limits) {
        this.limits = limits;
    }

    /** Series whose delta totals are held in memory. */
    public int deltaSeries() {
        return deltas.size();
    }

    /**
     * Appends every point of the request to the appender; never throws for bad points, it reports them in the result.
     * The message goes through the same streaming decoder as binary bodies.
     */
    public OtlpResult translate(ExportMetricsServiceRequest request, Appender appender, IngestContext context) {
        byte[] bytes = request.toByteArray();
        try {
            return translate(bytes, 0, bytes.length, appender, context);
        } catch (MalformedOtlpException e) {
            throw new IllegalStateException("a serialised message failed to decode", e);
        }
    }

    /**
     * Decodes a binary ExportMetricsServiceRequest in buf[off, off+len) straight into the appender, without building
     * message objects. The structure is checked first, so a malformed body appends nothing.
     */
    public OtlpResult translate(byte[] buf, int off, int len, Appender appender, IngestContext context)
            throws MalformedOtlpException {
        OtlpProtobuf.check(buf, off, len);
        long now = System.nanoTime();
        if (now - lastEviction > EVICT_EVERY_NANOS) {
            lastEviction = now;
            deltas.evictIdle();
        }
        Request r = new Request(buf, appender, context);
        try {
            CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == RM_FIELD) {
                    int l = in.readRawVarint32();
                    int at = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    r.resource(at, l);
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("a checked request failed to decode", e);
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

    // Field tags (field number and wire type) of the OTLP messages read below.
    private static final int RM_FIELD = tag(1, LEN);
    private static final int RM_RESOURCE = tag(1, LEN), RM_SCOPE_METRICS = tag(2, LEN);
    private static final int RESOURCE_ATTRIBUTES = tag(1, LEN);
    private static final int SM_SCOPE = tag(1, LEN), SM_METRICS = tag(2, LEN), SM_SCHEMA_URL = tag(3, LEN);
    private static final int SCOPE_NAME = tag(1, LEN), SCOPE_VERSION = tag(2, LEN), SCOPE_ATTRIBUTES = tag(3, LEN);
    private static final int KV_KEY = tag(1, LEN), KV_VALUE = tag(2, LEN);
    private static final int AV_STRING = tag(1, LEN), AV_BOOL = tag(2, VARINT), AV_INT = tag(3, VARINT),
            AV_DOUBLE = tag(4, I64), AV_ARRAY = tag(5, LEN), AV_KVLIST = tag(6, LEN), AV_BYTES = tag(7, LEN);
    private static final int LIST_VALUES = tag(1, LEN);
    private static final int M_NAME = tag(1, LEN), M_DESCRIPTION = tag(2, LEN), M_UNIT = tag(3, LEN), M_GAUGE = tag(5, LEN),
            M_SUM = tag(7, LEN), M_HISTOGRAM = tag(9, LEN), M_EXP_HISTOGRAM = tag(10, LEN), M_SUMMARY = tag(11, LEN);
    private static final int DATA_POINTS = tag(1, LEN), DATA_TEMPORALITY = tag(2, VARINT), DATA_MONOTONIC = tag(3, VARINT);
    private static final int P_START = tag(2, I64), P_TIME = tag(3, I64);
    private static final int NP_AS_DOUBLE = tag(4, I64), NP_AS_INT = tag(6, I64), NP_EXEMPLARS = tag(5, LEN),
            NP_ATTRIBUTES = tag(7, LEN), NP_FLAGS = tag(8, VARINT);
    private static final int HP_COUNT = tag(4, I64), HP_SUM = tag(5, I64), HP_COUNTS_PACKED = tag(6, LEN),
            HP_COUNTS = tag(6, I64), HP_BOUNDS_PACKED = tag(7, LEN), HP_BOUNDS = tag(7, I64), HP_EXEMPLARS = tag(8, LEN),
            HP_ATTRIBUTES = tag(9, LEN), HP_FLAGS = tag(10, VARINT);
    private static final int EP_ATTRIBUTES = tag(1, LEN), EP_COUNT = tag(4, I64), EP_SUM = tag(5, I64),
            EP_SCALE = tag(6, VARINT), EP_ZERO_COUNT = tag(7, I64), EP_POSITIVE = tag(8, LEN), EP_NEGATIVE = tag(9, LEN),
            EP_FLAGS = tag(10, VARINT), EP_EXEMPLARS = tag(11, LEN), EP_ZERO_THRESHOLD = tag(14, I64);
    private static final int B_OFFSET = tag(1, VARINT), B_COUNTS_PACKED = tag(2, LEN), B_COUNTS = tag(2, VARINT);
    private static final int SP_COUNT = tag(4, I64), SP_SUM = tag(5, I64), SP_QUANTILES = tag(6, LEN),
            SP_ATTRIBUTES = tag(7, LEN), SP_FLAGS = tag(8, VARINT);
    private static final int Q_QUANTILE = tag(1, I64), Q_VALUE = tag(2, I64);
    private static final int EX_TIME = tag(2, I64), EX_AS_DOUBLE = tag(3, I64), EX_SPAN_ID = tag(4, LEN),
            EX_TRACE_ID = tag(5, LEN), EX_AS_INT = tag(6, I64), EX_ATTRIBUTES = tag(7, LEN);
    private static final int DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA_VALUE;

    /** A tag no field has: summaries have no exemplars. */
    private static final int NO_FIELD = -1;
    /** Series codes of a point's _sum and _count series (see Request.seriesKey). */
    private static final long SUM = -1, COUNT = -2;
    /** The kind of a number point's value (its oneof case). */
    private static final int VALUE_NOT_SET = 0, AS_DOUBLE = 1, AS_INT = 2;

    /**
     * The state of one request: counts, the current resource/scope labels, and the data point being read, in buffers
     * reused from point to point. A container whose header fields protobuf may send after its children (scope_metrics'
     * schema_url, a sum's temporality) is read in two passes.
     */
    private final class Request {
        final byte[] buf;
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
        /** The metric being read (for messages). */
        String metricName;

        // The data point being read.
        /** The point's attributes: where each KeyValue is in buf; decoded into keys and values only for its labels. */
        int[] attrAt = new int[8];
        int[] attrLen = new int[8];
        String[] attrKeys = new String[8];
        String[] attrValues = new String[8];
        int[] attrOrder = new int[8];
        int attrCount;
        long startNanos;
        long timeNanos;
        int flags;
        int valueCase;
        double value;
        long count;
        double sum;
        boolean hasSum;
        long[] bucketCounts = new long[16];
        int bucketCount;
        double[] bounds = new double[16];
        int boundCount;
        int scale;
        double zeroThreshold;
        long zeroCount;
        final ExpBuckets positive = new ExpBuckets();
        final ExpBuckets negative = new ExpBuckets();
        double[] quantiles = new double[8];
        double[] quantileValues = new double[8];
        int quantileCount;
        /** Exemplars of the point: buffer offset and length of each, decoded once the point's series ref is known. */
        int[] exemplarAt = new int[4];
        int[] exemplarLen = new int[4];
        int exemplarCount;
        final TreeMap<String, String> labelMap = new TreeMap<>();
        // The last attribute read (readKeyValue) and the exemplar decoded (readExemplar).
        String kvKey;
        String kvValue;
        Labels exemplarLabels;
        long exemplarTimeNanos;
        double exemplarValue;

        /** The context's series refs (null if it has none), and the series keys of the levels above the point. */
        final SeriesRefCache refs;
        final SeriesKey resourceKey = new SeriesKey();
        final SeriesKey scopeKey = new SeriesKey();
        final SeriesKey metricKey = new SeriesKey();
        final SeriesKey pointKey = new SeriesKey();
        /**
         * The key of one of the point's series: the point's key and a code for what else its labels come from: 0 for
         * a number point's one series, SUM or COUNT, a bucket's bound or a quantile (as double bits; never -1 or -2).
         */
        final SeriesKey seriesKey = new SeriesKey();
        /** Whether the point's series go into the ref cache as they are appended; the index of the next one. */
        boolean cacheable;
        int seriesIndex;
        // The point's series in the order they are appended: their codes and values, keys and refs.
        long[] seriesCodes = new long[16];
        double[] seriesValues = new double[16];
        long[] seriesKeys = new long[32];
        long[] seriesRefs = new long[16];

        Request(byte[] buf, Appender appender, IngestContext context) {
            this.buf = buf;
            this.appender = appender;
            this.context = context;
            this.refs = context.seriesRefs();
        }

        private CodedInputStream stream(int at, int len) {
            return CodedInputStream.newInstance(buf, at, len);
        }

        private String string(CodedInputStream in) throws IOException {
            return in.readStringRequireUtf8();
        }

        void resource(int off, int len) throws IOException {
            List<String> keys = new ArrayList<>();
            List<String> values = new ArrayList<>();
            resourceKey.reset();
            CodedInputStream in = stream(off, len);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == RM_RESOURCE) {
                    int l = in.readRawVarint32();
                    resourceKey.add(buf, off + in.getTotalBytesRead(), l);
                    int lim = in.pushLimit(l);
                    for (int rt = in.readTag(); rt != 0; rt = in.readTag()) {
                        if (rt == RESOURCE_ATTRIBUTES) {
                            int kl = in.pushLimit(in.readRawVarint32());
                            readKeyValue(in);
                            in.popLimit(kl);
                            keys.add(kvKey);
                            values.add(kvValue);
                        } else {
                            in.skipField(rt);
                        }
                    }
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
            String serviceName = null;
            String serviceNamespace = null;
            String instance = null;
            for (int i = 0; i < keys.size(); i++) {
                switch (keys.get(i)) {
                    case "service.name" -> serviceName = values.get(i);
                    case "service.namespace" -> serviceNamespace = values.get(i);
                    case "service.instance.id" -> instance = values.get(i);
                    default -> {
                    }
                }
            }
            String job = serviceName == null ? null
                    : serviceNamespace == null || serviceNamespace.isEmpty() ? serviceName : serviceNamespace + "/" + serviceName;
            maxTimestampMs = Long.MIN_VALUE;
            in = stream(off, len);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == RM_SCOPE_METRICS) {
                    int l = in.readRawVarint32();
                    int at = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    scope(at, l, job, instance);
                } else {
                    in.skipField(t);
                }
            }
            if (maxTimestampMs != Long.MIN_VALUE) {
                targetInfo(keys, values, job, instance);
            }
        }

        /** A ScopeMetrics: its scope and schema_url first (protobuf puts schema_url after the metrics), then the metrics. */
        private void scope(int off, int len, String job, String instance) throws IOException {
            String name = "";
            String version = "";
            String schemaUrl = "";
            List<String> attrKeys = new ArrayList<>();
            List<String> attrValues = new ArrayList<>();
            scopeKey.copy(resourceKey);
            CodedInputStream in = stream(off, len);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == SM_SCOPE) {
                    int l = in.readRawVarint32();
                    scopeKey.add(SM_SCOPE);
                    scopeKey.add(buf, off + in.getTotalBytesRead(), l);
                    int lim = in.pushLimit(l);
                    for (int st = in.readTag(); st != 0; st = in.readTag()) {
                        if (st == SCOPE_NAME) {
                            name = string(in);
                        } else if (st == SCOPE_VERSION) {
                            version = string(in);
                        } else if (st == SCOPE_ATTRIBUTES) {
                            int kl = in.pushLimit(in.readRawVarint32());
                            readKeyValue(in);
                            in.popLimit(kl);
                            attrKeys.add(kvKey);
                            attrValues.add(kvValue);
                        } else {
                            in.skipField(st);
                        }
                    }
                    in.popLimit(lim);
                } else if (t == SM_SCHEMA_URL) {
                    int l = in.readRawVarint32();
                    int at = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    schemaUrl = new String(buf, at, l, StandardCharsets.UTF_8);
                    scopeKey.add(SM_SCHEMA_URL);
                    scopeKey.add(buf, at, l);
                } else {
                    in.skipField(t);
                }
            }
            common = new LinkedHashMap<>();
            putIfPresent(common, "otel_scope_name", name);
            putIfPresent(common, "otel_scope_version", version);
            putIfPresent(common, "otel_scope_schema_url", schemaUrl);
            for (int i = 0; i < attrKeys.size(); i++) {
                putIfPresent(common, "otel_scope_" + OtlpNames.labelName(attrKeys.get(i)), attrValues.get(i));
            }
            putIfPresent(common, "job", job);
            putIfPresent(common, "instance", instance);
            in = stream(off, len);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == SM_METRICS) {
                    int l = in.readRawVarint32();
                    int at = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    metric(at, l);
                } else {
                    in.skipField(t);
                }
            }
        }

        /** target_info: the resource attributes that are not job/instance, so they can be joined in queries. */
        private void targetInfo(List<String> keys, List<String> values, String job, String instance) {
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

        /** A Metric: name, unit, description and which data it holds first, then that data's points. */
        private void metric(int off, int len) throws IOException {
            String name = "";
            String description = "";
            String unit = "";
            int dataTag = 0;
            int dataAt = 0;
            int dataLen = 0;
            // The series key covers what the labels come from: name, unit, kind (below); not the description.
            metricKey.copy(scopeKey);
            CodedInputStream in = stream(off, len);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == M_NAME || t == M_UNIT) {
                    int l = in.readRawVarint32();
                    int at = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    metricKey.add(t);
                    metricKey.add(buf, at, l);
                    if (t == M_NAME) {
                        name = new String(buf, at, l, StandardCharsets.UTF_8);
                    } else {
                        unit = new String(buf, at, l, StandardCharsets.UTF_8);
                    }
                } else if (t == M_DESCRIPTION) {
                    description = string(in);
                } else if (t == M_GAUGE || t == M_SUM || t == M_HISTOGRAM || t == M_EXP_HISTOGRAM || t == M_SUMMARY) {
                    dataTag = t;
                    dataLen = in.readRawVarint32();
                    dataAt = off + in.getTotalBytesRead();
                    in.skipRawBytes(dataLen);
                } else {
                    in.skipField(t);
                }
            }
            metricName = name;
            if (dataTag == 0) {
                reject(name, UNSUPPORTED, "metric has no data (gauge, sum, histogram, exponential_histogram or summary)");
                return;
            }
            // The header of the data message (temporality, monotonic) may follow its points.
            int temporality = 0;
            boolean monotonic = false;
            in = stream(dataAt, dataLen);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == DATA_TEMPORALITY) {
                    temporality = in.readEnum();
                } else if (t == DATA_MONOTONIC && dataTag == M_SUM) {
                    monotonic = in.readBool();
                } else {
                    in.skipField(t);
                }
            }
            boolean delta = temporality == DELTA && dataTag != M_GAUGE && dataTag != M_SUMMARY;
            metricKey.add(dataTag);
            metricKey.add(monotonic ? 1 : 0);
            String prom;
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
            in = stream(dataAt, dataLen);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t != DATA_POINTS) {
                    in.skipField(t);
                    continue;
                }
                int lim = in.pushLimit(in.readRawVarint32());
                int base = dataAt;
                if (dataTag == M_GAUGE || dataTag == M_SUM) {
                    // A non-monotonic delta sum is still a sum of changes: accumulate it as well.
                    readNumberPoint(in, base);
                    in.popLimit(lim);
                    number(prom, delta, dataTag == M_SUM);
                } else if (dataTag == M_HISTOGRAM) {
                    readHistogramPoint(in, base);
                    in.popLimit(lim);
                    histogram(prom, delta);
                } else if (dataTag == M_EXP_HISTOGRAM) {
                    readExponentialPoint(in, base);
                    in.popLimit(lim);
                    exponential(prom, delta);
                } else {
                    readSummaryPoint(in, base);
                    in.popLimit(lim);
                    summary(prom);
                }
            }
        }

        // ---- reading a data point into the reused fields ----

        private void startPoint() {
            attrCount = 0;
            pointKey.copy(metricKey);
            cacheable = false;
            seriesIndex = 0;
            startNanos = 0;
            timeNanos = 0;
            flags = 0;
            valueCase = VALUE_NOT_SET;
            value = 0;
            count = 0;
            sum = 0;
            hasSum = false;
            bucketCount = 0;
            boundCount = 0;
            scale = 0;
            zeroThreshold = 0;
            zeroCount = 0;
            positive.clear();
            negative.clear();
            quantileCount = 0;
            exemplarCount = 0;
        }

        /** Notes where an attribute (KeyValue) of the point is, and adds its bytes to the point's series key. */
        private void attribute(CodedInputStream in, int base) throws IOException {
            int l = in.readRawVarint32();
            int at = base + in.getTotalBytesRead();
            in.skipRawBytes(l);
            if (attrCount == attrAt.length) {
                attrAt = Arrays.copyOf(attrAt, attrCount * 2);
                attrLen = Arrays.copyOf(attrLen, attrCount * 2);
                attrKeys = new String[attrCount * 2];
                attrValues = new String[attrCount * 2];
                attrOrder = new int[attrCount * 2];
            }
            attrAt[attrCount] = at;
            attrLen[attrCount] = l;
            attrCount++;
            pointKey.add(buf, at, l);
        }

        /** Decodes the point's attributes into attrKeys and attrValues; one stream over them, they are in buffer order. */
        private void decodeAttributes() {
            if (attrCount == 0) {
                return;
            }
            int from = attrAt[0];
            CodedInputStream in = stream(from, attrAt[attrCount - 1] + attrLen[attrCount - 1] - from);
            try {
                for (int i = 0; i < attrCount; i++) {
                    in.skipRawBytes(attrAt[i] - from - in.getTotalBytesRead());
                    int lim = in.pushLimit(attrLen[i]);
                    readKeyValue(in);
                    in.popLimit(lim);
                    attrKeys[i] = kvKey;
                    attrValues[i] = kvValue;
                }
            } catch (IOException e) {
                throw new IllegalStateException("a checked attribute failed to decode", e);
            }
        }

        private void exemplarRange(CodedInputStream in, int base) throws IOException {
            int l = in.readRawVarint32();
            if (exemplarCount == exemplarAt.length) {
                exemplarAt = Arrays.copyOf(exemplarAt, exemplarCount * 2);
                exemplarLen = Arrays.copyOf(exemplarLen, exemplarCount * 2);
            }
            exemplarAt[exemplarCount] = base + in.getTotalBytesRead();
            exemplarLen[exemplarCount] = l;
            exemplarCount++;
            in.skipRawBytes(l);
        }

        /** Reads a field every kind of point has (times, attributes, exemplars, flags); false if t is none of them. */
        private boolean pointField(int t, CodedInputStream in, int base, int attributesTag, int exemplarsTag, int flagsTag)
                throws IOException {
            if (t == P_START) {
                startNanos = in.readFixed64();
            } else if (t == P_TIME) {
                timeNanos = in.readFixed64();
            } else if (t == attributesTag) {
                attribute(in, base);
            } else if (t == exemplarsTag) {
                exemplarRange(in, base);
            } else if (t == flagsTag) {
                flags = in.readUInt32();
            } else {
                return false;
            }
            return true;
        }

        private void readNumberPoint(CodedInputStream in, int base) throws IOException {
            startPoint();
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (pointField(t, in, base, NP_ATTRIBUTES, NP_EXEMPLARS, NP_FLAGS)) {
                    continue;
                }
                if (t == NP_AS_DOUBLE) {
                    valueCase = AS_DOUBLE;
                    value = in.readDouble();
                } else if (t == NP_AS_INT) {
                    valueCase = AS_INT;
                    value = in.readSFixed64();
                } else {
                    in.skipField(t);
                }
            }
        }

        private void readHistogramPoint(CodedInputStream in, int base) throws IOException {
            startPoint();
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (pointField(t, in, base, HP_ATTRIBUTES, HP_EXEMPLARS, HP_FLAGS)) {
                    continue;
                }
                if (t == HP_COUNT) {
                    count = in.readFixed64();
                } else if (t == HP_SUM) {
                    hasSum = true;
                    sum = in.readDouble();
                } else if (t == HP_COUNTS) {
                    addBucketCount(in.readFixed64());
                } else if (t == HP_COUNTS_PACKED) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    while (in.getBytesUntilLimit() > 0) {
                        addBucketCount(in.readFixed64());
                    }
                    in.popLimit(lim);
                } else if (t == HP_BOUNDS) {
                    addBound(in.readDouble());
                } else if (t == HP_BOUNDS_PACKED) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    while (in.getBytesUntilLimit() > 0) {
                        addBound(in.readDouble());
                    }
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        }

        private void addBucketCount(long c) {
            if (bucketCount == bucketCounts.length) {
                bucketCounts = Arrays.copyOf(bucketCounts, bucketCount * 2);
            }
            bucketCounts[bucketCount++] = c;
        }

        private void addBound(double b) {
            if (boundCount == bounds.length) {
                bounds = Arrays.copyOf(bounds, boundCount * 2);
            }
            bounds[boundCount++] = b;
        }

        private void readExponentialPoint(CodedInputStream in, int base) throws IOException {
            startPoint();
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (pointField(t, in, base, EP_ATTRIBUTES, EP_EXEMPLARS, EP_FLAGS)) {
                    continue;
                }
                if (t == EP_COUNT) {
                    count = in.readFixed64();
                } else if (t == EP_SUM) {
                    hasSum = true;
                    sum = in.readDouble();
                } else if (t == EP_SCALE) {
                    scale = in.readSInt32();
                } else if (t == EP_ZERO_COUNT) {
                    zeroCount = in.readFixed64();
                } else if (t == EP_ZERO_THRESHOLD) {
                    zeroThreshold = in.readDouble();
                } else if (t == EP_POSITIVE || t == EP_NEGATIVE) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    (t == EP_POSITIVE ? positive : negative).read(in);
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        }

        private void readSummaryPoint(CodedInputStream in, int base) throws IOException {
            startPoint();
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (pointField(t, in, base, SP_ATTRIBUTES, NO_FIELD, SP_FLAGS)) {
                    continue;
                }
                if (t == SP_COUNT) {
                    count = in.readFixed64();
                } else if (t == SP_SUM) {
                    sum = in.readDouble();
                } else if (t == SP_QUANTILES) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    double q = 0;
                    double v = 0;
                    for (int qt = in.readTag(); qt != 0; qt = in.readTag()) {
                        if (qt == Q_QUANTILE) {
                            q = in.readDouble();
                        } else if (qt == Q_VALUE) {
                            v = in.readDouble();
                        } else {
                            in.skipField(qt);
                        }
                    }
                    in.popLimit(lim);
                    if (quantileCount == quantiles.length) {
                        quantiles = Arrays.copyOf(quantiles, quantileCount * 2);
                        quantileValues = Arrays.copyOf(quantileValues, quantileCount * 2);
                    }
                    quantiles[quantileCount] = q;
                    quantileValues[quantileCount++] = v;
                } else {
                    in.skipField(t);
                }
            }
        }

        /** A KeyValue (the stream limited to it) into kvKey and kvValue. */
        private void readKeyValue(CodedInputStream in) throws IOException {
            kvKey = "";
            kvValue = "";
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == KV_KEY) {
                    kvKey = string(in);
                } else if (t == KV_VALUE) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    kvValue = readAnyValue(in);
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        }

        /**
         * An attribute value as a label value (the stream limited to an AnyValue): strings as they are, other scalars
         * in their usual text, arrays and maps as JSON; the last field of the oneof wins, as protobuf merges.
         */
        private String readAnyValue(CodedInputStream in) throws IOException {
            String s = "";
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == AV_STRING) {
                    s = string(in);
                } else if (t == AV_BOOL) {
                    s = Boolean.toString(in.readBool());
                } else if (t == AV_INT) {
                    s = Long.toString(in.readInt64());
                } else if (t == AV_DOUBLE) {
                    s = GoFloats.formatF(in.readDouble());
                } else if (t == AV_BYTES) {
                    s = Base64.getEncoder().encodeToString(in.readByteArray());
                } else if (t == AV_ARRAY || t == AV_KVLIST) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    StringBuilder sb = new StringBuilder();
                    appendJsonList(sb, in, t == AV_ARRAY);
                    in.popLimit(lim);
                    s = sb.toString();
                } else {
                    in.skipField(t);
                }
            }
            return s;
        }

        /** An ArrayValue or KeyValueList (the stream limited to it) as JSON. */
        private void appendJsonList(StringBuilder sb, CodedInputStream in, boolean array) throws IOException {
            sb.append(array ? '[' : '{');
            boolean first = true;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t != LIST_VALUES) {
                    in.skipField(t);
                    continue;
                }
                sb.append(first ? "" : ",");
                first = false;
                int lim = in.pushLimit(in.readRawVarint32());
                if (array) {
                    appendJson(sb, in);
                } else {
                    String key = "";
                    String valueJson = "null";
                    for (int kt = in.readTag(); kt != 0; kt = in.readTag()) {
                        if (kt == KV_KEY) {
                            key = string(in);
                        } else if (kt == KV_VALUE) {
                            // JSON wants the key first, which protobuf does not promise.
                            int vl = in.pushLimit(in.readRawVarint32());
                            StringBuilder v = new StringBuilder();
                            appendJson(v, in);
                            in.popLimit(vl);
                            valueJson = v.toString();
                        } else {
                            in.skipField(kt);
                        }
                    }
                    jsonString(sb, key);
                    sb.append(':').append(valueJson);
                }
                in.popLimit(lim);
            }
            sb.append(array ? ']' : '}');
        }

        /** An AnyValue (the stream limited to it) as JSON. */
        private void appendJson(StringBuilder sb, CodedInputStream in) throws IOException {
            int kind = 0;
            String scalar = null;
            StringBuilder nested = null;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == AV_ARRAY || t == AV_KVLIST) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    nested = new StringBuilder();
                    appendJsonList(nested, in, t == AV_ARRAY);
                    in.popLimit(lim);
                    kind = t;
                } else if (t == AV_STRING || t == AV_BOOL || t == AV_INT || t == AV_DOUBLE || t == AV_BYTES) {
                    scalar = t == AV_STRING ? string(in)
                            : t == AV_BOOL ? Boolean.toString(in.readBool())
                            : t == AV_INT ? Long.toString(in.readInt64())
                            : t == AV_DOUBLE ? GoFloats.formatF(in.readDouble())
                            : Base64.getEncoder().encodeToString(in.readByteArray());
                    kind = t;
                } else {
                    in.skipField(t);
                }
            }
            if (kind == 0) {
                sb.append("null");
            } else if (kind == AV_ARRAY || kind == AV_KVLIST) {
                sb.append(nested);
            } else if (kind == AV_STRING || kind == AV_BYTES) {
                jsonString(sb, scalar);
            } else {
                sb.append(scalar);
            }
        }

        // ---- translating the point just read ----

        /** A number point; a sum's samples carry its start timestamp, a gauge's none. */
        private void number(String prom, boolean delta, boolean sum) {
            long tsMs = millis(timeNanos);
            boolean stale = noRecordedValue(flags);
            long stMs = sum && !stale ? startMillis() : 0;
            if (!stale && valueCase == VALUE_NOT_SET) {
                reject(metricName, UNSUPPORTED, "number data point has neither as_double nor as_int");
                return;
            }
            // A series seen before is appended by its ref: no attributes decoded, no labels built. Deltas need the
            // labels (their totals are kept by them), and so do exemplars.
            cacheable = refs != null && !delta && exemplarCount == 0;
            if (cacheable) {
                series(0, 0, stale ? Staleness.STALE_NAN : value);
                if (appendCached(1, stMs, tsMs)) {
                    return;
                }
            }
            try {
                Labels labels = labels(prom);
                double v = stale ? Staleness.STALE_NAN : value;
                if (delta && !stale) {
                    DeltaAccumulator.SumTotal total = deltas.addSum(labels, startNanos, timeNanos, v);
                    v = total.total();
                    stMs = millis(total.startNanos());
                }
                long ref = append(labels, stMs, tsMs, v);
                exemplars(ref, labels);
                accepted(tsMs);
            } catch (ValidationException e) {
                reject(metricName, e);
            }
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
                seriesKey.copy(pointKey);
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
                    samples++;
                } catch (ValidationException e) {
                    reject(metricName, e);
                    return true;
                } catch (IllegalArgumentException unknownRef) {
                    for (int j = 0; j < n; j++) {
                        refs.remove(seriesKeys[2 * j], seriesKeys[2 * j + 1]);
                    }
                    samples -= i;
                    return false;
                }
            }
            accepted(tsMs);
            return true;
        }

        private void histogram(String prom, boolean delta) {
            long tsMs = millis(timeNanos);
            int nb = bucketCount;
            int nBounds = boundCount;
            if (nb != 0 && nb != nBounds + 1) {
                reject(metricName, UNSUPPORTED, "histogram data point has " + nb + " bucket_counts for " + nBounds
                        + " explicit_bounds (needs bounds + 1)");
                return;
            }
            boolean stale = noRecordedValue(flags);
            long stMs = stale ? 0 : startMillis();
            cacheable = refs != null && !delta && exemplarCount == 0;
            if (cacheable) {
                // The series in the order appended below: _sum (if any), _count, the cumulative buckets.
                int n = 0;
                if (hasSum) {
                    series(n++, SUM, stale ? Staleness.STALE_NAN : sum);
                }
                series(n++, COUNT, stale ? Staleness.STALE_NAN : count);
                long cumulative = 0;
                for (int i = 0; i < Math.max(nb, 1); i++) {
                    cumulative = nb == 0 ? count : cumulative + bucketCounts[i];
                    double le = i < nBounds ? bounds[i] : Double.POSITIVE_INFINITY;
                    series(n++, Double.doubleToLongBits(le), stale ? Staleness.STALE_NAN : cumulative);
                }
                if (appendCached(n, stMs, tsMs)) {
                    return;
                }
            }
            try {
                Labels base = labels(null);
                long[] counts = bucketCounts;
                long total = count;
                double s = sum;
                if (delta && !stale) {
                    // The accumulator keeps the arrays it is given: copies, not the reused buffers.
                    DeltaAccumulator.HistogramTotals t = deltas.addHistogram(with(base, prom), startNanos, timeNanos,
                            Arrays.copyOf(bounds, nBounds), Arrays.copyOf(counts, nb), total, s);
                    counts = t.counts();
                    total = t.count();
                    s = t.sum();
                    stMs = millis(t.startNanos());
                }
                if (hasSum) {
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
                long[] refs = new long[nb];
                Labels[] bucketLabels = new Labels[nb];
                for (int i = 0; i < nb; i++) {
                    cumulative += counts[i];
                    bucketLabels[i] = bucket(base, prom, i < nBounds ? GoFloats.formatF(bounds[i]) : "+Inf");
                    refs[i] = append(bucketLabels[i], stMs, tsMs, stale ? Staleness.STALE_NAN : cumulative);
                }
                // Each exemplar goes with the bucket its value falls into.
                for (int e = 0; e < exemplarCount; e++) {
                    readExemplar(e);
                    int b = 0;
                    while (b < nBounds && exemplarValue > bounds[b]) {
                        b++;
                    }
                    appender.appendExemplar(refs[b], bucketLabels[b], exemplarLabels, millis(exemplarTimeNanos), exemplarValue);
                }
                accepted(tsMs);
            } catch (ValidationException e) {
                reject(metricName, e);
            }
        }

        private void exponential(String prom, boolean delta) {
            long tsMs = millis(timeNanos);
            try {
                Labels labels = labels(prom);
                if (noRecordedValue(flags)) {
                    long ref = append(labels, 0, tsMs, Staleness.STALE_NAN);
                    exemplars(ref, labels);
                    accepted(tsMs);
                    return;
                }
                TreeMap<Integer, Long> pos = NativeHistograms.buckets(positive.offset, positive.counts, positive.size);
                TreeMap<Integer, Long> neg = NativeHistograms.buckets(negative.offset, negative.counts, negative.size);
                int sc = scale;
                double zt = zeroThreshold;
                long zc = zeroCount;
                long total = count;
                double s = hasSum ? sum : 0;
                long stMs = startMillis();
                Histogram.CounterResetHint hint = Histogram.CounterResetHint.UNKNOWN;
                if (delta) {
                    DeltaAccumulator.ExpState st = deltas.addExponential(labels, startNanos, timeNanos, sc, zt, zc, total, s, pos, neg);
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
                samples++;
                exemplars(ref, labels);
                accepted(tsMs);
            } catch (ValidationException e) {
                reject(metricName, e);
            }
        }

        private void summary(String prom) {
            long tsMs = millis(timeNanos);
            boolean stale = noRecordedValue(flags);
            long stMs = stale ? 0 : startMillis();
            cacheable = refs != null;
            if (cacheable) {
                series(0, SUM, stale ? Staleness.STALE_NAN : sum);
                series(1, COUNT, stale ? Staleness.STALE_NAN : count);
                for (int i = 0; i < quantileCount; i++) {
                    series(2 + i, Double.doubleToLongBits(quantiles[i]), stale ? Staleness.STALE_NAN : quantileValues[i]);
                }
                if (appendCached(2 + quantileCount, stMs, tsMs)) {
                    return;
                }
            }
            try {
                Labels base = labels(null);
                append(with(base, prom + "_sum"), stMs, tsMs, stale ? Staleness.STALE_NAN : sum);
                append(with(base, prom + "_count"), stMs, tsMs, stale ? Staleness.STALE_NAN : count);
                for (int i = 0; i < quantileCount; i++) {
                    Labels l = base.toBuilder().set("quantile", GoFloats.formatF(quantiles[i]))
                            .set(Labels.METRIC_NAME, prom).build();
                    append(l, stMs, tsMs, stale ? Staleness.STALE_NAN : quantileValues[i]);
                }
                accepted(tsMs);
            } catch (ValidationException e) {
                reject(metricName, e);
            }
        }

        /**
         * The point's start timestamp in ms, 0 when unknown: OTel marks an unknown start with 0 or, from some
         * producers, a start after the point's time (both unsigned, as fixed64 is).
         */
        private long startMillis() {
            return startNanos == 0 || Long.compareUnsigned(startNanos, timeNanos) > 0 ? 0 : millis(startNanos);
        }

        private long append(Labels labels, long stMs, long tsMs, double v) {
            long ref = appender.append(0, labels, stMs, tsMs, v);
            samples++;
            if (cacheable && ref != 0) {
                seriesKey.copy(pointKey);
                seriesKey.add(seriesCodes[seriesIndex]);
                refs.put(seriesKey.key1(), seriesKey.key2(), ref);
            }
            seriesIndex++;
            return ref;
        }

        private void exemplars(long ref, Labels series) {
            for (int e = 0; e < exemplarCount; e++) {
                readExemplar(e);
                appender.appendExemplar(ref, series, exemplarLabels, millis(exemplarTimeNanos), exemplarValue);
            }
        }

        /** Decodes exemplar {@code e} of the point into exemplarLabels, exemplarTimeNanos and exemplarValue. */
        private void readExemplar(int e) {
            Labels.Builder b = Labels.builder();
            int traceAt = 0, traceLen = 0, spanAt = 0, spanLen = 0;
            double asDouble = 0;
            long asInt = 0;
            boolean isInt = false;
            long time = 0;
            int at = exemplarAt[e];
            CodedInputStream in = stream(at, exemplarLen[e]);
            try {
                for (int t = in.readTag(); t != 0; t = in.readTag()) {
                    if (t == EX_ATTRIBUTES) {
                        int lim = in.pushLimit(in.readRawVarint32());
                        readKeyValue(in);
                        in.popLimit(lim);
                        b.set(OtlpNames.labelName(kvKey), kvValue);
                    } else if (t == EX_TIME) {
                        time = in.readFixed64();
                    } else if (t == EX_AS_DOUBLE) {
                        asDouble = in.readDouble();
                        isInt = false;
                    } else if (t == EX_AS_INT) {
                        asInt = in.readSFixed64();
                        isInt = true;
                    } else if (t == EX_TRACE_ID || t == EX_SPAN_ID) {
                        int l = in.readRawVarint32();
                        int idAt = at + in.getTotalBytesRead();
                        in.skipRawBytes(l);
                        if (t == EX_TRACE_ID) {
                            traceAt = idAt;
                            traceLen = l;
                        } else {
                            spanAt = idAt;
                            spanLen = l;
                        }
                    } else {
                        in.skipField(t);
                    }
                }
            } catch (IOException ex) {
                throw new IllegalStateException("a checked exemplar failed to decode", ex);
            }
            if (traceLen > 0) {
                b.set("trace_id", HEX.formatHex(buf, traceAt, traceAt + traceLen));
            }
            if (spanLen > 0) {
                b.set("span_id", HEX.formatHex(buf, spanAt, spanAt + spanLen));
            }
            exemplarLabels = b.build();
            exemplarTimeNanos = time;
            exemplarValue = isInt ? asInt : asDouble;
        }

        /**
         * The point's labels: its attributes (sanitised; keys that collide after sanitising have their values joined
         * with ';' in key order), then the scope labels and job/instance, which win over attributes, then the name.
         */
        private Labels labels(String name) {
            decodeAttributes();
            TreeMap<String, String> m = labelMap;
            m.clear();
            // Sorted by original key (stable, so equal keys keep their order) so the joined values of colliding keys
            // come in a stable order. SDKs send them sorted already.
            for (int i = 0; i < attrCount; i++) {
                int j = i;
                while (j > 0 && attrKeys[attrOrder[j - 1]].compareTo(attrKeys[i]) > 0) {
                    attrOrder[j] = attrOrder[j - 1];
                    j--;
                }
                attrOrder[j] = i;
            }
            for (int i = 0; i < attrCount; i++) {
                mergeAttribute(m, attrKeys[attrOrder[i]], attrValues[attrOrder[i]]);
            }
            m.putAll(common);
            if (name != null) {
                m.put(Labels.METRIC_NAME, name);
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

    /** One side of an exponential histogram point as read: offset and per-bucket counts (reused). */
    private static final class ExpBuckets {
        int offset;
        long[] counts = new long[16];
        int size;

        void clear() {
            offset = 0;
            size = 0;
        }

        private void add(long c) {
            if (size == counts.length) {
                counts = Arrays.copyOf(counts, size * 2);
            }
            counts[size++] = c;
        }

        /** Reads a Buckets message (the stream limited to it); repeated ones merge as protobuf merges them. */
        void read(CodedInputStream in) throws IOException {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == B_OFFSET) {
                    offset = in.readSInt32();
                } else if (t == B_COUNTS) {
                    add(in.readUInt64());
                } else if (t == B_COUNTS_PACKED) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    while (in.getBytesUntilLimit() > 0) {
                        add(in.readUInt64());
                    }
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        }
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

    private static int tag(int field, int wireType) {
        return OtlpProtobuf.tag(field, wireType);
    }
}
