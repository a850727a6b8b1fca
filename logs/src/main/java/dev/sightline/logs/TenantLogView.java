package dev.sightline.logs;

import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.TenantScope;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One tenant's share of a log store shared by several, as Loki's X-Scope-OrgID gives: every stream appended is tagged
 * with the reserved stream label, and every selection, label, series and stats lookup scoped, as {@link TenantScope}
 * says, so no stream selector or regex reaches another tenant's lines. A view owns nothing: closing it closes nothing.
 */
public final class TenantLogView {
    private TenantLogView() {
    }

    /** The tenant's view of {@code store}. */
    public static LogStore store(LogStore store, String tenant) {
        TenantScope scope = new TenantScope(tenant);
        return new LogStore() {
            @Override
            public LogAppender appender() {
                LogAppender inner = store.appender();
                return LogAppenders.around(inner, (stream, t, line, metadata) -> inner.append(scope.tag(stream), t, line, metadata));
            }

            @Override
            public LogQuerier querier() {
                return new Querier(store.querier(), scope);
            }

            @Override
            public long delete(LogSelection selection) throws IOException {
                LogSelection s = Querier.scoped(scope, selection);
                return s == null ? 0 : store.delete(s);
            }

            @Override
            public LogQuerier querier(Deadline deadline) {
                return new Querier(store.querier(deadline), scope);
            }

            @Override
            public void close() {
                // The shared store outlives every tenant's view of it.
            }
        };
    }

    private record Querier(LogQuerier inner, TenantScope scope) implements LogQuerier {
        /** The selection scoped to the tenant; null when nothing can match. */
        static LogSelection scoped(TenantScope scope, LogSelection s) {
            List<LabelMatcher> m = scope.matchers(s.streamMatchers());
            return m == null ? null : new LogSelection(s.fromNanos(), s.toNanos(), m, s.lineFilters(),
                    s.fieldConditions(), s.direction(), s.limit());
        }

        @Override
        public void select(LogSelection selection, EntrySink sink) {
            LogSelection s = scoped(scope, selection);
            if (s != null) {
                inner.select(s, e -> sink.accept(new LogEntry(e.timeNanos(), TenantScope.strip(e.stream()),
                        e.metadata(), e.line())));
            }
        }

        @Override
        public void samples(LogSelection selection, SampleSink sink) {
            LogSelection s = scoped(scope, selection);
            if (s == null) {
                return;
            }
            // Samples come stream by stream: strip each stream's labels once, not per line.
            Labels[] last = new Labels[2];
            inner.samples(s, (stream, metadata, t, bytes) -> {
                if (stream != last[0]) {
                    last[0] = stream;
                    last[1] = TenantScope.strip(stream);
                }
                return sink.accept(last[1], metadata, t, bytes);
            });
        }

        @Override
        public List<String> labelNames(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
            List<LabelMatcher> m = scope.matchers(matchers);
            return m == null ? List.of() : TenantScope.stripNames(inner.labelNames(fromNanos, toNanos, m));
        }

        @Override
        public List<String> labelValues(String name, long fromNanos, long toNanos, List<LabelMatcher> matchers) {
            List<LabelMatcher> m = scope.matchers(matchers);
            return m == null || name.equals(TenantScope.LABEL) ? List.of()
                    : inner.labelValues(name, fromNanos, toNanos, m);
        }

        @Override
        public List<Labels> series(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
            List<LabelMatcher> m = scope.matchers(matchers);
            if (m == null) {
                return List.of();
            }
            List<Labels> out = new ArrayList<>();
            for (Labels l : inner.series(fromNanos, toNanos, m)) {
                out.add(TenantScope.strip(l));
            }
            return out;
        }

        @Override
        public Stats stats(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
            List<LabelMatcher> m = scope.matchers(matchers);
            return m == null ? new Stats(0, 0, 0, 0) : inner.stats(fromNanos, toNanos, m);
        }
    }
}
