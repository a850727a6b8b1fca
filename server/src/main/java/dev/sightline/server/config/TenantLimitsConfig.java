package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * One tenant's limits (Mimir's names), under {@code tenants.defaults} or {@code tenants.overrides.<id>}; 0 means no
 * limit. {@code ingestion_rate}: samples (floats and histograms) per second, refilling a bucket of
 * {@code ingestion_burst_size} samples (0: the rate, one second's worth); a request that would overdraw it is refused
 * whole with 429. {@code max_global_series_per_user} and {@code max_global_series_per_metric}: distinct series the
 * tenant may write (all, and per metric name); a new series over either is refused alone, naming the limit.
 * {@code max_total_query_length}: the longest time range one query may cover (end - start, plus its lookback and
 * ranges); {@code max_query_samples}: the samples one query may hold at once (0: limits.query_max_samples). A key
 * left out of an override takes the default's value.
 */
public record TenantLimitsConfig(
        @JsonProperty("ingestion_rate") Double ingestionRate,
        @JsonProperty("ingestion_burst_size") Integer ingestionBurstSize,
        @JsonProperty("max_global_series_per_user") Integer maxGlobalSeriesPerUser,
        @JsonProperty("max_global_series_per_metric") Integer maxGlobalSeriesPerMetric,
        @JsonProperty("max_total_query_length") Duration maxTotalQueryLength,
        @JsonProperty("max_query_samples") Integer maxQuerySamples) {

    /** No limit of any kind. */
    public static final TenantLimitsConfig NONE = new TenantLimitsConfig(0.0, 0, 0, 0, Duration.ZERO, 0);

    public TenantLimitsConfig {
        if (ingestionRate != null && !(ingestionRate >= 0 && Double.isFinite(ingestionRate))) {
            throw new IllegalArgumentException("ingestion_rate: must be 0 (no limit) or a positive number of samples"
                    + " per second, got " + ingestionRate);
        }
        notNegative("ingestion_burst_size", ingestionBurstSize);
        notNegative("max_global_series_per_user", maxGlobalSeriesPerUser);
        notNegative("max_global_series_per_metric", maxGlobalSeriesPerMetric);
        notNegative("max_query_samples", maxQuerySamples);
        if (maxTotalQueryLength != null && maxTotalQueryLength.isNegative()) {
            throw new IllegalArgumentException("max_total_query_length: must not be negative, got " + maxTotalQueryLength);
        }
    }

    private static void notNegative(String key, Integer value) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(key + ": must be 0 (no limit) or more, got " + value);
        }
    }

    /** These limits with every key left out taken from {@code base}. */
    public TenantLimitsConfig over(TenantLimitsConfig base) {
        return new TenantLimitsConfig(
                ingestionRate != null ? ingestionRate : base.ingestionRate,
                ingestionBurstSize != null ? ingestionBurstSize : base.ingestionBurstSize,
                maxGlobalSeriesPerUser != null ? maxGlobalSeriesPerUser : base.maxGlobalSeriesPerUser,
                maxGlobalSeriesPerMetric != null ? maxGlobalSeriesPerMetric : base.maxGlobalSeriesPerMetric,
                maxTotalQueryLength != null ? maxTotalQueryLength : base.maxTotalQueryLength,
                maxQuerySamples != null ? maxQuerySamples : base.maxQuerySamples);
    }
}
