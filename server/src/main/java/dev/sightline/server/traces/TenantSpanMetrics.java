package dev.sightline.server.traces;

import dev.sightline.core.TenantScope;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;
import dev.sightline.metricstore.Appender;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.metrics.MetricsGenerator;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Span metrics and the service graph kept apart per tenant, as Tempo's metrics-generator keeps one generator per
 * tenant: a generator groups spans by service and pairs client and server spans by id, so one shared by tenants would
 * mix their counts and edges. The span ingester hands this the store appender under a tenant's view, so a tenant's
 * spans arrive with the reserved resource attribute {@link TenantScope#LABEL}; they feed that tenant's generator,
 * whose series go into the tenant's share of the storage. Spans without it feed the untenanted generator, whose series
 * belong to no tenant. A tenant's generator is made on its first span and collects on a loop of its own (one thread
 * per tenant with spans) once storage is open.
 */
public final class TenantSpanMetrics implements UnaryOperator<SpanAppender>, AutoCloseable {
    /** Under a recorder: the routing appender itself writes the store. */
    private static final SpanAppender NOWHERE = new SpanAppender() {
        @Override
        public void append(SpanResource resource, InstrumentationScope scope, Span span) {
        }

        @Override
        public void commit() {
        }

        @Override
        public void rollback() {
        }
    };

    private final MetricsGenerator untenanted;
    private final Supplier<MetricsGenerator> newGenerator;
    private final ConcurrentHashMap<String, MetricsGenerator> byTenant = new ConcurrentHashMap<>();
    /** Where each tenant's generator writes (null tenant: the untenanted one); null until storage is open. */
    private Function<String, Supplier<Appender>> appenders;
    private boolean closed;

    /** {@code newGenerator} makes a tenant's generator (the configuration of {@code untenanted}). */
    public TenantSpanMetrics(MetricsGenerator untenanted, Supplier<MetricsGenerator> newGenerator) {
        this.untenanted = untenanted;
        this.newGenerator = newGenerator;
    }

    /** Starts every generator's collection, each into the appenders {@code appenders} gives for its tenant. */
    public synchronized void start(Function<String, Supplier<Appender>> appenders) {
        this.appenders = appenders;
        untenanted.start(appenders.apply(null));
        byTenant.forEach((tenant, g) -> g.start(appenders.apply(tenant)));
    }

    /** The generator of {@code tenant}'s spans (null: of spans of no tenant), made on first use. */
    public MetricsGenerator of(String tenant) {
        if (tenant == null) {
            return untenanted;
        }
        MetricsGenerator g = byTenant.get(tenant);
        if (g != null) {
            return g;
        }
        synchronized (this) {
            return byTenant.computeIfAbsent(tenant, t -> {
                MetricsGenerator made = newGenerator.get();
                if (appenders != null && !closed) {
                    made.start(appenders.apply(t));
                }
                return made;
            });
        }
    }

    @Override
    public SpanAppender apply(SpanAppender store) {
        return new Routing(store);
    }

    /** Stops every generator after its last collection. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        untenanted.close();
        byTenant.values().forEach(MetricsGenerator::close);
    }

    /** The tenant a stored resource belongs to; null when none. */
    private static String tenant(SpanResource resource) {
        Attributes a = resource.attributes();
        int i = a.indexOf(TenantScope.LABEL);
        return i < 0 ? null : a.stringValue(i);
    }

    /** One request's appender: writes the store, and hands each span to its tenant's generator once committed. */
    private final class Routing implements SpanAppender {
        private final SpanAppender store;
        private final Map<MetricsGenerator, SpanAppender> recorders = new IdentityHashMap<>(2);
        // The spans of one resource come together: its generator is looked up once, not per span.
        private SpanResource last;
        private SpanAppender recorder;

        Routing(SpanAppender store) {
            this.store = store;
        }

        @Override
        public void append(SpanResource resource, InstrumentationScope scope, Span span) {
            store.append(resource, scope, span);
            if (resource != last) {
                last = resource;
                recorder = recorders.computeIfAbsent(of(tenant(resource)), g -> g.wrap(NOWHERE));
            }
            recorder.append(resource, scope, span);
        }

        @Override
        public void commit() throws IOException {
            store.commit();
            for (SpanAppender r : recorders.values()) {
                r.commit();
            }
        }

        @Override
        public void rollback() {
            store.rollback();
            recorders.values().forEach(SpanAppender::rollback);
        }
    }
}
