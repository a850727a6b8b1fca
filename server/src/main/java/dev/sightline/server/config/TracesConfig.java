package dev.sightline.server.config;

import dev.sightline.timeindex.StoreOptions;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.sightline.traces.store.LuceneSpanStore;

import java.time.Duration;

/**
 * {@code storage: traces:} — the span store's retention (time and size, whole partitions at a time) and partition
 * duration; unset keys take {@link StoreOptions#defaults()} (14d, no size limit, 1h partitions).
 */
public record TracesConfig(
        @JsonProperty("retention_time") Duration retentionTime,
        @JsonProperty("retention_size") @JsonDeserialize(using = ConfigDeserializers.ByteSizeDeserializer.class) Long retentionSize,
        @JsonProperty("partition") Duration partition) {
    /** Shorter partitions would make thousands of small indexes; longer ones retain and search too coarsely. */
    static final Duration MIN_PARTITION = Duration.ofMinutes(1);
    static final Duration MAX_PARTITION = Duration.ofDays(7);

    public TracesConfig {
        StoreOptions d = LuceneSpanStore.defaultOptions();
        retentionTime = retentionTime == null ? d.retentionTime() : retentionTime;
        retentionSize = retentionSize == null ? d.retentionBytes() : retentionSize;
        partition = checkPartition(partition == null ? d.partition() : partition);
    }

    /** A partition duration within bounds (shared with storage.logs). */
    static Duration checkPartition(Duration partition) {
        if (partition.compareTo(MIN_PARTITION) < 0 || partition.compareTo(MAX_PARTITION) > 0) {
            throw new IllegalArgumentException("partition: must be between 1m and 1w, got " + text(partition));
        }
        return partition;
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    public static TracesConfig defaults() {
        return new TracesConfig(null, null, null);
    }

    /** The span store's options: what the server passes to {@link LuceneSpanStore#open}. */
    public StoreOptions toOptions() {
        return LuceneSpanStore.defaultOptions().withPartition(partition).withRetention(retentionTime, retentionSize);
    }
}
