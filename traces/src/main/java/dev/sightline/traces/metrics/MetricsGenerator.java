package dev.sightline.traces.metrics;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.CollectionLoop;
import dev.sightline.traces.SpanAppender;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Span metrics and the service graph from accepted spans, written into the metric store as Tempo's metrics-generator
 * writes them, so its Grafana dashboards work unchanged. Spans come in through {@link #consume} (or an appender from
 * {@link #wrap}, which passes a request's spans on once the span store committed them); the aggregates live in
 * memory, and every {@code collection_interval} a collection writes each series' cumulative value at the collection
 * time, as a scrape would, so rate() and histogram_quantile() work on them. Series idle for {@code stale_duration} are
 * dropped. Thread-safe: ingest threads consume while the flush thread collects.
 */
public final class MetricsGenerator implements AutoCloseable {
    private final GeneratorConfig config;
    private final LongSupplier clockMs;
    private final SpanMetricsProcessor spanMetrics;
    private final ServiceGraphProcessor serviceGraph;
    private long spans;
    private long lastCollectionMs = Long.MIN_VALUE;
    private long samplesWritten;
    private long samplesRefused;
    private volatile CollectionLoop loop;

    public MetricsGenerator(GeneratorConfig config, LongSupplier clockMs) {
        this.config = config;
        this.clockMs = clockMs;
        int schema = config.nativeSchema();
        this.spanMetrics = config.spanMetrics() == null ? null
                : new SpanMetricsProcessor(config.spanMetrics(), config.histograms(), schema, config.nativeMaxBuckets());
        this.serviceGraph = config.serviceGraphs() == null ? null
                : new ServiceGraphProcessor(config.serviceGraphs(), config.histograms(), schema, config.nativeMaxBuckets());
    }

    /** Counts one accepted span. The scope plays no part (Tempo's processors ignore it too). */
    public synchronized void consume(SpanResource resource, InstrumentationScope scope, Span span) {
        consumeLocked(resource, span, clockMs.getAsLong());
    }

    /** The first {@code n} spans of a request, under one lock. */
    private synchronized void consume(SpanResource[] resources, Span[] batch, int n) {
        long now = clockMs.getAsLong();
        for (int i = 0; i < n; i++) {
            consumeLocked(resources[i], batch[i], now);
        }
    }

    private void consumeLocked(SpanResource resource, Span span, long now) {
        spans++;
        if (spanMetrics != null) {
            spanMetrics.consume(resource, span, now);
        }
        if (serviceGraph != null) {
            serviceGraph.consume(resource, span, now);
        }
    }

    /**
     * An appender that appends to {@code store} and, once its commit returned, hands the committed spans to
     * {@link #consume}: only acknowledged spans are counted, and a rolled-back request leaves no trace in the metrics.
     */
    public SpanAppender wrap(SpanAppender store) {
        return new Recording(store);
    }

    /**
     * Writes every series at the clock's time into {@code appender} and commits. Samples the storage refuses are
     * counted ({@link Stats#samplesRefused()}) and the rest kept.
     */
    public void collect(Appender appender) throws IOException {
        synchronized (this) {
            long ts = Math.max(clockMs.getAsLong(), lastCollectionMs + 1);
            lastCollectionMs = ts;
            long staleBefore = ts - config.staleDuration().toMillis();
            SampleWriter w = new SampleWriter(appender, config.traceIdLabelName());
            if (spanMetrics != null) {
                spanMetrics.collect(w, ts, staleBefore);
            }
            if (serviceGraph != null) {
                serviceGraph.collect(w, ts, staleBefore);
            }
            samplesWritten += w.written();
            samplesRefused += w.refused();
        }
        // Outside the lock: ingest goes on while the storage makes the batch durable.
        appender.commit();
    }

    /**
     * Starts collecting every {@code collection_interval} into a fresh appender from {@code appenders} (in the server:
     * the ingest guards' batch over the storage appender, so exemplars reach the exemplar store at commit). With both
     * processors off there is nothing to write and no loop starts.
     */
    public synchronized void start(Supplier<Appender> appenders) {
        if (loop != null) {
            throw new IllegalStateException("the metrics generator is already running");
        }
        if (spanMetrics == null && serviceGraph == null) {
            return;
        }
        loop = CollectionLoop.start("metrics-generator", config.collectionInterval(), appenders, this::collect);
    }

    /** Stops the collection loop, after one last collection so the counts since the previous one are kept. */
    @Override
    public void close() {
        // Not under this object's lock: the last collection takes it.
        CollectionLoop l = loop;
        if (l != null) {
            l.close();
        }
    }

    public synchronized Stats stats() {
        return new Stats(spans, spanMetrics == null ? 0 : spanMetrics.series(), serviceGraph == null ? 0 : serviceGraph.series(),
                serviceGraph == null ? 0 : serviceGraph.pending(), serviceGraph == null ? 0 : serviceGraph.expired(),
                serviceGraph == null ? 0 : serviceGraph.dropped(), samplesWritten, samplesRefused);
    }

    /**
     * What the generator did so far, for self-metrics.
     *
     * @param spans             spans consumed
     * @param spanMetricSeries  span metrics series held (each writes calls, size and latency series)
     * @param graphSeries       service graph series held
     * @param edgesPending      half-seen requests waiting for their other span
     * @param edgesExpired      half-seen requests that expired unpaired (some still recorded as a virtual node)
     * @param edgesDropped      spans not kept because the edge store was full
     * @param samplesWritten    samples written into storage
     * @param samplesRefused    samples storage refused
     */
    public record Stats(long spans, int spanMetricSeries, int graphSeries, int edgesPending, long edgesExpired,
                        long edgesDropped, long samplesWritten, long samplesRefused) {
    }

    /** A request's spans, passed on to the generator once the store committed them. */
    private final class Recording implements SpanAppender {
        private final SpanAppender store;
        private SpanResource[] resources = new SpanResource[16];
        private Span[] spans = new Span[16];
        private int n;

        Recording(SpanAppender store) {
            this.store = store;
        }

        @Override
        public void append(SpanResource resource, InstrumentationScope scope, Span span) {
            store.append(resource, scope, span);
            if (n == spans.length) {
                resources = Arrays.copyOf(resources, n * 2);
                spans = Arrays.copyOf(spans, n * 2);
            }
            resources[n] = resource;
            spans[n] = span;
            n++;
        }

        @Override
        public void commit() throws IOException {
            store.commit();
            consume(resources, spans, n);
            clear();
        }

        @Override
        public void rollback() {
            store.rollback();
            clear();
        }

        private void clear() {
            Arrays.fill(resources, 0, n, null);
            Arrays.fill(spans, 0, n, null);
            n = 0;
        }
    }
}
