package dev.sightline.server.tenants;

import dev.sightline.core.TenantScope;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.TenantLogView;
import dev.sightline.server.config.TenantLimitsConfig;
import dev.sightline.server.config.TenantsConfig;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.TenantSpanView;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Per-tenant retention that deletes, as Loki's compactor applies {@code retention_period} and Tempo's
 * {@code block_retention}: at start and every {@link #INTERVAL} (Loki's {@code compaction_interval} default), for every
 * tenant whose limits set one, its log lines (spans) older than now minus it are deleted from the shared store. The
 * tenants are those with data in the stores (read from the tenant label, so a tenant not seen since a restart is
 * swept too), each with its limits from {@link TenantsConfig#limitsOf}. Only with multitenancy on: off, the stores'
 * own retention is the only one, as before. The read-side cutoff ({@link Retention}) stays, so nothing past retention
 * shows between sweeps.
 */
public final class LogSpanRetentionSweeper implements Closeable {
    private static final System.Logger LOG = System.getLogger(LogSpanRetentionSweeper.class.getName());
    /** Loki's compactor.compaction_interval default. */
    public static final Duration INTERVAL = Duration.ofMinutes(10);
    private static final long NANOS_PER_MS = 1_000_000L;

    private final TenantsConfig config;
    private final LogStore logs;
    private final SpanStore spans;
    private final LongSupplier wallMs;
    private PeriodicSweep timer;

    /** What one sweep deleted. */
    public record Swept(long lines, long spans) {
    }

    public LogSpanRetentionSweeper(TenantsConfig config, LogStore logs, SpanStore spans, LongSupplier wallMs) {
        this.config = config;
        this.logs = logs;
        this.spans = spans;
        this.wallMs = wallMs;
    }

    /** Sweeps now (on its own thread, so the server does not wait) and every {@link #INTERVAL}; returns this. */
    public LogSpanRetentionSweeper start() {
        timer = new PeriodicSweep("log-span-retention", INTERVAL.toMillis(), () -> {
            Swept s = sweep();
            if (s.lines() > 0 || s.spans() > 0) {
                LOG.log(System.Logger.Level.INFO, "tenant retention deleted " + s.lines() + " log lines and "
                        + s.spans() + " spans");
            }
        });
        return this;
    }

    /** One sweep over every tenant with data older than the shortest retention configured. */
    public Swept sweep() throws IOException {
        long now = wallMs.getAsLong();
        long shortest = config.shortestMs(TenantLimitsConfig::retentionPeriod);
        long lines = 0;
        if (shortest > 0) {
            for (String tenant : logs.querier().labelValues(TenantScope.LABEL, Long.MIN_VALUE,
                    cutoffNanos(now, shortest), List.of())) {
                long ms = config.limitsOf(tenant).retentionPeriod().toMillis();
                if (ms > 0) {
                    lines += TenantLogView.store(logs, tenant).delete(LogSelection.streams(Long.MIN_VALUE,
                            cutoffNanos(now, ms), List.of()));
                }
            }
        }
        shortest = config.shortestMs(TenantLimitsConfig::blockRetention);
        long spanCount = 0;
        if (shortest > 0) {
            for (String tenant : spans.querier().attributeValues(SpanCondition.Scope.RESOURCE, TenantScope.LABEL,
                    List.of(), Long.MIN_VALUE, cutoffNanos(now, shortest), Integer.MAX_VALUE)) {
                long ms = config.limitsOf(tenant).blockRetention().toMillis();
                if (ms > 0) {
                    spanCount += TenantSpanView.store(spans, tenant).delete(List.of(), Long.MIN_VALUE,
                            cutoffNanos(now, ms));
                }
            }
        }
        return new Swept(lines, spanCount);
    }

    /** The last time past retention: reads start one nanosecond later, as {@link Retention} cuts them. */
    private static long cutoffNanos(long nowMs, long retentionMs) {
        return (nowMs - retentionMs) * NANOS_PER_MS - 1;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.close();
        }
    }
}
