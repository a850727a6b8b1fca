package dev.sightline.traces.metrics;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;

import java.util.Iterator;
import java.util.List;

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

    SpanMetricsProcessor(GeneratorConfig.SpanMetrics config, HistogramMode mode, int schema, int maxBuckets) {
        List<String> dims = config.dimensions();
        this.dimensions = dims.toArray(new String[0]);
        this.labelNames = new String[FIXED + dimensions.length];
        labelNames[0] = "service";
        labelNames[1] = "span_name";
        labelNames[2] = "span_kind";
        labelNames[3] = "status_code";
        for (int i = 0; i < dimensions.length; i++) {
            labelNames[FIXED + i] = GeneratorConfig.labelName(dimensions[i]);
        }
        this.latency = new HistogramFamily(LATENCY, config.histogramBuckets(), mode, schema, maxBuckets);
        this.table = new SeriesTable<>(labelNames.length, this::newSeries);
    }

    private final class Series {
        final HistogramSeries latency;
        final Labels calls;
        final Labels size;
        long callsRef;
        long sizeRef;
        long callCount;
        long sizeBytes;
        final long createdMs;
        long updatedMs;
        boolean started;

        Series(String[] values, long nowMs) {
            Labels.Builder b = Labels.builder();
            for (int i = 0; i < values.length; i++) {
                b.set(labelNames[i], values[i]);
            }
            Labels base = b.build();
            this.latency = SpanMetricsProcessor.this.latency.newSeries(base);
            this.calls = b.set(Labels.METRIC_NAME, CALLS).build();
            this.size = b.set(Labels.METRIC_NAME, SIZE).build();
            this.createdMs = nowMs;
        }
    }

    private long now;

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
        s.callCount++;
        s.sizeBytes += SpanSize.of(span);
        s.latency.observe(span.durationNanos() / 1e9, span.traceIdHi(), span.traceIdLo(), span.endUnixNano() / 1_000_000);
        s.updatedMs = nowMs;
    }

    int series() {
        return table.size();
    }

    /** Drops the series idle since before {@code staleBeforeMs}, then writes every other one at {@code timestampMs}. */
    void collect(SampleWriter w, long timestampMs, long staleBeforeMs) {
        for (Iterator<Series> it = table.iterator(); it.hasNext(); ) {
            Series s = it.next();
            if (s.updatedMs < staleBeforeMs) {
                it.remove();
                continue;
            }
            if (!s.started) {
                long start = Math.min(s.createdMs, timestampMs - 1);
                s.callsRef = w.sample(s.callsRef, s.calls, start, 0);
                s.sizeRef = w.sample(s.sizeRef, s.size, start, 0);
                s.latency.writeStart(w, start);
                s.started = true;
            }
            s.callsRef = w.sample(s.callsRef, s.calls, timestampMs, s.callCount);
            s.sizeRef = w.sample(s.sizeRef, s.size, timestampMs, s.sizeBytes);
            s.latency.write(w, timestampMs);
        }
    }
}
