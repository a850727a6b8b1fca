package dev.sightline.server.tenants;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Span;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.logs.LogLimits;
import dev.sightline.ingest.logs.LogRejection;
import dev.sightline.ingest.logs.LogResult;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.TenantLogView;
import dev.sightline.metricstore.Deletable;
import dev.sightline.metricstore.ExemplarStorage;
import dev.sightline.metricstore.Queryable;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.TenantView;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.server.config.TenantLimitsConfig;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.metadata.MetadataStore;
import dev.sightline.tsdb.exemplar.ExemplarStore;

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
    public static final String MAX_LABEL_NAMES = "max_label_names_per_series";
    public static final String MAX_LABEL_NAME_LENGTH = "max_label_name_length";
    public static final String MAX_LABEL_VALUE_LENGTH = "max_label_value_length";
    public static final String MAX_LINE_SIZE = "max_line_size";
    public static final String LOG_INGESTION_RATE = "ingestion_rate_mb";
    public static final String SPAN_INGESTION_RATE = "ingestion_rate_limit_bytes";
    public static final String MAX_BYTES_PER_TRACE = "max_bytes_per_trace";
    private static final double MIB = 1024 * 1024;

    private final String id;
    private final TenantLimitsConfig limits;
    private final IngestGuards guards;
    private final TenantMetrics metrics;
    private final TokenBucket rate;
    private final long burst;
    /** Loki's log line bytes and Tempo's span request bytes per second; null without the limit. */
    private final TokenBucket logBytes;
    private final TokenBucket spanBytes;
    private final long logBurst;
    private final long spanBurst;
    private final TraceBytes traceBytes;
    /** The wall clock retention counts back from. */
    private final LongSupplier wallMs = System::currentTimeMillis;
    /** The log limits last derived and the {@code limits:} ones they were derived from. */
    private volatile LogLimits logBase;
    private volatile LogLimits logLimits;
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
        this.guards = id == null ? shared : shared.forTenant(exemplars(shared.exemplars(), id), new Quota());
        double r = limits.ingestionRate();
        // Without a burst size, one second's worth.
        this.burst = limits.ingestionBurstSize() > 0 ? limits.ingestionBurstSize() : (long) Math.ceil(r);
        this.rate = r > 0 ? new TokenBucket(r, burst, nanoClock) : null;
        double logRate = limits.ingestionRateMb() * MIB;
        this.logBurst = (long) Math.ceil(limits.ingestionBurstSizeMb() > 0 ? limits.ingestionBurstSizeMb() * MIB : logRate);
        this.logBytes = logRate > 0 ? new TokenBucket(logRate, logBurst, nanoClock) : null;
        long spanRate = limits.ingestionRateLimitBytes();
        this.spanBurst = limits.ingestionBurstSizeBytes() > 0 ? limits.ingestionBurstSizeBytes() : spanRate;
        this.spanBytes = spanRate > 0 ? new TokenBucket(spanRate, spanBurst, nanoClock) : null;
        this.traceBytes = limits.maxBytesPerTrace() > 0 ? new TraceBytes(limits.maxBytesPerTrace(), nanoClock) : null;
    }

    /**
     * The tenant's exemplars: a buffer of its own of {@code max_global_exemplars_per_user} slots (0: as many as the
     * shared store's {@code max_exemplars}), read within its metrics retention; nothing when the shared store keeps
     * none.
     */
    private ExemplarStorage exemplars(ExemplarStorage shared, String id) {
        if (!shared.enabled()) {
            return TenantView.exemplars(shared, id);
        }
        int capacity = limits.maxGlobalExemplarsPerUser() > 0 ? limits.maxGlobalExemplarsPerUser()
                : shared instanceof ExemplarStore s ? s.maxExemplars() : ExemplarStore.DEFAULT_MAX_EXEMPLARS;
        return new TenantExemplars(shared, id, capacity, limits.compactorBlocksRetentionPeriod().toMillis(), wallMs);
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

    /** Deletes of this tenant's series: its matchers scoped by the tenant label, so no other tenant's are reached. */
    public Deletable deletable(Deletable shared) {
        return id == null ? shared : TenantView.deletable(shared, id);
    }

    /**
     * Writes and reads of this tenant's log lines: streams tagged and filtered by the tenant label, reads from now
     * minus its {@code retention_period} on.
     */
    public LogStore logs(LogStore shared) {
        if (id == null) {
            return shared;
        }
        LogStore own = TenantLogView.store(shared, id);
        long ms = limits.retentionPeriod().toMillis();
        return ms > 0 ? Retention.logs(own, ms, wallMs) : own;
    }

    /**
     * Writes and reads of this tenant's spans: resources tagged, searches and listings scoped, reads from now minus
     * its {@code block_retention} on.
     */
    public SpanStore spans(SpanStore shared) {
        if (id == null) {
            return shared;
        }
        SpanStore own = TenantSpanView.store(shared, id);
        long ms = limits.blockRetention().toMillis();
        return ms > 0 ? Retention.spans(own, ms, wallMs) : own;
    }

    /** What the query engine reads for this tenant: from now minus its {@code compactor_blocks_retention_period} on. */
    public Queryable queryable(Queryable shared) {
        if (id == null) {
            return shared;
        }
        Queryable own = TenantView.queryable(shared, id);
        long ms = limits.compactorBlocksRetentionPeriod().toMillis();
        return ms > 0 ? Retention.metrics(own, ms, wallMs) : own;
    }

    /** Hands the exemplars of the tenant's own buffer, tagged with its label, to {@code visitor}, oldest first. */
    void forEachOwnExemplar(ExemplarStore.Visitor<RuntimeException> visitor) {
        if (guards.exemplars() instanceof TenantExemplars own) {
            own.forEachOldestFirst(visitor);
        }
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

    /**
     * The limits a log line of this tenant meets: {@code base} (the {@code limits:} section) tightened by the tenant's
     * own line and label limits.
     */
    public LogLimits logLimits(LogLimits base) {
        if (base == logBase) {
            return logLimits;
        }
        LogLimits l = new LogLimits(tighter(base.maxLineSize(), limits.maxLineSize()),
                (int) tighter(base.maxLabelNames(), limits.maxLabelNamesPerSeries()),
                (int) tighter(base.maxLabelNameLength(), limits.maxLabelNameLength()),
                (int) tighter(base.maxLabelValueLength(), limits.maxLabelValueLength()),
                base.rejectOldSamplesMaxAgeNanos(), base.creationGracePeriodNanos());
        logLimits = l;
        logBase = base;
        return l;
    }

    /** The lower of two limits where 0 means none. */
    private static long tighter(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /**
     * Before a log request's commit: its accepted line bytes against {@code ingestion_rate_mb} (Loki's check, after
     * the per-line limits), a 429 refusing the whole request when over; counts the request's lines, bytes and the
     * lines refused by a line or label limit.
     */
    public void admitLogs(LogResult result) {
        if (id == null) {
            return;
        }
        if (logBytes != null && result.acceptedBytes() > 0 && !logBytes.tryTake(result.acceptedBytes())) {
            throw limitReached(LOG_INGESTION_RATE, "ingestion rate limit exceeded (" + LOG_INGESTION_RATE + ": "
                    + limits.ingestionRateMb() + ", ingestion_burst_size_mb: " + limits.ingestionBurstSizeMb()
                    + ", a bucket of " + logBurst + " bytes) while attempting to ingest " + result.accepted()
                    + " lines totaling " + result.acceptedBytes() + " bytes");
        }
        result.rejectedBy().forEach((why, n) -> {
            String key = logLimitKey(why);
            if (key != null) {
                metrics.breaches.labelValues(id, key).inc(n);
            }
        });
        metrics.logLines.labelValues(id).inc(result.accepted());
        metrics.logBytes.labelValues(id).inc(result.acceptedBytes());
    }

    private static String logLimitKey(LogRejection why) {
        return switch (why) {
            case LINE_TOO_LONG -> MAX_LINE_SIZE;
            case TOO_MANY_LABELS -> MAX_LABEL_NAMES;
            case LABEL_NAME_TOO_LONG -> MAX_LABEL_NAME_LENGTH;
            case LABEL_VALUE_TOO_LONG -> MAX_LABEL_VALUE_LENGTH;
            default -> null;
        };
    }

    /** What a span request of this tenant is held to; null when nothing (no tenant, or no span limit). */
    public SpanQuota spanQuota() {
        return id == null ? null : new SpanQuota();
    }

    /**
     * One span request's share of the tenant's span limits: each span's estimated bytes are added to its trace's
     * ({@link #add}); before the commit {@link #admit} checks Tempo's {@code max_bytes_per_trace} and
     * {@code ingestion_rate_limit_bytes} and refuses the whole request with 429 when over either. Not thread-safe.
     */
    public final class SpanQuota {
        private final TraceBytes.Request traces = traceBytes == null ? null : traceBytes.request();
        private long spans;

        private SpanQuota() {
        }

        public void add(Span span) {
            spans++;
            if (traces != null) {
                traces.add(span);
            }
        }

        /** {@code requestBytes}: the request body's bytes (decompressed), what the rate counts. */
        public void admit(long requestBytes) {
            if (traces != null) {
                TraceBytes.Over over = traces.over();
                if (over != null) {
                    throw limitReached(MAX_BYTES_PER_TRACE, "TRACE_TOO_LARGE: max size of trace (" + MAX_BYTES_PER_TRACE
                            + ": " + limits.maxBytesPerTrace() + " bytes) exceeded while adding " + over.adding()
                            + " bytes to trace " + over.traceId() + " (" + over.stored() + " bytes already)");
                }
            }
            if (spanBytes != null && !spanBytes.tryTake(requestBytes)) {
                throw limitReached(SPAN_INGESTION_RATE, "RATE_LIMITED: ingestion rate limit (" + SPAN_INGESTION_RATE
                        + ": " + limits.ingestionRateLimitBytes() + " bytes/s, ingestion_burst_size_bytes: " + spanBurst
                        + " bytes) exceeded while adding " + requestBytes + " bytes");
            }
            if (traces != null) {
                traces.commit();
            }
            metrics.spans.labelValues(id).inc(spans);
            metrics.spanBytes.labelValues(id).inc(requestBytes);
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
            checkLabels(labels);
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

        /** Mimir's label limits, the tenant's own (the {@code limits:} ones were checked by the decoders). */
        private void checkLabels(Labels labels) {
            int names = limits.maxLabelNamesPerSeries();
            if (names > 0 && labels.size() > names) {
                refuse(MAX_LABEL_NAMES, ValidationException.Reason.TOO_MANY_LABELS, Labels.METRIC_NAME, "series "
                        + labels + " has " + labels.size() + " labels, more than the limit (" + MAX_LABEL_NAMES + ") of " + names);
            }
            int nameLength = limits.maxLabelNameLength();
            int valueLength = limits.maxLabelValueLength();
            for (int i = 0; i < labels.size(); i++) {
                String name = labels.name(i);
                if (nameLength > 0 && name.length() > nameLength) {
                    refuse(MAX_LABEL_NAME_LENGTH, ValidationException.Reason.LABEL_NAME_TOO_LONG, name, "label name \""
                            + name + "\" of series " + labels + " is longer than the limit (" + MAX_LABEL_NAME_LENGTH
                            + ") of " + nameLength + " characters");
                }
                if (valueLength > 0 && labels.value(i).length() > valueLength) {
                    refuse(MAX_LABEL_VALUE_LENGTH, ValidationException.Reason.LABEL_VALUE_TOO_LONG, name, "value of label \""
                            + name + "\" of series " + labels + " has " + labels.value(i).length() + " characters, more than the"
                            + " limit (" + MAX_LABEL_VALUE_LENGTH + ") of " + valueLength);
                }
            }
        }

        private void refuse(String limit, String message) {
            refuse(limit, ValidationException.Reason.SERIES_LIMIT_EXCEEDED, Labels.METRIC_NAME, message);
        }

        private void refuse(String limit, ValidationException.Reason reason, String field, String message) {
            metrics.breaches.labelValues(id, limit).inc();
            throw new ValidationException(reason, field, message + " for tenant " + id);
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
