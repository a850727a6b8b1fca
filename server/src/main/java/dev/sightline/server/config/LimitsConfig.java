package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.sightline.core.LabelLimits;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.logs.LogLimits;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.promql.engine.EngineOptions;

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
        @JsonProperty("creation_grace_period") Duration creationGracePeriod) {

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
    }

    public LimitsConfig(Integer maxLabelNamesPerSeries, Integer maxLabelNameLength, Integer maxLabelValueLength,
                        LabelLimits.NameScheme metricNameValidation) {
        this(maxLabelNamesPerSeries, maxLabelNameLength, maxLabelValueLength, metricNameValidation, null, null, null,
                null, null, null, null, null, null, null, null);
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
