package dev.sightline.ingest;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;

/**
 * Where decoded samples go. Ingest depends only on core, so the server adapts this to the storage appender of the
 * request. Appends refuse a sample by throwing {@link ValidationException} (out of order, duplicate, too old...),
 * which the decoder counts and reports while it goes on with the rest of the request.
 */
public interface SampleSink {
    /**
     * Adds a float sample. {@code ref} is what the previous append for the same series returned (0 the first time);
     * the sink may use it to skip the label lookup. Returns the ref to pass next time. {@code startTimestampMs} is
     * the sample's start timestamp, 0 for none: when the counter it belongs to started counting, as OTLP's
     * start_time_unix_nano and remote-write 2.0's start timestamp carry it.
     */
    long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value);

    /** Adds a native histogram sample (absolute bucket counts) with its start timestamp; see {@link #append}. */
    long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram);

    /** Adds a float sample without a start timestamp (scrapes, remote-write 1.0, gauges). */
    default long append(long ref, Labels labels, long timestampMs, double value) {
        return append(ref, labels, 0, timestampMs, value);
    }

    /** Adds a native histogram sample without a start timestamp. */
    default long appendHistogram(long ref, Labels labels, long timestampMs, Histogram histogram) {
        return appendHistogram(ref, labels, 0, timestampMs, histogram);
    }

    /**
     * Where a decoder may remember this sink's series refs across requests, or null (the default) when refs are only
     * good within one batch. With a cache, a decoder may pass {@code labels} null with a ref it cached: the sink
     * then appends by ref alone, and throws {@link IllegalArgumentException} if it no longer knows the ref (the
     * decoder forgets it and appends again with the labels).
     */
    default SeriesRefCache seriesRefs() {
        return null;
    }

    /** An exemplar of a series. Ignored by default. */
    default void appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
    }

    /** Metadata of a metric family. Ignored by default. */
    default void metadata(String metricFamilyName, MetricType type, String help, String unit) {
    }
}
