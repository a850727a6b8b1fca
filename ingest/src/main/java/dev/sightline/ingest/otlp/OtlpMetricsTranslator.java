package dev.sightline.ingest.otlp;

import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.metricstore.Appender;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

import java.util.concurrent.TimeUnit;

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
 * <p>The work is split: {@link OtlpRequestDecoder} reads the wire into a reused {@link DataPoint} ({@link AnyValues}
 * renders attribute values), {@link PrometheusMapper} maps and appends, {@link DeltaAccumulator} keeps the delta
 * totals, {@link PointTally} counts the outcome.
 *
 * <p>Thread-safe: one translator serves all requests (it holds the delta totals).
 */
public final class OtlpMetricsTranslator {
    public static final String TARGET_INFO = "target_info";
    static final String UNSUPPORTED = "unsupported_data_point";
    private static final long DELTA_IDLE_NANOS = TimeUnit.HOURS.toNanos(1);

    private final IngestLimits limits;
    private final DeltaAccumulator deltas = new DeltaAccumulator(DELTA_IDLE_NANOS);

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
        deltas.evictIdlePeriodically();
        PointTally tally = new PointTally(limits.maxReportedErrors());
        DataPoint point = new DataPoint(buf);
        OtlpRequestDecoder.decode(buf, off, len, new PrometheusMapper(appender, context, deltas, tally, point), point);
        return tally.result();
    }
}
