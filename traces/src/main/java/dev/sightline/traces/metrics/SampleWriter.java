package dev.sightline.traces.metrics;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.core.span.SpanIds;
import dev.sightline.metricstore.Appender;

/**
 * One collection's writes into a storage appender. A sample the storage refuses (a label limit, a series limit, an
 * order rule) is counted and skipped, as a scrape keeps the rest of its samples. Refs returned by the appender are
 * handed back so series remember them for the next collection; the labels always go along, so a storage that
 * dropped a series takes it again by its labels.
 */
final class SampleWriter {
    private final Appender appender;
    private final Labels.Builder exemplarLabels = Labels.builder();
    private final String traceIdLabel;
    private long written;
    private long refused;

    SampleWriter(Appender appender, String traceIdLabel) {
        this.appender = appender;
        this.traceIdLabel = traceIdLabel;
    }

    long sample(long ref, Labels labels, long timestampMs, double value) {
        try {
            long r = appender.append(ref, labels, timestampMs, value);
            written++;
            return r;
        } catch (ValidationException e) {
            refused++;
            return ref;
        }
    }

    long histogram(long ref, Labels labels, long timestampMs, Histogram h) {
        try {
            long r = appender.appendHistogram(ref, labels, timestampMs, h);
            written++;
            return r;
        } catch (ValidationException e) {
            refused++;
            return ref;
        }
    }

    /** An exemplar {@code {trace_id="..."}} of a series written in this collection. */
    void exemplar(long ref, Labels series, long traceIdHi, long traceIdLo, long timestampMs, double value) {
        Labels ex = exemplarLabels.set(traceIdLabel, SpanIds.traceIdHex(traceIdHi, traceIdLo)).build();
        appender.appendExemplar(ref, series, ex, timestampMs, value);
    }

    long written() {
        return written;
    }

    long refused() {
        return refused;
    }
}
