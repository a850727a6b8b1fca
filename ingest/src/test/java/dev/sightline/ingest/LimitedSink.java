package dev.sightline.ingest;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;

/**
 * An appender that admits each new series (ref 0) through a {@link SeriesLimiter} before passing the sample on, as
 * the server's ingest guards do in front of storage: decoder tests see the limit's refusals come from the appender.
 */
public final class LimitedSink extends TestAppender {
    private final TestAppender sink;
    private final SeriesLimiter limiter;

    public LimitedSink(TestAppender sink, int maxSeriesPerMetric) {
        this.sink = sink;
        this.limiter = new SeriesLimiter(maxSeriesPerMetric);
    }

    @Override
    public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
        if (ref == 0) {
            limiter.admit(labels);
        }
        return sink.append(ref, labels, startTimestampMs, timestampMs, value);
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
        if (ref == 0) {
            limiter.admit(labels);
        }
        return sink.appendHistogram(ref, labels, startTimestampMs, timestampMs, histogram);
    }

    @Override
    public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
        return sink.appendExemplar(ref, series, exemplarLabels, timestampMs, value);
    }

    @Override
    public IngestContext context() {
        return sink.context();
    }
}
