package dev.sightline.server.tenants;

import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.TenantLogView;
import dev.sightline.metricstore.ExemplarStorage;
import dev.sightline.metricstore.Queryable;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.TenantView;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.server.config.TenantLimitsConfig;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.metadata.MetadataStore;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.TenantSpanView;

/**
 * One tenant as the endpoints see it: its share of the metric storage and exemplars ({@link TenantView}), its ingest
 * guards (metadata, ref cache, series limits of its own) and its limits. With multitenancy off there is one, with no
 * id, whose views are the shared stores themselves. Thread-safe.
 */
public final class Tenant {
    public static final String INGESTION_RATE = "ingestion_rate";
    public static final String MAX_SERIES_PER_USER = "max_global_series_per_user";
    public static final String MAX_SERIES_PER_METRIC = "max_global_series_per_metric";
    public static final String MAX_QUERY_LENGTH = "max_total_query_length";
    public static final String MAX_QUERY_SAMPLES = "max_query_samples";

    private final String id;
    private final TenantLimitsConfig limits;
    private final IngestGuards guards;
    private final TenantMetrics metrics;
    private final TokenBucket rate;
    private final long burst;
    /** The tenant's distinct series by label hash (a collision lets one extra series in), and their count per metric. */
    private final Set<Integer> series = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AtomicInteger> seriesPerMetric = new ConcurrentHashMap<>();

    /** The one tenant of a server without multitenancy: the shared stores, no limits of its own. */
    static Tenant single(IngestGuards guards) {
        return new Tenant(null, TenantLimitsConfig.NONE, guards, null, System::nanoTime);
    }

    Tenant(String id, TenantLimitsConfig limits, IngestGuards shared, TenantMetrics metrics, LongSupplier nanoClock) {
        this.id = id;
        this.limits = limits;
        this.metrics = metrics;
        this.guards = id == null ? shared : shared.forTenant(TenantView.exemplars(shared.exemplars(), id), new Quota());
        double r = limits.ingestionRate();
        // Without a burst size, one second's worth.
        this.burst = limits.ingestionBurstSize() > 0 ? limits.ingestionBurstSize() : (long) Math.ceil(r);
        this.rate = r > 0 ? new TokenBucket(r, burst, nanoClock) : null;
    }

    /** The tenant's id; null when multitenancy is off. */
    public String id() {
        return id;
    }

    public TenantLimitsConfig limits() {
        return limits;
    }

    /** Writes and reads of this tenant's series: tagged and filtered by the tenant label. */
    public Storage storage(Storage shared) {
        return id == null ? shared : TenantView.storage(shared, id);
    }

    /** Writes and reads of this tenant's log lines: streams tagged and filtered by the tenant label. */
    public LogStore logs(LogStore shared) {
        return id == null ? shared : TenantLogView.store(shared, id);
    }

    /** Writes and reads of this tenant's spans: resources tagged, searches and listings scoped. */
    public SpanStore spans(SpanStore shared) {
        return id == null ? shared : TenantSpanView.store(shared, id);
    }

    /** What the query engine reads for this tenant. */
    public Queryable queryable(Queryable shared) {
        return id == null ? shared : TenantView.queryable(shared, id);
    }

    /** Every metrics write of this tenant goes through these (its series limits, rate, metadata, exemplars). */
    public IngestGuards guards() {
        return guards;
    }

    public MetadataStore metadata() {
        return guards.metadata();
    }

    public ExemplarStorage exemplars() {
        return guards.exemplars();
    }

    /** Distinct series written since the server started. */
    public int series() {
        return series.size();
    }

    /** {@code base} with the tenant's {@code max_query_samples} where it is lower. */
    public EngineOptions engineOptions(EngineOptions base) {
        int max = limits.maxQuerySamples();
        return max > 0 && max < base.maxSamples() ? base.withMaxSamples(max) : base;
    }

    /** True when the tenant's own {@code max_query_samples} is what bounds {@code options}. */
    public boolean boundsQuerySamples(EngineOptions options) {
        return limits.maxQuerySamples() > 0 && options.maxSamples() == limits.maxQuerySamples();
    }

    /** The 429 for a query the tenant's {@code max_query_samples} stopped. */
    public TenantException querySamplesReached() {
        return limitReached(MAX_QUERY_SAMPLES, "the query would load more samples into memory than the limit ("
                + MAX_QUERY_SAMPLES + ") of " + limits.maxQuerySamples());
    }

    /** Refuses a query over [startMs, endMs] longer than {@code max_total_query_length} (429). */
    public void checkQueryLength(long startMs, long endMs) {
        long max = limits.maxTotalQueryLength().toMillis();
        if (max > 0 && endMs - startMs > max) {
            throw limitReached(MAX_QUERY_LENGTH, "the query time range of " + (endMs - startMs) / 1000 + "s exceeds the"
                    + " limit (" + MAX_QUERY_LENGTH + ") of " + max / 1000 + "s");
        }
    }

    /** Counts a query of this tenant. */
    public void queried() {
        if (metrics != null) {
            metrics.queries.labelValues(id).inc();
        }
    }

    /** A 429 naming the limit and the tenant, counted in sightline_tenant_limit_breaches_total. */
    TenantException limitReached(String limit, String message) {
        if (metrics != null) {
            metrics.breaches.labelValues(id, limit).inc();
        }
        return new TenantException(429, message + " for tenant " + id);
    }

    /** The tenant's limits on new series and on the samples of a batch. */
    private final class Quota implements IngestGuards.Quota {
        @Override
        public void admitSeries(Labels labels, String protocol) {
            Integer hash = labels.hashCode();
            if (series.contains(hash)) {
                return;
            }
            int perUser = limits.maxGlobalSeriesPerUser();
            if (perUser > 0 && series.size() >= perUser) {
                refuse(MAX_SERIES_PER_USER, "the tenant already has " + series.size() + " series, the limit ("
                        + MAX_SERIES_PER_USER + ") is " + perUser);
            }
            String metric = labels.metricName();
            AtomicInteger n = seriesPerMetric.computeIfAbsent(metric == null ? "" : metric, m -> new AtomicInteger());
            int perMetric = limits.maxGlobalSeriesPerMetric();
            if (perMetric > 0 && n.get() >= perMetric) {
                refuse(MAX_SERIES_PER_METRIC, "metric \"" + metric + "\" already has " + n.get() + " series, the limit ("
                        + MAX_SERIES_PER_METRIC + ") is " + perMetric);
            }
            // Check-then-add: concurrent new series may pass the limits by a few, as the global limiter's may.
            if (series.add(hash)) {
                n.incrementAndGet();
            }
        }

        private void refuse(String limit, String message) {
            metrics.breaches.labelValues(id, limit).inc();
            throw new ValidationException(ValidationException.Reason.SERIES_LIMIT_EXCEEDED, Labels.METRIC_NAME,
                    message + " for tenant " + id);
        }

        @Override
        public void admitSamples(long samples, String protocol) {
            if (rate != null && samples > 0 && !rate.tryTake(samples)) {
                throw limitReached(INGESTION_RATE, "ingestion rate limit (" + INGESTION_RATE + ") of "
                        + limits.ingestionRate() + " samples/s with a burst (ingestion_burst_size) of " + burst + " reached: the request's " + samples + " samples were refused");
            }
            metrics.samples.labelValues(id).inc(samples);
        }
    }
}
