package dev.sightline.metricstore;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.util.List;

/**
 * Where exemplars are kept and queried, beside the samples of their series (the {@link Appender} logs them with the
 * samples; this keeps them for queries). The rules, Prometheus's: per series, exemplars are kept in timestamp order;
 * one equal to its series' newest (labels, value bits and timestamp) is a duplicate and dropped silently; one not
 * newer than its series' newest is out of order and dropped; one whose labels exceed 128 characters is dropped. A
 * storage keeps a bounded number and forgets the oldest first. Thread-safe.
 */
public interface ExemplarStorage {
    /** False when this storage keeps nothing (capacity 0): callers may skip collecting exemplars. */
    boolean enabled();

    /** A buffer for one request's exemplars, stored together once the samples they belong to are committed. */
    ExemplarAppender appender();

    /**
     * The exemplars with timestamps in [startMs, endMs] of every series matched by at least one of the matcher sets
     * (each set is ANDed, as a PromQL selector), series sorted by labels, exemplars oldest first; series without
     * exemplars in the range are left out.
     */
    List<ExemplarSeries> select(long startMs, long endMs, List<List<LabelMatcher>> matcherSets);

    /** Keeps nothing: for a storage without exemplars. */
    ExemplarStorage NONE = new ExemplarStorage() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public ExemplarAppender appender() {
            return new ExemplarAppender() {
                @Override
                public void add(Labels seriesLabels, Labels labels, double value, long timestampMs) {
                }

                @Override
                public int commit() {
                    return 0;
                }

                @Override
                public void rollback() {
                }
            };
        }

        @Override
        public List<ExemplarSeries> select(long startMs, long endMs, List<List<LabelMatcher>> matcherSets) {
            return List.of();
        }
    };
}
