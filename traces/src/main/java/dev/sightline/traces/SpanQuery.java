package dev.sightline.traces;

import java.util.List;

/**
 * A search: spans starting in {@code [fromNanos, toNanos]} that meet every condition (one span meets them all, as
 * Jaeger's tag search and a TraceQL spanset filter with {@code &&} ask), grouped by trace. {@code spansPerTrace}
 * caps the matched spans returned per trace (Tempo's {@code spss}); {@link TraceSummary#matchedCount()} still
 * counts them all.
 */
public record SpanQuery(long fromNanos, long toNanos, List<SpanCondition> conditions, int traceLimit,
                        int spansPerTrace) {
    public SpanQuery {
        if (fromNanos > toNanos) {
            throw new IllegalArgumentException("search range: start " + fromNanos + " is after end " + toNanos);
        }
        if (traceLimit <= 0 || spansPerTrace <= 0) {
            throw new IllegalArgumentException("search limits must be positive: traces " + traceLimit
                    + ", spans per trace " + spansPerTrace);
        }
        conditions = List.copyOf(conditions);
    }
}
