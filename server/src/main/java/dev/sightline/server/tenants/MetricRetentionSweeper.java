package dev.sightline.server.tenants;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.TenantScope;
import dev.sightline.metricstore.Deletable;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Queryable;
import dev.sightline.server.config.TenantLimitsConfig;
import dev.sightline.server.config.TenantsConfig;

import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Per-tenant metric retention that deletes, as Mimir's compactor applies {@code compactor_blocks_retention_period}:
 * every sweep deletes, for each tenant in the shared storage whose limits set it, that tenant's samples older than now
 * minus its retention (through the storage's delete path: tombstones, honoured by every read at once), then cleans the
 * tombstones, so the blocks are rewritten without those samples and the disk space comes back. The read-side cutoff
 * ({@link Retention#metrics}) stays: it answers exactly between sweeps. A sweep runs at start and then every period.
 *
 * <p>The tenants are those the storage holds (the values of the tenant label), not only those seen since start, so
 * a tenant that sent nothing since a restart is swept too.
 */
public final class MetricRetentionSweeper implements AutoCloseable {
    /** As Mimir's compactor interval: retention is applied within an hour of falling due. */
    public static final long DEFAULT_PERIOD_MS = 3600_000L;

    private final Queryable queryable;
    private final Deletable deletable;
    private final TenantsConfig config;
    private final LongSupplier wallMs;
    private PeriodicSweep timer;

    public MetricRetentionSweeper(Queryable queryable, Deletable deletable, TenantsConfig config, LongSupplier wallMs) {
        this.queryable = queryable;
        this.deletable = deletable;
        this.config = config;
        this.wallMs = wallMs;
    }

    /** Whether any tenant can have a metric retention: multitenancy on and the limit set in the defaults or an override. */
    public static boolean needed(TenantsConfig config) {
        return config.multitenancyEnabled()
                && config.shortestMs(TenantLimitsConfig::compactorBlocksRetentionPeriod) > 0;
    }

    /** Sweeps now on a thread of its own, then every {@code periodMs}. */
    public synchronized void start(long periodMs) {
        if (timer != null) {
            throw new IllegalStateException("already started");
        }
        timer = new PeriodicSweep("sightline-tenant-retention", periodMs, this::sweep);
    }

    /**
     * One sweep: deletes every tenant's samples before now minus its retention (reads keep what is at the cutoff on,
     * so the delete ends one millisecond before it), then cleans the tombstones when a tenant was swept. Returns the
     * number of tenants swept.
     */
    public int sweep() throws IOException {
        long now = wallMs.getAsLong();
        List<String> ids;
        try (Querier q = queryable.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            ids = q.labelValues(TenantScope.LABEL);
        }
        int swept = 0;
        for (String id : ids) {
            long retentionMs = config.limitsOf(id).compactorBlocksRetentionPeriod().toMillis();
            if (retentionMs <= 0) {
                continue;
            }
            deletable.deleteSeries(Long.MIN_VALUE, now - retentionMs - 1, LabelMatcher.eq(TenantScope.LABEL, id));
            swept++;
        }
        if (swept > 0) {
            deletable.cleanTombstones();
        }
        return swept;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.close();
        }
    }
}
