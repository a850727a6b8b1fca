package dev.sightline.ingest;

/**
 * What a decoder needs besides the storage {@code Appender} it writes a request's samples and exemplars to: where it
 * may remember series refs across requests, and where metric metadata goes. One per receiver (or request); the
 * stores it points at are shared and thread-safe.
 *
 * @param seriesRefs where a decoder may remember the appender's series refs across requests, or null when refs are
 *                   only good within one batch. With a cache, a decoder may append with a cached ref and null labels:
 *                   the appender then appends by ref alone, and throws IllegalArgumentException if it no longer
 *                   knows the ref (the decoder forgets it and appends again with the labels)
 * @param metadata   where a metric family's type, help and unit go
 */
public record IngestContext(SeriesRefCache seriesRefs, Metadata metadata) {
    /** No ref cache, metadata dropped. */
    public static final IngestContext NONE = new IngestContext(null, (family, type, help, unit) -> {
    });

    public IngestContext {
        if (metadata == null) {
            throw new IllegalArgumentException("metadata is required (IngestContext.NONE drops it)");
        }
    }

    /** Receives the metadata of a metric family. */
    @FunctionalInterface
    public interface Metadata {
        void put(String metricFamilyName, MetricType type, String help, String unit);
    }

    /** Passes a metric family's metadata on. */
    public void metadata(String metricFamilyName, MetricType type, String help, String unit) {
        metadata.put(metricFamilyName, type, help, unit);
    }
}
