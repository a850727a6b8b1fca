package dev.sightline.synthetics.canary;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps what the canaries commit, for tests that look at the samples without a storage. */
public final class RecordingAppender {
    /** One committed sample. */
    public record Sample(Labels labels, long timestampMs, double value) {
    }

    private final List<Sample> committed = new ArrayList<>();

    /** A fresh appender whose commit adds its batch to what this records. */
    public Appender appender() {
        List<Sample> batch = new ArrayList<>();
        return new Appender() {
            @Override
            public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
                batch.add(new Sample(labels, timestampMs, value));
                return 1;
            }

            @Override
            public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram h) {
                throw new UnsupportedOperationException("canaries write no histograms");
            }

            @Override
            public void commit() {
                synchronized (RecordingAppender.this) {
                    committed.addAll(batch);
                }
                batch.clear();
            }

            @Override
            public void rollback() {
                batch.clear();
            }
        };
    }

    /** The committed samples of a metric whose labels contain all {@code labelPairs}, oldest first. */
    public synchronized List<Sample> samples(String metric, String... labelPairs) {
        Predicate<Labels> match = l -> {
            if (!metric.equals(l.get(Labels.METRIC_NAME))) {
                return false;
            }
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(l.get(labelPairs[i]))) {
                    return false;
                }
            }
            return true;
        };
        return committed.stream().filter(s -> match.test(s.labels())).toList();
    }

    /** The newest committed sample of such a series, or null. */
    public Sample last(String metric, String... labelPairs) {
        List<Sample> s = samples(metric, labelPairs);
        return s.isEmpty() ? null : s.get(s.size() - 1);
    }
}
