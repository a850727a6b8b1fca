package dev.sightline.logs.logql;

import dev.sightline.logs.LogSelection;

/**
 * Runs LogQL over a log store, the contract between the query language and what serves it (Loki's HTTP API, log
 * rules). Times are unix nanoseconds. A query that does not parse, names something not implemented or cannot run
 * throws {@link LogQlException} with a message for the user.
 */
public interface LogQlEngine {
    /**
     * A query at one time, as {@code /loki/api/v1/query}: a log query gives the newest (backward) or oldest
     * (forward) {@code limit} lines up to {@code timeNanos}; a metric query gives a vector or a scalar.
     */
    LogQlResult instant(String query, long timeNanos, LogSelection.Direction direction, int limit);

    /**
     * A query over {@code [startNanos, endNanos]}, as {@code /loki/api/v1/query_range}: a log query gives up to
     * {@code limit} lines in the range in {@code direction}'s order, grouped into streams; a metric query gives a
     * matrix evaluated every {@code stepNanos} from the start.
     */
    LogQlResult range(String query, long startNanos, long endNanos, long stepNanos,
                      LogSelection.Direction direction, int limit);
}
