package dev.sightline.metricstore;

import dev.sightline.core.Labels;

/** One selected series: its labels and a way to walk its samples within the querier's time range. */
public interface Series {
    Labels labels();

    /** An iterator over the samples; {@code reuse} (may be null) is an earlier iterator the implementation may recycle. */
    SampleIterator iterator(SampleIterator reuse);
}
