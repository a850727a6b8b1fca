package dev.sightline.server.tenants;

import dev.sightline.core.Labels;
import dev.sightline.core.TenantScope;
import dev.sightline.metricstore.Exemplar;
import dev.sightline.server.config.TenantsConfig;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The one place a request's tenant is read: the {@code X-Scope-OrgID} header of Mimir, Loki and Tempo (the
 * authentication layer sets it for a token bound to a tenant). With multitenancy off the header is ignored and every
 * request gets the single tenant, which sees the stores as they are. On, a request without the header is refused with
 * 401 "no org id", one with an id Mimir would refuse with 400 naming what is wrong. Tenants are made on first use and
 * kept for the life of the server, at most {@code max_tenants} of them besides those named in overrides: a new id beyond
 * that is refused with 429.
 */
public final class Tenants {
    public static final String HEADER = "X-Scope-OrgID";
    public static final String MAX_TENANTS = "max_tenants";

    private final TenantsConfig config;
    private final IngestGuards guards;
    private final Tenant single;
    private final TenantMetrics metrics;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Tenant> byId = new ConcurrentHashMap<>();
    /** Tenants held that have no override of their own: what max_tenants bounds. Guarded by this. */
    private int unnamed;

    private Tenants(TenantsConfig config, IngestGuards guards, PrometheusRegistry registry, LongSupplier nanoClock) {
        this.config = config;
        this.guards = guards;
        this.nanoClock = nanoClock;
        this.single = config.multitenancyEnabled() ? null : Tenant.single(guards);
        this.metrics = config.multitenancyEnabled() ? new TenantMetrics(registry, this::all) : null;
    }

    /** Tenants as configured; their usage metrics go to {@code registry}. */
    public static Tenants of(TenantsConfig config, IngestGuards guards, PrometheusRegistry registry, LongSupplier nanoClock) {
        return new Tenants(config, guards, registry, nanoClock);
    }

    /** Multitenancy off: every request is the single tenant over {@code guards}' stores. */
    public static Tenants disabled(IngestGuards guards) {
        return new Tenants(TenantsConfig.DISABLED, guards, null, System::nanoTime);
    }

    public boolean enabled() {
        return single == null;
    }

    /** The request's tenant (see the class comment); throws {@link TenantException} with 401 or 400. */
    public Tenant of(HttpServerRequest request) {
        return of(request.getHeader(HEADER));
    }

    /** The tenant a header value names (null: no header); throws {@link TenantException} with 401 or 400. */
    public Tenant of(String header) {
        if (single != null) {
            return single;
        }
        if (header == null || header.isEmpty()) {
            throw new TenantException(401, "no org id");
        }
        Tenant t = byId.get(header);
        if (t != null) {
            return t;
        }
        try {
            TenantScope.validate(header);
        } catch (IllegalArgumentException e) {
            throw new TenantException(400, "invalid " + HEADER + " header: " + e.getMessage());
        }
        return create(header);
    }

    /** A new tenant, unless {@code max_tenants} are held already and the id has no override of its own. */
    private synchronized Tenant create(String id) {
        Tenant t = byId.get(id);
        if (t != null) {
            return t;
        }
        int max = config.maxTenants();
        boolean named = config.overrides().containsKey(id);
        if (max > 0 && !named && unnamed >= max) {
            metrics.refusedTenants.inc();
            throw new TenantException(429, "new tenant " + id + " refused: the server holds " + unnamed
                    + " tenants without an override, the limit (" + MAX_TENANTS + ") is " + max);
        }
        if (!named) {
            unnamed++;
        }
        t = new Tenant(id, config.limitsOf(id), guards, metrics, nanoClock);
        byId.put(id, t);
        return t;
    }

    /**
     * Adds every tenant's own exemplars, tagged and oldest first, to {@code shared}, the store a head snapshot keeps
     * and a WAL replay fills: on a clean shutdown, so a restart from the snapshot finds them where a restart replaying
     * the WAL would (the tenants' buffers live outside the storage).
     */
    public void keepExemplarsIn(ExemplarStore shared) {
        record Kept(Labels series, Exemplar exemplar) {
        }
        List<Kept> all = new ArrayList<>();
        for (Tenant t : byId.values()) {
            t.forEachOwnExemplar((series, e) -> all.add(new Kept(series, e)));
        }
        all.sort(Comparator.comparingLong(k -> k.exemplar().timestampMs()));
        ExemplarStore.Batch batch = shared.appender();
        for (Kept k : all) {
            batch.add(k.series(), k.exemplar().labels(), k.exemplar().value(), k.exemplar().timestampMs());
        }
        batch.commit();
    }

    /** The tenants seen so far (none with multitenancy off). */
    public Collection<Tenant> all() {
        return byId.values();
    }
}
