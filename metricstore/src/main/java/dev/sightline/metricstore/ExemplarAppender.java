package dev.sightline.metricstore;

import dev.sightline.core.Labels;

/**
 * One request's exemplars, held back until {@link #commit()}: none is visible to queries before, and none after
 * {@link #rollback()}. Used by one thread; reusable after commit or rollback.
 */
public interface ExemplarAppender {
    /** Adds an exemplar of the series {@code seriesLabels}; its rules are checked at commit. */
    void add(Labels seriesLabels, Labels labels, double value, long timestampMs);

    /** Stores the exemplars added since the last commit or rollback; returns how many were kept by the rules. */
    int commit();

    /** Drops the exemplars added since the last commit or rollback. */
    void rollback();
}
