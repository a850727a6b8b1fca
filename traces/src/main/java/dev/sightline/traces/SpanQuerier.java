package dev.sightline.traces;

import java.util.List;

/**
 * Reads a span store. Times are unix nanoseconds, ranges inclusive at both ends; a span is in a range when its
 * start time is. {@code Long.MIN_VALUE, Long.MAX_VALUE} asks for everything kept.
 */
public interface SpanQuerier {
    /**
     * Every span of the trace that starts in the range, ordered by start time then span id; empty when none. The
     * range only narrows which partitions are read (Tempo's and Jaeger's start/end hints); spans are never cut
     * from a trace for another reason.
     */
    List<StoredSpan> trace(TraceId id, long fromNanos, long toNanos);

    /**
     * Traces with at least one span, starting in the query's range, that meets every condition of the query;
     * newest trace first (by the start of its earliest matching span), at most {@link SpanQuery#traceLimit()}.
     */
    List<TraceSummary> search(SpanQuery query);

    /** The distinct {@code service.name} values of spans in the range, sorted. */
    List<String> serviceNames(long fromNanos, long toNanos);

    /** The distinct span name and kind pairs of one service's spans in the range (all services for ""), sorted. */
    List<Operation> operations(String serviceName, long fromNanos, long toNanos);

    /** The distinct attribute keys of the scope ({@code ANY}: span and resource both) in the range, sorted. */
    List<String> attributeKeys(SpanCondition.Scope scope, long fromNanos, long toNanos);

    /**
     * The distinct values (as text: {@code Attributes.valueText}) of one attribute key in the scope, among spans in
     * the range meeting every condition given (none: all spans), sorted, at most {@code limit}.
     */
    List<String> attributeValues(SpanCondition.Scope scope, String key, List<SpanCondition> conditions,
                                 long fromNanos, long toNanos, int limit);

    /** A span name and kind, as Jaeger's operations endpoint lists them. */
    record Operation(String name, dev.sightline.core.span.SpanKind kind) {
    }
}
