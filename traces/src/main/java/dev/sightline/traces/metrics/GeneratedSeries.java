package dev.sightline.traces.metrics;

import dev.sightline.core.Labels;

import java.util.Arrays;
import java.util.List;

/**
 * What the series of both processors share: when they were created and last updated, and the zero they start from.
 * A new series writes its zero (at its creation, before its first collection) so that the first collection's counts
 * show as an increase: a counter that appears already counting loses its first increment to rate().
 */
abstract class GeneratedSeries {
    private final long createdMs;
    long updatedMs;
    private boolean started;

    GeneratedSeries(long createdMs) {
        this.createdMs = createdMs;
        this.updatedMs = createdMs;
    }

    /**
     * The label names of a processor's series: its own, then each dimension's attribute as a label name. Values
     * are looked up in the same order.
     */
    static String[] labelNames(List<String> dimensions, String... fixed) {
        String[] names = Arrays.copyOf(fixed, fixed.length + dimensions.size());
        for (int i = 0; i < dimensions.size(); i++) {
            names[fixed.length + i] = GeneratorConfig.labelName(dimensions.get(i));
        }
        return names;
    }

    /** The labels of one series (absent values, null or "", leave their label out), to add the metric name to. */
    static Labels.Builder labels(String[] names, String[] values) {
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < values.length; i++) {
            b.set(names[i], values[i]);
        }
        return b;
    }

    /** Writes the zero of every output series at {@code timestampMs}. */
    abstract void writeStart(SampleWriter w, long timestampMs);

    /** Writes the cumulative values at {@code timestampMs}. */
    abstract void write(SampleWriter w, long timestampMs);

    final void collect(SampleWriter w, long timestampMs) {
        if (!started) {
            writeStart(w, Math.min(createdMs, timestampMs - 1));
            started = true;
        }
        write(w, timestampMs);
    }

    /** One counter output series: its labels, the storage's ref, its count. */
    static final class Counter {
        final Labels labels;
        long ref;
        long value;

        Counter(Labels labels) {
            this.labels = labels;
        }

        void writeZero(SampleWriter w, long timestampMs) {
            ref = w.sample(ref, labels, timestampMs, 0);
        }

        void write(SampleWriter w, long timestampMs) {
            ref = w.sample(ref, labels, timestampMs, value);
        }
    }
}
