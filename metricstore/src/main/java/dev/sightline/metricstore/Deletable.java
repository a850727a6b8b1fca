package dev.sightline.metricstore;

import dev.sightline.core.LabelMatcher;

import java.io.IOException;

/**
 * A storage that deletes samples, as Prometheus's TSDB does behind its admin API (delete_series, clean_tombstones):
 * a delete hides the samples from every later read at once and durably, and the space they take is reclaimed when the
 * storage rewrites what holds them (its compaction, or {@link #cleanTombstones}). Implementations pass the
 * DeleteConformanceTest of this module's test-jar.
 */
public interface Deletable {
    /**
     * Deletes the stored samples in [mint, maxt] (milliseconds, both inclusive) of every series matching all
     * {@code matchers}. On return the delete is as durable as an acknowledged append, and no querier opened afterwards
     * returns those samples; a series whose samples are all deleted is not listed by select, labelNames or
     * labelValues. As for select, at least one matcher must not match the empty string; that and mint after maxt are
     * refused with IllegalArgumentException.
     */
    void deleteSeries(long mint, long maxt, LabelMatcher... matchers) throws IOException;

    /** Rewrites what holds deleted samples without them, reclaiming their space; what reads return is unchanged. */
    void cleanTombstones() throws IOException;
}
