package dev.sightline.traces;

import dev.sightline.core.TenantScope;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One tenant's share of a span store shared by several, as Tempo's X-Scope-OrgID gives: every span's resource gets the
 * reserved attribute {@value TenantScope#LABEL} set to the tenant (replacing any the sender set), every search and
 * value listing gets the condition {@code resource.__tenant__ = "<id>"}, a trace by id keeps only the tenant's spans,
 * and the attribute is stripped from what comes back. To the tenant the attribute does not exist: a condition of its
 * own on it matches nothing, as TraceQL's comparisons with a missing attribute do. A view owns nothing.
 */
public final class TenantSpanView {
    private TenantSpanView() {
    }

    /** The tenant's view of {@code store}. */
    public static SpanStore store(SpanStore store, String tenant) {
        String id = TenantScope.validate(tenant);
        SpanCondition own = SpanCondition.attribute(SpanCondition.Scope.RESOURCE, TenantScope.LABEL, SpanCondition.Op.EQ, id);
        return new SpanStore() {
            @Override
            public SpanAppender appender() {
                SpanAppender inner = store.appender();
                return new SpanAppender() {
                    // The spans of one resource come together: tag each resource once, not per span.
                    private SpanResource last;
                    private SpanResource tagged;

                    @Override
                    public void append(SpanResource resource, InstrumentationScope scope, Span span) {
                        if (resource != last) {
                            last = resource;
                            tagged = new SpanResource(resource.attributes().withString(TenantScope.LABEL, id),
                                    resource.droppedAttributesCount(), resource.schemaUrl());
                        }
                        inner.append(tagged, scope, span);
                    }

                    @Override
                    public void commit() throws IOException {
                        inner.commit();
                    }

                    @Override
                    public void rollback() {
                        inner.rollback();
                    }
                };
            }

            @Override
            public SpanQuerier querier() {
                return new Querier(store.querier(), id, own);
            }

            @Override
            public long delete(List<SpanCondition> conditions, long fromNanos, long toNanos) throws IOException {
                List<SpanCondition> c = Querier.scoped(conditions, own);
                return c == null ? 0 : store.delete(c, fromNanos, toNanos);
            }

            @Override
            public void close() {
                // The shared store outlives every tenant's view of it.
            }
        };
    }

    private record Querier(SpanQuerier inner, String tenant, SpanCondition own) implements SpanQuerier {
        private static boolean namesTenant(List<SpanCondition> conditions) {
            for (SpanCondition c : conditions) {
                if (c.target() == SpanCondition.Target.ATTRIBUTE && c.key().equals(TenantScope.LABEL)) {
                    return true;
                }
            }
            return false;
        }

        /** The caller's conditions and the tenant's; null when one of the caller's is on the reserved attribute. */
        private List<SpanCondition> scoped(List<SpanCondition> conditions) {
            return scoped(conditions, own);
        }

        static List<SpanCondition> scoped(List<SpanCondition> conditions, SpanCondition own) {
            if (namesTenant(conditions)) {
                return null;
            }
            List<SpanCondition> out = new ArrayList<>(conditions);
            out.add(own);
            return out;
        }

        private boolean owns(StoredSpan s) {
            int i = s.resource().attributes().indexOf(TenantScope.LABEL);
            return i >= 0 && tenant.equals(s.resource().attributes().valueText(i));
        }

        /** The span as the tenant sees it. */
        private static StoredSpan strip(StoredSpan s) {
            SpanResource r = s.resource();
            return new StoredSpan(new SpanResource(r.attributes().without(TenantScope.LABEL), r.droppedAttributesCount(),
                    r.schemaUrl()), s.scope(), s.span());
        }

        @Override
        public List<StoredSpan> trace(TraceId id, long fromNanos, long toNanos) {
            List<StoredSpan> out = new ArrayList<>();
            for (StoredSpan s : inner.trace(id, fromNanos, toNanos)) {
                if (owns(s)) {
                    out.add(strip(s));
                }
            }
            return out;
        }

        @Override
        public List<TraceSummary> search(SpanQuery query) {
            List<SpanCondition> c = scoped(query.conditions());
            if (c == null) {
                return List.of();
            }
            List<TraceSummary> found = inner.search(new SpanQuery(query.fromNanos(), query.toNanos(), c,
                    query.traceLimit(), query.spansPerTrace()));
            List<TraceSummary> out = new ArrayList<>(found.size());
            for (TraceSummary t : found) {
                out.add(own(t));
            }
            return out;
        }

        /**
         * The summary as the tenant's spans alone make it: the store's root, start and end are over every span stored
         * under the trace id, and another tenant may have written some under the same id. Reads the trace (one
         * lookup by id per trace found).
         */
        private TraceSummary own(TraceSummary t) {
            List<StoredSpan> matched = new ArrayList<>(t.matchedSpans().size());
            for (StoredSpan s : t.matchedSpans()) {
                matched.add(strip(s));
            }
            StoredSpan root = null;
            long start = Long.MAX_VALUE;
            long end = Long.MIN_VALUE;
            for (StoredSpan s : inner.trace(t.traceId(), Long.MIN_VALUE, Long.MAX_VALUE)) {
                if (owns(s)) {
                    start = Math.min(start, s.span().startUnixNano());
                    end = Math.max(end, s.span().endUnixNano());
                    if (s.span().isRoot() && (root == null || s.span().startUnixNano() < root.span().startUnixNano())) {
                        root = s;
                    }
                }
            }
            if (start == Long.MAX_VALUE) { // removed since the search: keep what the search saw
                start = t.startNanos();
                end = t.endNanos();
            }
            return new TraceSummary(t.traceId(), root == null ? "" : root.serviceName(),
                    root == null ? "" : root.span().name(), start, end, matched, t.matchedCount());
        }

        @Override
        public List<String> serviceNames(long fromNanos, long toNanos) {
            List<String> names = inner.attributeValues(SpanCondition.Scope.RESOURCE, "service.name", List.of(own),
                    fromNanos, toNanos, Integer.MAX_VALUE);
            // Spans without a service name list as "": read the tenant's spans only when the store has such spans.
            if (names.contains("") || !inner.serviceNames(fromNanos, toNanos).contains("")) {
                return names;
            }
            boolean[] unnamed = new boolean[1];
            eachSpan(List.of(), fromNanos, toNanos, sp -> unnamed[0] |= sp.resource().serviceName().isEmpty());
            if (!unnamed[0]) {
                return names;
            }
            List<String> out = new ArrayList<>(names.size() + 1);
            out.add("");
            out.addAll(names);
            return out;
        }

        /**
         * The store lists operations and keys over every tenant, so the view reads them from the tenant's own spans:
         * every span of every trace of the tenant in the range, which costs what reading those traces costs.
         */
        private void eachSpan(List<SpanCondition> conditions, long fromNanos, long toNanos, Consumer<StoredSpan> action) {
            List<SpanCondition> c = new ArrayList<>(conditions);
            c.add(own);
            for (TraceSummary t : inner.search(new SpanQuery(fromNanos, toNanos, c, Integer.MAX_VALUE, 1))) {
                for (StoredSpan s : inner.trace(t.traceId(), fromNanos, toNanos)) {
                    long start = s.span().startUnixNano();
                    if (owns(s) && start >= fromNanos && start <= toNanos) {
                        action.accept(s);
                    }
                }
            }
        }

        @Override
        public List<Operation> operations(String serviceName, long fromNanos, long toNanos) {
            List<SpanCondition> service = serviceName.isEmpty() ? List.of() : List.of(SpanCondition.service(serviceName));
            TreeSet<Operation> ops = new TreeSet<>(Comparator.comparing(Operation::name).thenComparing(Operation::kind));
            eachSpan(service, fromNanos, toNanos, s -> {
                if (serviceName.isEmpty() || serviceName.equals(s.resource().serviceName())) {
                    ops.add(new Operation(s.span().name(), s.span().kind()));
                }
            });
            return new ArrayList<>(ops);
        }

        @Override
        public List<String> attributeKeys(SpanCondition.Scope scope, long fromNanos, long toNanos) {
            TreeSet<String> keys = new TreeSet<>();
            eachSpan(List.of(), fromNanos, toNanos, s -> {
                if (scope != SpanCondition.Scope.SPAN) {
                    for (int i = 0; i < s.resource().attributes().size(); i++) {
                        keys.add(s.resource().attributes().key(i));
                    }
                }
                if (scope != SpanCondition.Scope.RESOURCE) {
                    for (int i = 0; i < s.span().attributes().size(); i++) {
                        keys.add(s.span().attributes().key(i));
                    }
                }
            });
            keys.remove(TenantScope.LABEL);
            return new ArrayList<>(keys);
        }

        @Override
        public List<String> attributeValues(SpanCondition.Scope scope, String key, List<SpanCondition> conditions,
                                            long fromNanos, long toNanos, int limit) {
            List<SpanCondition> c = scoped(conditions);
            return c == null || key.equals(TenantScope.LABEL) ? List.of()
                    : inner.attributeValues(scope, key, c, fromNanos, toNanos, limit);
        }
    }
}
