package dev.sightline.metricstore;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;

import java.io.IOException;

/**
 * Collects a batch of samples and makes them durable together on {@link #commit()}. The rules every storage keeps
 * (checked by the appender conformance suite), as Prometheus does:
 * <ul>
 * <li>Visibility: nothing of a batch is visible to queries before commit, and nothing after {@link #rollback()}.</li>
 * <li>Refusal: a refused sample throws {@link ValidationException} from append and leaves the rest of the batch
 * untouched, so a receiver can keep the valid samples of a request.</li>
 * <li>Order, per series: a sample older than the series' newest (stored or pending in this batch) is refused as
 * OUT_OF_ORDER_SAMPLE; with an out-of-order window configured, one at most that much older is accepted and merged in
 * timestamp order, an older one refused as TOO_OLD_SAMPLE.</li>
 * <li>Duplicates: a sample at the newest timestamp with the same value (bits for floats, equal histograms) is dropped
 * silently; with another value it is refused as DUPLICATE_SAMPLE_FOR_TIMESTAMP. The start timestamp plays no part.</li>
 * <li>Start timestamps and native histograms round-trip as appended (histogram counter-reset hints may be
 * recomputed).</li>
 * </ul>
 * An appender is used by one thread and can take a new batch after commit or rollback.
 */
public interface Appender {
    /**
     * Adds a float sample with its start timestamp ({@code startTimestampMs}, 0 for none; see
     * {@link SampleIterator#startTimestamp()}). {@code ref} is the value returned by an earlier append for the same
     * series (by any appender of the same storage), or 0. With a known ref the labels may be null; an unknown ref
     * without labels throws IllegalArgumentException (the storage may have dropped the series: append again with the
     * labels). Returns the series' non-zero ref to pass next time. A storage that cannot keep start timestamps
     * refuses a non-zero one (UnsupportedOperationException) rather than dropping it unseen.
     */
    long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value);

    /** Adds a native histogram sample with its start timestamp; see {@link #append(long, Labels, long, long, double)}. */
    long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram);

    /** Adds a float sample without a start timestamp; see {@link #append(long, Labels, long, long, double)}. */
    default long append(long ref, Labels labels, long timestampMs, double value) {
        return append(ref, labels, 0, timestampMs, value);
    }

    /** Adds a native histogram sample without a start timestamp. */
    default long appendHistogram(long ref, Labels labels, long timestampMs, Histogram histogram) {
        return appendHistogram(ref, labels, 0, timestampMs, histogram);
    }

    /**
     * A hint that the batch is about to append to the series {@code refs[0..n)} (refs from earlier appends; 0s are
     * skipped): a storage may look them all up now, back to back, so that their memory misses overlap rather than
     * stall each append in turn. Changes nothing a later call sees; the default ignores it.
     */
    default void prefetch(long[] refs, int n) {
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
     * Makes the batch durable and visible to queries, returning once it is durable. A storage with a write-ahead log
     * may show it to queries while the log's fsync is still running; if commit then throws an IOException, the samples
     * may stay visible without being durable, and sending the batch again makes them durable.
     * The samples are checked again against what other batches committed since they were appended.
     *
     * @throws ValidationException when another batch committed a sample of the same series in between,
     *                             OUT_OF_ORDER_SAMPLE or DUPLICATE_SAMPLE_FOR_TIMESTAMP for the samples that made so
     *                             (the rest is stored; the message gives both counts); a storage that persists its
     *                             recent data may also refuse the whole batch as TOO_OLD_SAMPLE when it persisted past
     *                             a sample of the batch after it was appended (nothing is stored)
     */
    void commit() throws IOException;

    /** Drops the batch: none of it becomes visible, and none of it counts for the order and duplicate rules. */
    void rollback();
}
