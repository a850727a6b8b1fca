package dev.sightline.server.tenants;

import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Queryable;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.TraceSummary;

import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A tenant's retention (Mimir's {@code compactor_blocks_retention_period}, Loki's {@code retention_period}, Tempo's
 * {@code block_retention}) over the shared stores: every read of the tenant starts no earlier than now minus its
 * retention, so older series samples, log lines and spans are not returned. What is past it is also deleted, series
 * samples by {@link MetricRetentionSweeper} (hourly), log lines and spans by {@link LogSpanRetentionSweeper} (every
 * ten minutes); until a sweep has run, this cutoff hides them.
 */
final class Retention {
    private static final long NANOS_PER_MS = 1_000_000L;

    private Retention() {
    }

    /** Queriers over [max(mint, now - retention), maxt]; nothing when that is empty. */
    static Queryable metrics(Queryable q, long retentionMs, LongSupplier wallMs) {
        return (mint, maxt) -> {
            long from = Math.max(mint, wallMs.getAsLong() - retentionMs);
            Querier inner = q.querier(Math.min(from, maxt), maxt);
            return new Querier() {
                @Override
                public SeriesSet select(boolean sorted, long start, long end, LabelMatcher... matchers) {
                    long s = Math.max(start, from);
                    return s > end ? SeriesSet.EMPTY : inner.select(sorted, s, end, matchers);
                }

                @Override
                public List<String> labelNames(LabelMatcher... matchers) {
                    return from > maxt ? List.of() : inner.labelNames(matchers);
                }

                @Override
                public List<String> labelValues(String name, LabelMatcher... matchers) {
                    return from > maxt ? List.of() : inner.labelValues(name, matchers);
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        };
    }

    /** The cutoff in unix nanoseconds: reads start no earlier. */
    private static long cutoffNanos(long retentionMs, LongSupplier wallMs) {
        return (wallMs.getAsLong() - retentionMs) * NANOS_PER_MS;
    }

    /** The store with every read starting no earlier than now - retention. */
    static LogStore logs(LogStore store, long retentionMs, LongSupplier wallMs) {
        return new LogStore() {
            @Override
            public LogAppender appender() {
                return store.appender();
            }

            @Override
            public LogQuerier querier() {
                return clamped(store.querier(), retentionMs, wallMs);
            }

            @Override
            public LogQuerier querier(Deadline deadline) {
                return clamped(store.querier(deadline), retentionMs, wallMs);
            }

            @Override
            public long delete(LogSelection selection) throws IOException {
                return store.delete(selection);
            }

            @Override
            public void close() {
                // The shared store outlives every tenant's view of it.
            }
        };
    }

    /** {@code inner} with every read starting no earlier than now - retention. */
    private static LogQuerier clamped(LogQuerier inner, long retentionMs, LongSupplier wallMs) {
        return new LogQuerier() {
            @Override
            public void select(LogSelection s, EntrySink sink) {
                LogSelection c = clamp(s);
                if (c != null) {
                    inner.select(c, sink);
                }
            }

            @Override
            public void samples(LogSelection s, SampleSink sink) {
                LogSelection c = clamp(s);
                if (c != null) {
                    inner.samples(c, sink);
                }
            }

            /** The selection from the cutoff on; null when it ends before. */
            private LogSelection clamp(LogSelection s) {
                long from = Math.max(s.fromNanos(), cutoffNanos(retentionMs, wallMs));
                return from > s.toNanos() ? null : from == s.fromNanos() ? s
                        : new LogSelection(from, s.toNanos(), s.streamMatchers(), s.lineFilters(),
                        s.fieldConditions(), s.direction(), s.limit());
            }

            @Override
            public List<String> labelNames(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
                long from = Math.max(fromNanos, cutoffNanos(retentionMs, wallMs));
                return from > toNanos ? List.of() : inner.labelNames(from, toNanos, matchers);
            }

            @Override
            public List<String> labelValues(String name, long fromNanos, long toNanos, List<LabelMatcher> matchers) {
                long from = Math.max(fromNanos, cutoffNanos(retentionMs, wallMs));
                return from > toNanos ? List.of() : inner.labelValues(name, from, toNanos, matchers);
            }

            @Override
            public List<Labels> series(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
                long from = Math.max(fromNanos, cutoffNanos(retentionMs, wallMs));
                return from > toNanos ? List.of() : inner.series(from, toNanos, matchers);
            }

            @Override
            public Stats stats(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
                long from = Math.max(fromNanos, cutoffNanos(retentionMs, wallMs));
                return from > toNanos ? new Stats(0, 0, 0, 0) : inner.stats(from, toNanos, matchers);
            }
        };
    }

    /** The store with every read starting no earlier than now - retention. */
    static SpanStore spans(SpanStore store, long retentionMs, LongSupplier wallMs) {
        return new SpanStore() {
            @Override
            public SpanAppender appender() {
                return store.appender();
            }

            @Override
            public SpanQuerier querier() {
                SpanQuerier inner = store.querier();
                return new SpanQuerier() {
                    private long from(long fromNanos) {
                        return Math.max(fromNanos, cutoffNanos(retentionMs, wallMs));
                    }

                    @Override
                    public List<StoredSpan> trace(TraceId id, long fromNanos, long toNanos) {
                        long from = from(fromNanos);
                        return from > toNanos ? List.of() : inner.trace(id, from, toNanos);
                    }

                    @Override
                    public List<TraceSummary> search(SpanQuery q) {
                        long from = from(q.fromNanos());
                        return from > q.toNanos() ? List.of() : inner.search(new SpanQuery(from, q.toNanos(),
                                q.conditions(), q.traceLimit(), q.spansPerTrace()));
                    }

                    @Override
                    public List<String> serviceNames(long fromNanos, long toNanos) {
                        long from = from(fromNanos);
                        return from > toNanos ? List.of() : inner.serviceNames(from, toNanos);
                    }

                    @Override
                    public List<Operation> operations(String serviceName, long fromNanos, long toNanos) {
                        long from = from(fromNanos);
                        return from > toNanos ? List.of() : inner.operations(serviceName, from, toNanos);
                    }

                    @Override
                    public List<String> attributeKeys(SpanCondition.Scope scope, long fromNanos, long toNanos) {
                        long from = from(fromNanos);
                        return from > toNanos ? List.of() : inner.attributeKeys(scope, from, toNanos);
                    }

                    @Override
                    public List<String> attributeValues(SpanCondition.Scope scope, String key, List<SpanCondition> conditions,
                                                        long fromNanos, long toNanos, int limit) {
                        long from = from(fromNanos);
                        return from > toNanos ? List.of()
                                : inner.attributeValues(scope, key, conditions, from, toNanos, limit);
                    }
                };
            }

            @Override
            public long delete(List<SpanCondition> conditions, long fromNanos, long toNanos) throws IOException {
                return store.delete(conditions, fromNanos, toNanos);
            }

            @Override
            public void close() {
                // The shared store outlives every tenant's view of it.
            }
        };
    }
}
