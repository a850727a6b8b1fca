package dev.sightline.ingest;

import dev.sightline.metricstore.Appender;

/**
 * An appender for decoder tests: commit and rollback do nothing (a test looks at what was appended), and {@link #context()} carries the ref cache and metadata a
 * subclass records.
 */
public abstract class TestAppender implements Appender {
    private IngestContext context;

    @Override
    public void commit() {
    }

    @Override
    public void rollback() {
    }

    /** What to hand a decoder with this appender: {@link #seriesRefs()} and {@link #metadata}. Made once. */
    public IngestContext context() {
        if (context == null) {
            context = new IngestContext(seriesRefs(), this::metadata);
        }
        return context;
    }

    /** The ref cache the decoder may use; none by default. */
    public SeriesRefCache seriesRefs() {
        return null;
    }

    /** Metadata of a metric family; ignored by default. */
    public void metadata(String metricFamilyName, MetricType type, String help, String unit) {
    }
}
