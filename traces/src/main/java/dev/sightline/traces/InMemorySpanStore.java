package dev.sightline.traces;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A span store in memory, nothing durable: the contract's reference implementation (every query a scan with
 * {@link SpanCondition#matches}), for tests and for tools that need a store for one run. It passes the same
 * conformance suite as the disk store.
 */
public final class InMemorySpanStore implements SpanStore {
    private final Map<TraceId, List<StoredSpan>> traces = new HashMap<>();

    @Override
    public SpanAppender appender() {
        return new SpanAppender() {
            private final List<StoredSpan> pending = new ArrayList<>();

            @Override
            public void append(SpanResource resource, InstrumentationScope scope, Span span) {
                pending.add(new StoredSpan(resource, scope, span));
            }

            @Override
            public void commit() {
                synchronized (traces) {
                    for (StoredSpan s : pending) {
                        traces.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
                    }
                }
                pending.clear();
            }

            @Override
            public void rollback() {
                pending.clear();
            }
        };
    }

    @Override
    public SpanQuerier querier() {
        return new Querier();
    }

    @Override
    public long delete(List<SpanCondition> conditions, long fromNanos, long toNanos) {
        long deleted = 0;
        synchronized (traces) {
            for (var it = traces.values().iterator(); it.hasNext(); ) {
                List<StoredSpan> spans = it.next();
                int before = spans.size();
                spans.removeIf(s -> Querier.inRange(s, fromNanos, toNanos) && conditions.stream().allMatch(c -> c.matches(s)));
                deleted += before - spans.size();
                if (spans.isEmpty()) {
                    it.remove();
                }
            }
        }
        return deleted;
    }

    @Override
    public void close() {
    }

    private final class Querier implements SpanQuerier {
        @Override
        public List<StoredSpan> trace(TraceId id, long fromNanos, long toNanos) {
            List<StoredSpan> out = new ArrayList<>();
            synchronized (traces) {
                for (StoredSpan s : traces.getOrDefault(id, List.of())) {
                    if (inRange(s, fromNanos, toNanos)) {
                        out.add(s);
                    }
                }
            }
            out.sort(StoredSpan.BY_START);
            return out;
        }

        @Override
        public List<TraceSummary> search(SpanQuery q) {
            Map<TraceId, List<StoredSpan>> matched = new LinkedHashMap<>();
            forEach(q.fromNanos(), q.toNanos(), s -> {
                for (SpanCondition c : q.conditions()) {
                    if (!c.matches(s)) {
                        return;
                    }
                }
                matched.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
            });
            List<TraceSummary> out = new ArrayList<>();
            for (var e : matched.entrySet()) {
                List<StoredSpan> spans = e.getValue();
                spans.sort(StoredSpan.BY_START);
                out.add(summary(e.getKey(), spans, q.spansPerTrace()));
            }
            // Newest first by the earliest matching span; ties by trace id so the order is stable.
            out.sort(Comparator.comparingLong((TraceSummary t) -> -t.matchedSpans().get(0).span().startUnixNano())
                    .thenComparing(TraceSummary::traceId));
            return out.size() > q.traceLimit() ? List.copyOf(out.subList(0, q.traceLimit())) : out;
        }

        private TraceSummary summary(TraceId id, List<StoredSpan> matched, int spansPerTrace) {
            String rootService = "";
            String rootName = "";
            long start = Long.MAX_VALUE;
            long end = Long.MIN_VALUE;
            synchronized (traces) {
                for (StoredSpan s : traces.get(id)) {
                    start = Math.min(start, s.span().startUnixNano());
                    end = Math.max(end, s.span().endUnixNano());
                    if (s.span().isRoot()) {
                        rootService = s.serviceName();
                        rootName = s.span().name();
                    }
                }
            }
            return new TraceSummary(id, rootService, rootName, start, end,
                    matched.subList(0, Math.min(spansPerTrace, matched.size())), matched.size());
        }

        @Override
        public List<String> serviceNames(long fromNanos, long toNanos) {
            TreeSet<String> out = new TreeSet<>();
            forEach(fromNanos, toNanos, s -> out.add(s.serviceName()));
            return List.copyOf(out);
        }

        @Override
        public List<Operation> operations(String serviceName, long fromNanos, long toNanos) {
            TreeSet<Operation> out = new TreeSet<>(Comparator.comparing(Operation::name).thenComparing(Operation::kind));
            forEach(fromNanos, toNanos, s -> {
                if (serviceName.isEmpty() || serviceName.equals(s.serviceName())) {
                    out.add(new Operation(s.span().name(), s.span().kind()));
                }
            });
            return List.copyOf(out);
        }

        @Override
        public List<String> attributeKeys(SpanCondition.Scope scope, long fromNanos, long toNanos) {
            TreeSet<String> out = new TreeSet<>();
            forEach(fromNanos, toNanos, s -> {
                if (scope != SpanCondition.Scope.RESOURCE) {
                    for (int i = 0; i < s.span().attributes().size(); i++) {
                        out.add(s.span().attributes().key(i));
                    }
                }
                if (scope != SpanCondition.Scope.SPAN) {
                    for (int i = 0; i < s.resource().attributes().size(); i++) {
                        out.add(s.resource().attributes().key(i));
                    }
                }
            });
            return List.copyOf(out);
        }

        @Override
        public List<String> attributeValues(SpanCondition.Scope scope, String key, List<SpanCondition> conditions,
                                            long fromNanos, long toNanos, int limit) {
            TreeSet<String> out = new TreeSet<>();
            forEach(fromNanos, toNanos, s -> {
                for (SpanCondition c : conditions) {
                    if (!c.matches(s)) {
                        return;
                    }
                }
                if (scope != SpanCondition.Scope.RESOURCE) {
                    addValue(s.span().attributes(), key, out);
                }
                if (scope != SpanCondition.Scope.SPAN) {
                    addValue(s.resource().attributes(), key, out);
                }
            });
            return out.stream().limit(limit).toList();
        }

        private static void addValue(dev.sightline.core.span.Attributes a, String key, TreeSet<String> out) {
            int i = a.indexOf(key);
            if (i >= 0) {
                out.add(a.valueText(i));
            }
        }

        private void forEach(long fromNanos, long toNanos, Consumer<StoredSpan> action) {
            List<StoredSpan> all = new ArrayList<>();
            synchronized (traces) {
                for (List<StoredSpan> spans : traces.values()) {
                    for (StoredSpan s : spans) {
                        if (inRange(s, fromNanos, toNanos)) {
                            all.add(s);
                        }
                    }
                }
            }
            all.forEach(action);
        }

        private static boolean inRange(StoredSpan s, long fromNanos, long toNanos) {
            long t = s.span().startUnixNano();
            return t >= fromNanos && t <= toNanos;
        }
    }
}
