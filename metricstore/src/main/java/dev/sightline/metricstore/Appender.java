package dev.sightline.metricstore;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;

import java.io.IOException;

/**
 * Collects a batch of samples and makes them durable together on {@link #commit()}. A refused sample throws
 * {@link ValidationException} from append and leaves the rest of the batch untouched, so a receiver can keep the
 * valid samples of a request. An appender is used by one thread and is done after commit or rollback.
 */
public interface Appender {
    /**
     * Adds a float sample. {@code ref} is the value returned by an earlier append for the same series, or 0; the
     * labels are used when the ref is unknown. Returns the series ref to pass next time.
     */
    long append(long ref, Labels labels, long timestampMs, double value);

    /** Adds a native histogram sample; see {@link #append}. */
    long appendHistogram(long ref, Labels labels, long timestampMs, Histogram histogram);

    /**
     * Adds a float sample with its start timestamp ({@code startTimestampMs}, 0 for none; see
     * {@link SampleIterator#startTimestamp()}). A storage that cannot keep start timestamps refuses a non-zero one
     * rather than dropping it unseen.
     */
    default long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
        if (startTimestampMs != 0) {
            throw new UnsupportedOperationException(getClass().getName() + " does not keep start timestamps");
        }
        return append(ref, labels, timestampMs, value);
    }

    /** Adds a native histogram sample with its start timestamp; see {@link #append(long, Labels, long, long, double)}. */
    default long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
        if (startTimestampMs != 0) {
            throw new UnsupportedOperationException(getClass().getName() + " does not keep start timestamps");
        }
        return appendHistogram(ref, labels, timestampMs, histogram);
    }

    /**
     * Adds an exemplar of a series (by {@code ref} from an earlier append, or by labels) to be logged with the batch,
     * so that the commit's acknowledgement covers it. Returns false when the storage does not know the series (none
     * of its samples was ever appended): such an exemplar is dropped, as Prometheus does. A storage without a
     * write-ahead log keeps nothing and returns true.
     */
    default boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
        return true;
    }

    /**
     * Writes the batch to the WAL (and fsyncs, per the configured policy) and then makes it visible to queries.
     *
     * @throws ValidationException TOO_OLD_SAMPLE when the head was persisted past a sample of the batch after it was
     *                             appended (nothing is stored); or, when another batch committed a sample of the same
     *                             series in between, OUT_OF_ORDER_SAMPLE or DUPLICATE_SAMPLE_FOR_TIMESTAMP for the
     *                             samples that made so (the rest is stored; the message gives both counts)
     */
    void commit() throws IOException;

    /** Drops the batch. */
    void rollback();
}
