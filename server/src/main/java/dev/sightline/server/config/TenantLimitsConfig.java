package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.time.Duration;

/**
 * One tenant's limits (Mimir's names), under {@code tenants.defaults} or {@code tenants.overrides.<id>}; 0 means no
 * limit. {@code ingestion_rate}: samples (floats and histograms) per second, refilling a bucket of
 * {@code ingestion_burst_size} samples (0: the rate, one second's worth); a request that would overdraw it is refused
 * whole with 429. {@code max_global_series_per_user} and {@code max_global_series_per_metric}: distinct series the
 * tenant may write (all, and per metric name); a new series over either is refused alone, naming the limit.
 * {@code max_total_query_length}: the longest time range one query may cover (end - start, plus its lookback and
 * ranges); {@code max_query_samples}: the samples one query may hold at once (0: limits.query_max_samples).
 * <p>
 * Label and line limits (Mimir's and Loki's names; one key bounds both metric series and log streams) tighten the
 * {@code limits:} ones for the tenant, never loosen them: a new series or stream over one is refused alone with 400
 * naming it, as Mimir and Loki do. {@code ingestion_rate_mb}/{@code ingestion_burst_size_mb} (Loki): log line bytes
 * per second (MiB) and the bucket (0: one second's worth); {@code ingestion_rate_limit_bytes}/
 * {@code ingestion_burst_size_bytes} (Tempo): span request bytes per second and the bucket; over either the request
 * is refused whole with 429. {@code max_bytes_per_trace} (Tempo): the bytes one trace may reach; the spans that would
 * take it over are refused with 429. Retention: {@code compactor_blocks_retention_period} (Mimir, series samples),
 * {@code retention_period} (Loki, log lines), {@code block_retention} (Tempo, spans); 0 keeps them as the stores do.
 * {@code max_global_exemplars_per_user} (Mimir): the slots of the tenant's own exemplar buffer, the oldest of its
 * exemplars forgotten first (0: {@code storage.exemplars.max_exemplars} slots). A key left out of an override takes the default's value.
 */
public record TenantLimitsConfig(
        @JsonProperty("ingestion_rate") Double ingestionRate,
        @JsonProperty("ingestion_burst_size") Integer ingestionBurstSize,
        @JsonProperty("max_global_series_per_user") Integer maxGlobalSeriesPerUser,
        @JsonProperty("max_global_series_per_metric") Integer maxGlobalSeriesPerMetric,
        @JsonProperty("max_total_query_length") Duration maxTotalQueryLength,
        @JsonProperty("max_query_samples") Integer maxQuerySamples,
        @JsonProperty("max_label_names_per_series") Integer maxLabelNamesPerSeries,
        @JsonProperty("max_label_name_length") Integer maxLabelNameLength,
        @JsonProperty("max_label_value_length") Integer maxLabelValueLength,
        @JsonProperty("max_line_size") @JsonDeserialize(using = ConfigDeserializers.ByteSizeDeserializer.class) Long maxLineSize,
        @JsonProperty("ingestion_rate_mb") Double ingestionRateMb,
        @JsonProperty("ingestion_burst_size_mb") Double ingestionBurstSizeMb,
        @JsonProperty("ingestion_rate_limit_bytes") Long ingestionRateLimitBytes,
        @JsonProperty("ingestion_burst_size_bytes") Long ingestionBurstSizeBytes,
        @JsonProperty("max_bytes_per_trace") Long maxBytesPerTrace,
        @JsonProperty("compactor_blocks_retention_period") Duration compactorBlocksRetentionPeriod,
        @JsonProperty("retention_period") Duration retentionPeriod,
        @JsonProperty("block_retention") Duration blockRetention,
        @JsonProperty("max_global_exemplars_per_user") Integer maxGlobalExemplarsPerUser) {

    /** No limit of any kind. */
    public static final TenantLimitsConfig NONE = new TenantLimitsConfig(0.0, 0, 0, 0, Duration.ZERO, 0,
            0, 0, 0, 0L, 0.0, 0.0, 0L, 0L, 0L, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);

    public TenantLimitsConfig {
        rate("ingestion_rate", ingestionRate, "samples per second");
        notNegative("ingestion_burst_size", ingestionBurstSize);
        notNegative("max_global_series_per_user", maxGlobalSeriesPerUser);
        notNegative("max_global_series_per_metric", maxGlobalSeriesPerMetric);
        notNegative("max_query_samples", maxQuerySamples);
        notNegative("max_total_query_length", maxTotalQueryLength);
        notNegative("max_label_names_per_series", maxLabelNamesPerSeries);
        notNegative("max_label_name_length", maxLabelNameLength);
        notNegative("max_label_value_length", maxLabelValueLength);
        notNegative("max_line_size", maxLineSize);
        rate("ingestion_rate_mb", ingestionRateMb, "MiB per second");
        rate("ingestion_burst_size_mb", ingestionBurstSizeMb, "MiB");
        notNegative("ingestion_rate_limit_bytes", ingestionRateLimitBytes);
        notNegative("ingestion_burst_size_bytes", ingestionBurstSizeBytes);
        notNegative("max_bytes_per_trace", maxBytesPerTrace);
        notNegative("compactor_blocks_retention_period", compactorBlocksRetentionPeriod);
        notNegative("retention_period", retentionPeriod);
        notNegative("block_retention", blockRetention);
        notNegative("max_global_exemplars_per_user", maxGlobalExemplarsPerUser);
    }

    private static void rate(String key, Double value, String unit) {
        if (value != null && !(value >= 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(key + ": must be 0 (no limit) or a positive number of " + unit
                    + ", got " + value);
        }
    }

    private static void notNegative(String key, Number value) {
        if (value != null && value.longValue() < 0) {
            throw new IllegalArgumentException(key + ": must be 0 (no limit) or more, got " + value);
        }
    }

    private static void notNegative(String key, Duration value) {
        if (value != null && value.isNegative()) {
            throw new IllegalArgumentException(key + ": must not be negative, got " + value);
        }
    }

    /** These limits with every key left out taken from {@code base}. */
    public TenantLimitsConfig over(TenantLimitsConfig base) {
        return new TenantLimitsConfig(
                or(ingestionRate, base.ingestionRate),
                or(ingestionBurstSize, base.ingestionBurstSize),
                or(maxGlobalSeriesPerUser, base.maxGlobalSeriesPerUser),
                or(maxGlobalSeriesPerMetric, base.maxGlobalSeriesPerMetric),
                or(maxTotalQueryLength, base.maxTotalQueryLength),
                or(maxQuerySamples, base.maxQuerySamples),
                or(maxLabelNamesPerSeries, base.maxLabelNamesPerSeries),
                or(maxLabelNameLength, base.maxLabelNameLength),
                or(maxLabelValueLength, base.maxLabelValueLength),
                or(maxLineSize, base.maxLineSize),
                or(ingestionRateMb, base.ingestionRateMb),
                or(ingestionBurstSizeMb, base.ingestionBurstSizeMb),
                or(ingestionRateLimitBytes, base.ingestionRateLimitBytes),
                or(ingestionBurstSizeBytes, base.ingestionBurstSizeBytes),
                or(maxBytesPerTrace, base.maxBytesPerTrace),
                or(compactorBlocksRetentionPeriod, base.compactorBlocksRetentionPeriod),
                or(retentionPeriod, base.retentionPeriod),
                or(blockRetention, base.blockRetention),
                or(maxGlobalExemplarsPerUser, base.maxGlobalExemplarsPerUser));
    }

    private static <T> T or(T value, T base) {
        return value != null ? value : base;
    }
}
