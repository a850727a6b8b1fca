package dev.sightline.server.config;

import dev.sightline.timeindex.StoreOptions;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.sightline.logs.store.LuceneLogStore;

import java.time.Duration;

/**
 * {@code storage: logs:} — the log store's retention (time and size, whole partitions at a time) and partition
 * duration, the same keys as {@code storage: traces:}; unset keys take {@link StoreOptions#defaults()}
 * (31d, no size limit, 1h partitions).
 */
public record LogsConfig(
        @JsonProperty("retention_time") Duration retentionTime,
        @JsonProperty("retention_size") @JsonDeserialize(using = ConfigDeserializers.ByteSizeDeserializer.class) Long retentionSize,
        @JsonProperty("partition") Duration partition) {
    public LogsConfig {
        StoreOptions d = LuceneLogStore.defaultOptions();
        retentionTime = retentionTime == null ? d.retentionTime() : retentionTime;
        retentionSize = retentionSize == null ? d.retentionBytes() : retentionSize;
        partition = TracesConfig.checkPartition(partition == null ? d.partition() : partition);
    }

    public static LogsConfig defaults() {
        return new LogsConfig(null, null, null);
    }

    /** The log store's options: what the server passes to {@link LuceneLogStore#open}. */
    public StoreOptions toOptions() {
        return LuceneLogStore.defaultOptions().withPartition(partition).withRetention(retentionTime, retentionSize);
    }
}
