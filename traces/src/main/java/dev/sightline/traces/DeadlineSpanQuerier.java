package dev.sightline.traces;

import dev.sightline.core.Deadline;

import java.util.List;

/**
 * A querier that checks a {@link Deadline} before every read and throws {@link Deadline.Exceeded} once it has
 * expired. TraceQL evaluates candidate traces one fetch at a time, so a query over many traces stops within one
 * fetch of its time being up, and frees its thread; nothing is interrupted (a Lucene index must not be).
 */
public final class DeadlineSpanQuerier implements SpanQuerier {
    private final SpanQuerier delegate;
    private final Deadline deadline;

    public DeadlineSpanQuerier(SpanQuerier delegate, Deadline deadline) {
        this.delegate = delegate;
        this.deadline = deadline;
    }

    @Override
    public List<StoredSpan> trace(TraceId id, long fromNanos, long toNanos) {
        deadline.check();
        return delegate.trace(id, fromNanos, toNanos);
    }

    @Override
    public List<TraceSummary> search(SpanQuery query) {
        deadline.check();
        return delegate.search(query);
    }

    @Override
    public List<String> serviceNames(long fromNanos, long toNanos) {
        deadline.check();
        return delegate.serviceNames(fromNanos, toNanos);
    }

    @Override
    public List<Operation> operations(String serviceName, long fromNanos, long toNanos) {
        deadline.check();
        return delegate.operations(serviceName, fromNanos, toNanos);
    }

    @Override
    public List<String> attributeKeys(SpanCondition.Scope scope, long fromNanos, long toNanos) {
        deadline.check();
        return delegate.attributeKeys(scope, fromNanos, toNanos);
    }

    @Override
    public List<String> attributeValues(SpanCondition.Scope scope, String key, List<SpanCondition> conditions,
                                        long fromNanos, long toNanos, int limit) {
        deadline.check();
        return delegate.attributeValues(scope, key, conditions, fromNanos, toNanos, limit);
    }
}
