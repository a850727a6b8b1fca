package dev.sightline.tsdb;

import dev.sightline.core.LabelLimits;
import dev.sightline.tsdb.wal.FsyncPolicy;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Objects;

/**
 * Settings of a {@link Tsdb}.
 *
 * @param fsyncPolicy        when the WAL forces writes to disk
 * @param blockDurationMs    the time window of one persisted block (and the alignment of head chunks)
 * @param retentionMs        blocks wholly older than the newest block's end minus this are deleted (0: keep)
 * @param retentionBytes     oldest blocks are deleted while the blocks' total size exceeds this (0: no limit)
 * @param outOfOrderWindowMs how far behind a series' newest sample a sample may still be accepted (0: refuse any)
 * @param labelLimits        the checks a new series' labels must pass
 * @param walEnabled         false runs without a WAL: nothing survives close() or a crash, and the head is never
 *                           persisted unless {@link Tsdb#flushHead()} is called. For the PromQL test runner and
 *                           benchmarks, never for a server.
 * @param registry           where the database's self-metrics are registered
 * @param walReplayWorkers   threads that store the WAL's samples on start-up, sharded by series, while the opening
 *                           thread reads and decodes the WAL (0: the opening thread stores them too)
 * @param headSnapshotOnShutdown whether close() writes the head to a snapshot file after the WAL and open() loads it,
 *                           replaying only the WAL written after it (Prometheus's memory-snapshot-on-shutdown); any
 *                           doubt about the snapshot falls back to replaying the whole WAL, which is kept as it is.
 *                           false also deletes a snapshot found on open, so a later run never loads a stale one.
 */
public record TsdbOptions(FsyncPolicy fsyncPolicy, long blockDurationMs, long retentionMs, long retentionBytes,
                          long outOfOrderWindowMs, LabelLimits labelLimits, boolean walEnabled,
                          PrometheusRegistry registry, int walReplayWorkers, boolean headSnapshotOnShutdown) {
    public static final long DEFAULT_BLOCK_DURATION_MS = 2 * 3600_000L;
    public static final long DEFAULT_RETENTION_MS = 15 * 24 * 3600_000L;

    public TsdbOptions {
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        Objects.requireNonNull(labelLimits, "labelLimits");
        Objects.requireNonNull(registry, "registry");
        if (blockDurationMs <= 0) {
            throw new IllegalArgumentException("blockDurationMs must be positive, got " + blockDurationMs);
        }
        if (retentionMs < 0) {
            throw new IllegalArgumentException("retentionMs must not be negative, got " + retentionMs);
        }
        if (retentionBytes < 0) {
            throw new IllegalArgumentException("retentionBytes must not be negative, got " + retentionBytes);
        }
        if (outOfOrderWindowMs < 0) {
            throw new IllegalArgumentException("outOfOrderWindowMs must not be negative, got " + outOfOrderWindowMs);
        }
        if (walReplayWorkers < 0) {
            throw new IllegalArgumentException("walReplayWorkers must not be negative, got " + walReplayWorkers);
        }
    }

    /**
     * ALWAYS, 2h, 15d, no size limit, out-of-order refused, default label limits, WAL on, a new registry, and a WAL
     * replay worker per core but one: the opening thread keeps a core to read the WAL (on 2 shared cores one worker
     * replayed faster than two in benchmarks/wal-replay.sh), and a head snapshot on clean shutdown (safe as a default:
     * it only adds a file, the WAL stays whole, and a snapshot in any doubt is ignored for a full replay).
     */
    public static TsdbOptions defaults() {
        return new TsdbOptions(FsyncPolicy.ALWAYS, DEFAULT_BLOCK_DURATION_MS, DEFAULT_RETENTION_MS, 0, 0,
                LabelLimits.DEFAULT, true, new PrometheusRegistry(), Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                true);
    }

    public TsdbOptions withFsyncPolicy(FsyncPolicy v) {
        return new TsdbOptions(v, blockDurationMs, retentionMs, retentionBytes, outOfOrderWindowMs, labelLimits, walEnabled, registry, walReplayWorkers, headSnapshotOnShutdown);
    }

    public TsdbOptions withBlockDurationMs(long v) {
        return new TsdbOptions(fsyncPolicy, v, retentionMs, retentionBytes, outOfOrderWindowMs, labelLimits, walEnabled, registry, walReplayWorkers, headSnapshotOnShutdown);
    }

    public TsdbOptions withRetentionMs(long v) {
        return new TsdbOptions(fsyncPolicy, blockDurationMs, v, retentionBytes, outOfOrderWindowMs, labelLimits, walEnabled, registry, walReplayWorkers, headSnapshotOnShutdown);
    }

    public TsdbOptions withRetentionBytes(long v) {
        return new TsdbOptions(fsyncPolicy, blockDurationMs, retentionMs, v, outOfOrderWindowMs, labelLimits, walEnabled, registry, walReplayWorkers, headSnapshotOnShutdown);
    }

    public TsdbOptions withOutOfOrderWindowMs(long v) {
        return new TsdbOptions(fsyncPolicy, blockDurationMs, retentionMs, retentionBytes, v, labelLimits, walEnabled, registry, walReplayWorkers, headSnapshotOnShutdown);
    }

    public TsdbOptions withLabelLimits(LabelLimits v) {
        return new TsdbOptions(fsyncPolicy, blockDurationMs, retentionMs, retentionBytes, outOfOrderWindowMs, v, walEnabled, registry, walReplayWorkers, headSnapshotOnShutdown);
    }

    public TsdbOptions withWalEnabled(boolean v) {
        return new TsdbOptions(fsyncPolicy, blockDurationMs, retentionMs, retentionBytes, outOfOrderWindowMs, labelLimits, v, registry, walReplayWorkers, headSnapshotOnShutdown);
    }

    public TsdbOptions withRegistry(PrometheusRegistry v) {
        return new TsdbOptions(fsyncPolicy, blockDurationMs, retentionMs, retentionBytes, outOfOrderWindowMs, labelLimits, walEnabled, v, walReplayWorkers, headSnapshotOnShutdown);
    }

    public TsdbOptions withWalReplayWorkers(int v) {
        return new TsdbOptions(fsyncPolicy, blockDurationMs, retentionMs, retentionBytes, outOfOrderWindowMs, labelLimits, walEnabled, registry, v, headSnapshotOnShutdown);
    }

    public TsdbOptions withHeadSnapshotOnShutdown(boolean v) {
        return new TsdbOptions(fsyncPolicy, blockDurationMs, retentionMs, retentionBytes, outOfOrderWindowMs, labelLimits, walEnabled, registry, walReplayWorkers, v);
    }
}
