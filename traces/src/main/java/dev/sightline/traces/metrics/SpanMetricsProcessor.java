package dev.sightline.traces.metrics;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;


/**
 * RED metrics per (service, span_name, span_kind, status_code and the configured dimensions), named and labelled as
 * Tempo's span metrics processor writes them: {@code traces_spanmetrics_calls_total}, {@code traces_spanmetrics_latency}
 * (seconds; classic and/or native, with trace-id exemplars) and {@code traces_spanmetrics_size_total} (bytes of the
 * span as OTLP protobuf). Not thread-safe: the generator serialises access.
 */
final class SpanMetricsProcessor {
    static final String CALLS = "traces_spanmetrics_calls_total";
    static final String LATENCY = "traces_spanmetrics_latency";
    static final String SIZE = "traces_spanmetrics_size_total";
    /** The enum names OTLP's protobuf gives them, which Tempo writes as label values. */
    private static final String[] KINDS = new String[SpanKind.values().length];
    private static final String[] STATUSES = new String[StatusCode.values().length];

    static {
        for (SpanKind k : SpanKind.values()) {
            KINDS[k.ordinal()] = "SPAN_KIND_" + k.name();
        }
        for (StatusCode c : StatusCode.values()) {
            STATUSES[c.ordinal()] = "STATUS_CODE_" + c.name();
        }
    }

    private static final int FIXED = 4;

    private final String[] dimensions;
    private final String[] labelNames;
    private final HistogramFamily latency;
    private final SeriesTable<Series> table;
    /** The time of the span being consumed, for a series it creates. */
    private long now;

    SpanMetricsProcessor(GeneratorConfig.SpanMetrics config, HistogramMode mode, int schema, int maxBuckets) {
        this.dimensions = config.dimensions().toArray(new String[0]);
        this.labelNames = GeneratedSeries.labelNames(config.dimensions(), "service", "span_name", "span_kind", "status_code");
        this.latency = new HistogramFamily(LATENCY, config.histogramBuckets(), mode, schema, maxBuckets);
        this.table = new SeriesTable<>(labelNames.length, this::newSeries);
    }

    private final class Series extends GeneratedSeries {
        final HistogramSeries latency;
        final Counter calls;
        final Counter size;

        Series(String[] values, long nowMs) {
            super(nowMs);
            Labels.Builder b = labels(labelNames, values);
            this.latency = SpanMetricsProcessor.this.latency.newSeries(b.build());
            this.calls = new Counter(b.set(Labels.METRIC_NAME, CALLS).build());
            this.size = new Counter(b.set(Labels.METRIC_NAME, SIZE).build());
        }

        @Override
        void writeStart(SampleWriter w, long timestampMs) {
            calls.writeZero(w, timestampMs);
            size.writeZero(w, timestampMs);
            latency.writeStart(w, timestampMs);
        }

        @Override
        void write(SampleWriter w, long timestampMs) {
            calls.write(w, timestampMs);
            size.write(w, timestampMs);
            latency.write(w, timestampMs);
        }
    }

    private Series newSeries(String[] values) {
        return new Series(values, now);
    }

    void consume(SpanResource resource, Span span, long nowMs) {
        String[] v = table.values();
        v[0] = resource.serviceName();
        v[1] = span.name();
        v[2] = KINDS[span.kind().ordinal()];
        v[3] = STATUSES[span.statusCode().ordinal()];
        for (int i = 0; i < dimensions.length; i++) {
            v[FIXED + i] = SpanAttributes.find(dimensions[i], resource.attributes(), span.attributes());
        }
        now = nowMs;
        Series s = table.get();
        s.calls.value++;
        s.size.value += SpanSize.of(span);
        s.latency.observe(span.durationNanos() / 1e9, span.traceIdHi(), span.traceIdLo(), span.endUnixNano() / 1_000_000);
        s.updatedMs = nowMs;
    }

    int series() {
        return table.size();
    }

    void collect(SampleWriter w, long timestampMs, long staleBeforeMs) {
        table.collect(w, timestampMs, staleBeforeMs);
    }
}
