package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.WritePriority;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.logs.LogLimits;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.query.RangeLimits;

import java.time.Duration;

/**
 * Sightline's {@code limits:} section: what a series may look like before storage accepts it, how many series one
 * metric name may have ({@code max_series_per_metric}, absent = no limit), how big one remote-write or OTLP
 * request body may be, compressed and decompressed ({@code max_request_body_bytes}, a size such as 64MB), and what
 * one query may take: Prometheus's --query.timeout ({@code query_timeout}, 2m) and --query.max-samples
 * ({@code query_max_samples}, 50,000,000), for API queries and rule evaluations alike. Spans (OTLP, Zipkin) are bound
 * with the OpenTelemetry SDK's span limits ({@link SpanLimits}): {@code max_span_attributes},
 * {@code max_span_attribute_value_length}, {@code max_span_events}, {@code max_span_links}; what exceeds them is
 * dropped and counted in the span's dropped_*_count, never the whole span. Log entries are checked with Loki's
 * limits ({@link LogLimits}): {@code max_line_size} (256KB), {@code reject_old_samples_max_age} (1w; 0 = off),
 * {@code creation_grace_period} (10m) and the label limits above; an entry over one is refused alone.
 *
 * <p>Query protection, for the Prometheus, Loki and Tempo query APIs: at most {@code query_max_concurrency} (half
 * the cores, at least 1) queries run at once, {@code query_max_queue} (100; 0 = none) more wait; a query finding the line full is refused
 * at once with 429, one waiting past {@code query_timeout} with 503 (errorType timeout). A range query may span at
 * most {@code query_max_range} (0 = no limit, the default) and {@code query_max_points_per_series} (11,000) steps.
 * Rule evaluation runs on its own threads outside this gate, bound by query_timeout and query_max_samples only.
 */
public record LimitsConfig(
        @JsonProperty("max_label_names_per_series") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer maxLabelNamesPerSeries,
        @JsonProperty("max_label_name_length") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer maxLabelNameLength,
        @JsonProperty("max_label_value_length") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer maxLabelValueLength,
        @JsonProperty("metric_name_validation") LabelLimits.NameScheme metricNameValidation,
        @JsonProperty("max_series_per_metric") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer maxSeriesPerMetric,
        @JsonProperty("max_request_body_bytes") @JsonDeserialize(using = ConfigDeserializers.ByteSizeDeserializer.class) Long maxRequestBodyBytes,
        @JsonProperty("query_timeout") Duration queryTimeout,
        @JsonProperty("query_max_samples") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer queryMaxSamples,
        @JsonProperty("max_span_attributes") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer maxSpanAttributes,
        @JsonProperty("max_span_attribute_value_length") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer maxSpanAttributeValueLength,
        @JsonProperty("max_span_events") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer maxSpanEvents,
        @JsonProperty("max_span_links") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer maxSpanLinks,
        @JsonProperty("max_line_size") @JsonDeserialize(using = ConfigDeserializers.ByteSizeDeserializer.class) Long maxLineSize,
        @JsonProperty("reject_old_samples_max_age") Duration rejectOldSamplesMaxAge,
        @JsonProperty("creation_grace_period") Duration creationGracePeriod,
        @JsonProperty("query_max_concurrency") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer queryMaxConcurrency,
        @JsonProperty("query_max_queue") Integer queryMaxQueue,
        @JsonProperty("query_max_range") Duration queryMaxRange,
        @JsonProperty("query_max_points_per_series") @JsonDeserialize(using = ConfigDeserializers.PositiveIntDeserializer.class) Integer queryMaxPointsPerSeries) {

    /**
     * Half the cores, at least one (Prometheus's --query.max-concurrency is 20): each running query keeps a core
     * busy, so more of them than that leave ingestion, which shares the cores and the collector, too little.
     */
    static int defaultQueryMaxConcurrency() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
    /** Mimir's max_outstanding_requests_per_tenant: beyond it a query is refused at once (429). */
    static final int DEFAULT_QUERY_MAX_QUEUE = 100;
    /** Decoders hold a whole body in one byte array. */
    private static final long MAX_BODY_LIMIT = Integer.MAX_VALUE - 16;

    public LimitsConfig {
        LabelLimits d = LabelLimits.DEFAULT;
        maxLabelNamesPerSeries = maxLabelNamesPerSeries == null ? d.maxLabelNames() : maxLabelNamesPerSeries;
        maxLabelNameLength = maxLabelNameLength == null ? d.maxNameLength() : maxLabelNameLength;
        maxLabelValueLength = maxLabelValueLength == null ? d.maxValueLength() : maxLabelValueLength;
        metricNameValidation = metricNameValidation == null ? d.scheme() : metricNameValidation;
        maxSeriesPerMetric = maxSeriesPerMetric == null ? 0 : maxSeriesPerMetric;
        maxRequestBodyBytes = maxRequestBodyBytes == null ? IngestLimits.DEFAULT.maxDecompressedBytes() : maxRequestBodyBytes;
        if (maxRequestBodyBytes <= 0 || maxRequestBodyBytes > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException("max_request_body_bytes must be more than 0 and less than 2GB, got "
                    + maxRequestBodyBytes + " bytes");
        }
        EngineOptions engine = EngineOptions.defaults();
        queryTimeout = queryTimeout == null ? Duration.ofMillis(engine.timeoutMs()) : queryTimeout;
        queryMaxSamples = queryMaxSamples == null ? engine.maxSamples() : queryMaxSamples;
        if (queryTimeout.compareTo(Duration.ZERO) <= 0) {
            throw new IllegalArgumentException("query_timeout must be more than 0, got " + queryTimeout.toMillis() + "ms");
        }
        SpanLimits s = SpanLimits.DEFAULT;
        maxSpanAttributes = maxSpanAttributes == null ? s.maxAttributes() : maxSpanAttributes;
        maxSpanAttributeValueLength = maxSpanAttributeValueLength == null ? s.maxAttributeValueLength() : maxSpanAttributeValueLength;
        maxSpanEvents = maxSpanEvents == null ? s.maxEvents() : maxSpanEvents;
        maxSpanLinks = maxSpanLinks == null ? s.maxLinks() : maxSpanLinks;
        LogLimits l = LogLimits.DEFAULT;
        maxLineSize = maxLineSize == null ? l.maxLineSize() : maxLineSize;
        rejectOldSamplesMaxAge = rejectOldSamplesMaxAge == null ? Duration.ofNanos(l.rejectOldSamplesMaxAgeNanos()) : rejectOldSamplesMaxAge;
        creationGracePeriod = creationGracePeriod == null ? Duration.ofNanos(l.creationGracePeriodNanos()) : creationGracePeriod;
        if (maxLineSize < 0 || rejectOldSamplesMaxAge.isNegative() || creationGracePeriod.isNegative()) {
            throw new IllegalArgumentException("max_line_size, reject_old_samples_max_age and creation_grace_period must not be negative");
        }
        queryMaxConcurrency = queryMaxConcurrency == null ? defaultQueryMaxConcurrency() : queryMaxConcurrency;
        queryMaxQueue = queryMaxQueue == null ? DEFAULT_QUERY_MAX_QUEUE : queryMaxQueue;
        queryMaxRange = queryMaxRange == null ? Duration.ZERO : queryMaxRange;
        queryMaxPointsPerSeries = queryMaxPointsPerSeries == null ? (int) RangeLimits.DEFAULT_MAX_POINTS : queryMaxPointsPerSeries;
        if (queryMaxQueue < 0) {
            throw new IllegalArgumentException("query_max_queue must not be negative, got " + queryMaxQueue);
        }
        if (queryMaxRange.isNegative()) {
            throw new IllegalArgumentException("query_max_range must not be negative (0 = no limit), got " + queryMaxRange.toMillis() + "ms");
        }
    }

    public LimitsConfig(Integer maxLabelNamesPerSeries, Integer maxLabelNameLength, Integer maxLabelValueLength,
                        LabelLimits.NameScheme metricNameValidation) {
        this(maxLabelNamesPerSeries, maxLabelNameLength, maxLabelValueLength, metricNameValidation, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(null, null, null, null);
    }

    /** What the span decoders (OTLP traces, Zipkin) enforce. */
    public SpanLimits toSpanLimits() {
        return new SpanLimits(maxSpanAttributes, maxSpanAttributeValueLength, maxSpanEvents, maxSpanLinks);
    }

    /**
     * What every log entry is checked against (OTLP, Loki push, NDJSON), with Loki's names: max_line_size,
     * reject_old_samples_max_age (0 turns it off), creation_grace_period, and the label limits shared with series.
     */
    public LogLimits toLogLimits() {
        return new LogLimits(maxLineSize, maxLabelNamesPerSeries, maxLabelNameLength, maxLabelValueLength,
                rejectOldSamplesMaxAge.toNanos(), creationGracePeriod.toNanos());
    }

    /** The query engine's defaults with this section's timeout and sample limit. */
    public EngineOptions toEngineOptions() {
        return EngineOptions.defaults().withTimeoutMs(queryTimeout.toMillis()).withMaxSamples(queryMaxSamples);
    }

    /** The gate every API query passes: query_max_concurrency running, query_max_queue waiting, query_timeout. */
    public QueryGate newQueryGate() {
        return newQueryGate(newWritePriority());
    }

    /**
     * How API queries give way to ingestion: once the writes in progress fill the cores the query slots leave free
     * (one on two cores with the default half), so with cores to spare queries run on.
     */
    public WritePriority newWritePriority() {
        return new WritePriority(Math.max(1, Runtime.getRuntime().availableProcessors() - queryMaxConcurrency));
    }

    /** As {@link #newQueryGate()}, its queries giving way to the writes {@code writes} marks. */
    public QueryGate newQueryGate(WritePriority writes) {
        return new QueryGate(queryMaxConcurrency, queryMaxQueue, queryTimeout.toMillis(), writes);
    }

    /** What one range query may span (query_max_range) and how many steps (query_max_points_per_series). */
    public RangeLimits toRangeLimits() {
        return new RangeLimits(queryMaxRange.toNanos(), queryMaxPointsPerSeries);
    }

    public LabelLimits toLabelLimits() {
        return new LabelLimits(metricNameValidation, maxLabelNamesPerSeries, maxLabelNameLength, maxLabelValueLength);
    }

    /**
     * What the decoders enforce themselves: label limits and the body size. The series limit is the server's shared
     * guard's alone (IngestGuards), so it counts a metric's series across all protocols.
     */
    public IngestLimits toDecoderLimits() {
        return IngestLimits.DEFAULT.withLabelLimits(toLabelLimits()).withMaxDecompressedBytes(maxRequestBodyBytes);
    }
}
