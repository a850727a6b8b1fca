package dev.sightline.server.logapi;

import dev.sightline.core.TenantScope;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.patterns.PatternMiner;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The pattern miners of the committed lines, one per tenant: a miner groups lines by service name and bounds
 * services and streams, so tenants sharing one would see each other's templates and counts. Lines come as stored
 * (the log ingester's listener), a tenant's tagged with {@link TenantScope#LABEL}; lines of no tenant (multitenancy
 * off) go to the untenanted miner, the one the pattern counters are written from. A tenant's miner is made on its
 * first line and kept, as the tenant is.
 */
public final class PatternMiners implements Consumer<List<LogEntry>> {
    private final PatternMiner untenanted;
    private final ConcurrentHashMap<String, PatternMiner> byTenant = new ConcurrentHashMap<>();

    /** Tenants' miners take {@code untenanted}'s options. */
    public PatternMiners(PatternMiner untenanted) {
        this.untenanted = untenanted;
    }

    @Override
    public void accept(List<LogEntry> committed) {
        for (int i = 0, n = committed.size(); i < n; i++) {
            LogEntry e = committed.get(i);
            String tenant = e.stream().get(TenantScope.LABEL);
            PatternMiner m = tenant == null ? untenanted
                    : byTenant.computeIfAbsent(tenant, t -> new PatternMiner(untenanted.options()));
            m.observe(e);
        }
    }

    /** The miner of {@code tenant}'s lines (null: of lines without a tenant); null when the tenant wrote none. */
    public PatternMiner of(String tenant) {
        return tenant == null ? untenanted : byTenant.get(tenant);
    }
}
