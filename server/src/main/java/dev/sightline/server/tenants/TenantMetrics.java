package dev.sightline.server.tenants;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Collection;
import java.util.function.Supplier;

/** Per-tenant usage on /metrics: {@code sightline_tenant_*}, labelled by {@code tenant}. */
final class TenantMetrics {
    final Counter samples;
    final Counter queries;
    final Counter breaches;

    TenantMetrics(PrometheusRegistry registry, Supplier<Collection<Tenant>> tenants) {
        samples = Counter.builder().name("sightline_tenant_samples_received_total")
                .help("Samples (floats and histograms) of a tenant's write requests let through its ingestion rate.")
                .labelNames("tenant").register(registry);
        queries = Counter.builder().name("sightline_tenant_queries_total")
                .help("Prometheus API queries (query, query_range, series, labels, values, exemplars) of a tenant.")
                .labelNames("tenant").register(registry);
        breaches = Counter.builder().name("sightline_tenant_limit_breaches_total")
                .help("Requests, series or queries of a tenant refused by one of its limits (the tenants: key).")
                .labelNames("tenant", "limit").register(registry);
        GaugeWithCallback.builder().name("sightline_tenant_series")
                .help("Distinct series a tenant has written since the server started.").labelNames("tenant")
                .callback(cb -> tenants.get().forEach(t -> cb.call(t.series(), t.id()))).register(registry);
    }
}
