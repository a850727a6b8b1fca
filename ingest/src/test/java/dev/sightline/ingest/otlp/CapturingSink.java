package dev.sightline.ingest.otlp;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.TestAppender;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Records what the translator appends, so tests can look series up by their text form. */
class CapturingSink extends TestAppender {
    /** {@code st}: the start timestamp, 0 for none. */
    record Sample(Labels labels, long st, long t, double v, Histogram h) {
    }

    record Ex(Labels series, Labels labels, long t, double v) {
    }

    final List<Sample> samples = new ArrayList<>();
    final List<Ex> exemplars = new ArrayList<>();
    final Map<String, MetricType> types = new TreeMap<>();

    @Override
    public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
        samples.add(new Sample(labels, startTimestampMs, timestampMs, value, null));
        return samples.size();
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
        samples.add(new Sample(labels, startTimestampMs, timestampMs, Double.NaN, histogram));
        return samples.size();
    }

    @Override
    public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
        exemplars.add(new Ex(series, exemplarLabels, timestampMs, value));
        return true;
    }

    @Override
    public void metadata(String metricFamilyName, MetricType type, String help, String unit) {
        types.put(metricFamilyName, type);
    }

    /** The last value appended for the series printed as {@code name{a="b", ...}}. */
    double value(String series) {
        return last(series).v();
    }

    Sample last(String series) {
        for (int i = samples.size() - 1; i >= 0; i--) {
            if (samples.get(i).labels().toString().equals(series)) {
                return samples.get(i);
            }
        }
        throw new AssertionError("no series " + series + " in " + seriesNames());
    }

    List<String> seriesNames() {
        return samples.stream().map(s -> s.labels().toString()).distinct().sorted().toList();
    }
}
