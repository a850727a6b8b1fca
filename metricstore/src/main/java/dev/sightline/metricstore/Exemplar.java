package dev.sightline.metricstore;

import dev.sightline.core.Labels;

/** One exemplar: its own labels (typically {@code trace_id}), the exact observed value and when it was observed. */
public record Exemplar(Labels labels, double value, long timestampMs) {
    /** Equal as Prometheus compares exemplars: same labels, timestamp and value bits (NaN equals NaN). */
    public boolean sameAs(Labels otherLabels, double otherValue, long otherTimestampMs) {
        return timestampMs == otherTimestampMs
                && Double.doubleToLongBits(value) == Double.doubleToLongBits(otherValue)
                && labels.equals(otherLabels);
    }
}
