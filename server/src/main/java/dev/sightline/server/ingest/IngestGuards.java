package dev.sightline.server.ingest;

import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.SeriesLimiter;
import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.SeriesRefCache;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.ExemplarStorage;
import dev.sightline.server.metadata.MetadataStore;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Locale;
import java.util.Map;

/**
 * What every ingest path (remote-write, OTLP, scrape) shares around its storage appender: one series-per-metric
 * limiter, so a metric's series count is bounded whichever protocol writes it; the metadata and exemplar stores; and
 * {@code sightline_ingest_limit_breaches_total{limit,protocol}}, where {@code limit} is the {@code limits:} key of
 * sightline.yml that was broken and each refused request or sample counts once.
 */
public final class IngestGuards {
    public static final String MAX_SERIES_PER_METRIC = "max_series_per_metric";
    public static final String MAX_REQUEST_BODY_BYTES = "max_request_body_bytes";

    private final SeriesLimiter seriesLimiter;
    private final int maxSeriesPerMetric;
    private final MetadataStore metadata;
    private final ExemplarStorage exemplars;
    /** Storage refs of the series remote-write senders send again and again (at most 4M, 24-48 bytes each). */
    private final SeriesRefCache seriesRefs = new SeriesRefCache(1 << 22);
    private final IngestContext context;
    private final Counter breaches;
    private final Quota quota;

    /**
     * What a tenant may write beyond the {@code limits:} every write meets (see {@link #forTenant}): each new series
     * of a batch is admitted (a {@link ValidationException} refuses it alone), and a batch's samples are admitted
     * whole before its commit (a runtime exception refuses the request; nothing of it is stored).
     */
    public interface Quota {
        Quota NONE = new Quota() {
            @Override
            public void admitSeries(Labels labels, String protocol) {
            }

            @Override
            public void admitSamples(long samples, String protocol) {
            }
        };

        void admitSeries(Labels labels, String protocol);

        void admitSamples(long samples, String protocol);
    }

    /** {@code maxSeriesPerMetric} 0 = no limit. */
    public IngestGuards(PrometheusRegistry registry, int maxSeriesPerMetric, MetadataStore metadata,
                        ExemplarStorage exemplars) {
        this(Counter.builder()
                .name("sightline_ingest_limit_breaches_total")
                .help("Requests or samples refused for breaking a configured limit, by the limits: key of sightline.yml and protocol.")
                .labelNames("limit", "protocol")
                .register(registry), maxSeriesPerMetric, metadata, exemplars, Quota.NONE);
    }

    private IngestGuards(Counter breaches, int maxSeriesPerMetric, MetadataStore metadata, ExemplarStorage exemplars,
                         Quota quota) {
        this.maxSeriesPerMetric = maxSeriesPerMetric;
        this.seriesLimiter = new SeriesLimiter(maxSeriesPerMetric);
        this.metadata = metadata;
        this.context = new IngestContext(seriesRefs, metadata::put);
        this.exemplars = exemplars;
        this.breaches = breaches;
        this.quota = quota;
    }

    /**
     * One tenant's guards, for writes through its storage view: a series limiter, metadata store and ref cache of its
     * own (a cached ref names a tagged series, so a cache must never serve two tenants), {@code exemplars} (its view
     * of the exemplar store), its {@code quota}; the breach counters are these guards'.
     */
    public IngestGuards forTenant(ExemplarStorage exemplars, Quota quota) {
        return new IngestGuards(breaches, maxSeriesPerMetric, new MetadataStore(), exemplars, quota);
    }

    /** No series limit, metadata and exemplar stores of its own, counters in a registry of their own (tests, tools). */
    public static IngestGuards none() {
        return new IngestGuards(new PrometheusRegistry(), 0, new MetadataStore(),
                new ExemplarStore(ExemplarStore.DEFAULT_MAX_EXEMPLARS));
    }

    /** No series limit, the given stores, counters in a registry of their own (tests, tools). */
    public static IngestGuards over(MetadataStore metadata, ExemplarStorage exemplars) {
        return new IngestGuards(new PrometheusRegistry(), 0, metadata, exemplars);
    }

    public MetadataStore metadata() {
        return metadata;
    }

    public ExemplarStorage exemplars() {
        return exemplars;
    }

    /**
     * What the decoders get besides the batch: the refs of the one storage these guards front (storage refs stay
     * valid across batches; the appender takes a ref alone and refuses one it no longer knows) and the metadata store.
     */
    public IngestContext context() {
        return context;
    }

    public void breach(String limit, String protocol) {
        breaches.labelValues(limit, protocol).inc();
    }

    /**
     * Counts the refusals among {@code rejected} (by reason, as the decoders report them) that broke a label limit,
     * and returns the sentence naming those limits' keys for the answer ("" when none was broken): the decoders'
     * messages say what was too long or too many, not which setting bounds it.
     */
    public String labelLimitBreaches(String protocol, Map<?, Long> rejected) {
        StringBuilder keys = new StringBuilder();
        rejected.forEach((reason, n) -> {
            String key = labelLimitKey(reason.toString().toUpperCase(Locale.ROOT));
            if (key != null) {
                breaches.labelValues(key, protocol).inc(n);
                keys.append(keys.isEmpty() ? "" : ", ").append(key);
            }
        });
        // The key is limits:' or, with multitenancy, the tenant's own of the same name (its refusal names the tenant).
        return keys.isEmpty() ? "" : "label limits broken (limits: or tenants: in sightline.yml): " + keys;
    }

    private static String labelLimitKey(String reason) {
        if (reason.equals(Reason.TOO_MANY_LABELS.name())) {
            return "max_label_names_per_series";
        } else if (reason.equals(Reason.LABEL_NAME_TOO_LONG.name())) {
            return "max_label_name_length";
        } else if (reason.equals(Reason.LABEL_VALUE_TOO_LONG.name())) {
            return "max_label_value_length";
        }
        return null;
    }

    /**
     * A batch over a storage appender that the decoders write into: new series (ref 0, the first append of a series
     * in this batch) pass the series limiter first; exemplars wait for the commit. A
     * refusal is a {@link ValidationException}, which the decoders count and report while they keep the rest.
     */
    public IngestBatch begin(Appender appender, String protocol) {
        return new IngestBatch(this, appender, exemplars.appender(), protocol);
    }

    void admit(Labels labels, String protocol) {
        quota.admitSeries(labels, protocol);
        if (maxSeriesPerMetric == 0) {
            return;
        }
        try {
            seriesLimiter.admit(labels);
        } catch (ValidationException e) {
            breach(MAX_SERIES_PER_METRIC, protocol);
            throw e;
        }
    }

    /** Before a batch's commit: its tenant's quota for {@code samples} samples. */
    void admitSamples(long samples, String protocol) {
        quota.admitSamples(samples, protocol);
    }
}
