package dev.sightline.traces;

import java.util.List;

/**
 * One trace found by a search, in the shape Tempo's search and Jaeger's list answer with: the root span's service
 * and name ("" when the root span is not stored, as for a trace still arriving), the trace's first start and last
 * end over all its stored spans, and its spans that matched (at most the query's spans per trace, earliest first).
 */
public record TraceSummary(TraceId traceId, String rootServiceName, String rootSpanName, long startNanos,
                           long endNanos, List<StoredSpan> matchedSpans, int matchedCount) {
    public TraceSummary {
        matchedSpans = List.copyOf(matchedSpans);
    }

    public long durationNanos() {
        return endNanos - startNanos;
    }
}
