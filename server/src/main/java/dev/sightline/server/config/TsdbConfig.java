package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.sightline.tsdb.wal.FsyncPolicy;

import java.time.Duration;

/**
 * {@code storage: tsdb:} — retention, out-of-order window, WAL fsync policy, head block duration, and whether a clean
 * shutdown writes the head snapshot that the next start loads instead of replaying the whole WAL.
 */
public record TsdbConfig(
        @JsonProperty("retention_time") Duration retentionTime,
        @JsonProperty("retention_size") @JsonDeserialize(using = ConfigDeserializers.ByteSizeDeserializer.class) Long retentionSize,
        @JsonProperty("out_of_order_time_window") Duration outOfOrderTimeWindow,
        @JsonProperty("wal_fsync") FsyncPolicy walFsync,
        @JsonProperty("block_duration") Duration blockDuration,
        @JsonProperty("head_snapshot_on_shutdown") Boolean headSnapshotOnShutdown) {

    public TsdbConfig {
        // Prometheus's defaults: 15d retention, no size limit, out-of-order rejected, 2h blocks; fsync on every commit.
        retentionTime = retentionTime == null ? Duration.ofDays(15) : retentionTime;
        retentionSize = retentionSize == null ? 0L : retentionSize;
        outOfOrderTimeWindow = outOfOrderTimeWindow == null ? Duration.ZERO : outOfOrderTimeWindow;
        walFsync = walFsync == null ? FsyncPolicy.ALWAYS : walFsync;
        blockDuration = blockDuration == null ? Duration.ofHours(2) : blockDuration;
        headSnapshotOnShutdown = headSnapshotOnShutdown == null || headSnapshotOnShutdown;
        if (blockDuration.isZero()) {
            throw new IllegalArgumentException("block_duration must be greater than 0");
        }
    }

    public static TsdbConfig defaults() {
        return new TsdbConfig(null, null, null, null, null, null);
    }
}
