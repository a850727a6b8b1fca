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
    final Counter logLines;
    final Counter logBytes;
    final Counter spans;
    final Counter spanBytes;
    /** New tenant ids refused by max_tenants: no tenant label, as those ids are what must not grow. */
    final Counter refusedTenants;

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
        logLines = Counter.builder().name("sightline_tenant_log_lines_received_total")
                .help("Log lines of a tenant stored (Loki push, NDJSON, OTLP logs).").labelNames("tenant").register(registry);
        logBytes = Counter.builder().name("sightline_tenant_log_bytes_received_total")
                .help("Log line bytes of a tenant stored: what ingestion_rate_mb counts.").labelNames("tenant")
                .register(registry);
        spans = Counter.builder().name("sightline_tenant_spans_received_total")
                .help("Spans of a tenant stored (OTLP traces, Zipkin).").labelNames("tenant").register(registry);
        spanBytes = Counter.builder().name("sightline_tenant_span_bytes_received_total")
                .help("Span request body bytes (decompressed) of a tenant stored: what ingestion_rate_limit_bytes counts.")
                .labelNames("tenant").register(registry);
        refusedTenants = Counter.builder().name("sightline_tenants_refused_total")
                .help("Requests naming a new tenant refused because max_tenants tenants exist.").register(registry);
        GaugeWithCallback.builder().name("sightline_tenants")
                .help("Tenants the server holds (made on a tenant's first request).")
                .callback(cb -> cb.call(tenants.get().size())).register(registry);
        GaugeWithCallback.builder().name("sightline_tenant_series")
                .help("Distinct series a tenant has written since the server started.").labelNames("tenant")
                .callback(cb -> tenants.get().forEach(t -> cb.call(t.series(), t.id()))).register(registry);
    }
}
