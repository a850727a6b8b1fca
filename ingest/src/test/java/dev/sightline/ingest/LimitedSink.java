package dev.sightline.ingest;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;

/**
 * A sink that admits each new series (ref 0) through a {@link SeriesLimiter} before passing the sample on, as the
 * server's ingest guards do in front of storage: decoder tests see the limit's refusals come from the sink.
 */
public final class LimitedSink implements SampleSink {
    private final SampleSink sink;
    private final SeriesLimiter limiter;

    public LimitedSink(SampleSink sink, int maxSeriesPerMetric) {
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
    public SeriesRefCache seriesRefs() {
        return sink.seriesRefs();
    }

    @Override
    public void appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
        sink.appendExemplar(ref, series, exemplarLabels, timestampMs, value);
    }

    @Override
    public void metadata(String metricFamilyName, MetricType type, String help, String unit) {
        sink.metadata(metricFamilyName, type, help, unit);
    }
}
