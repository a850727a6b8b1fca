package dev.sightline.logs;

import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A log store in memory, nothing durable: the contract's reference implementation (every query a scan with
 * {@link LogSelection#matches}), for tests and for tools that need a store for one run. It passes the same
 * conformance suite as the disk store.
 */
public final class InMemoryLogStore implements LogStore {
    /** Every committed line in commit order; the index is the append order ties fall back to. */
    private final List<LogEntry> entries = new ArrayList<>();

    @Override
    public LogAppender appender() {
        return new LogAppender() {
            private final List<LogEntry> pending = new ArrayList<>();

            @Override
            public void append(Labels stream, long timeNanos, String line, Labels metadata) {
                pending.add(new LogEntry(timeNanos, stream, metadata, line));
            }

            @Override
            public void commit() {
                synchronized (entries) {
                    entries.addAll(pending);
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
    public LogQuerier querier() {
        return new Querier(null);
    }

    @Override
    public LogQuerier querier(Deadline deadline) {
        return new DeadlineLogQuerier(new Querier(deadline), deadline);
    }

    @Override
    public long delete(LogSelection selection) {
        synchronized (entries) {
            int before = entries.size();
            entries.removeIf(selection::matches);
            return before - entries.size();
        }
    }

    @Override
    public void close() {
    }

    private List<LogEntry> snapshot() {
        synchronized (entries) {
            return new ArrayList<>(entries);
        }
    }

    /** The contract's order: time, then stream labels, then append order (a stable sort keeps it). */
    static final Comparator<LogEntry> FORWARD =
            Comparator.comparingLong(LogEntry::timeNanos).thenComparing(LogEntry::stream);

    private final class Querier implements LogQuerier {
        /** Checked for every line the scan reads (null: none). */
        private final Deadline deadline;

        Querier(Deadline deadline) {
            this.deadline = deadline;
        }

        private List<LogEntry> matching(LogSelection s) {
            List<LogEntry> out = new ArrayList<>();
            for (LogEntry e : snapshot()) {
                if (deadline != null) {
                    deadline.tickCheck();
                }
                if (s.matches(e)) {
                    out.add(e);
                }
            }
            out.sort(FORWARD);
            if (s.direction() == LogSelection.Direction.BACKWARD) {
                java.util.Collections.reverse(out);
            }
            return out.size() > s.limit() ? out.subList(0, s.limit()) : out;
        }

        @Override
        public void select(LogSelection selection, EntrySink sink) {
            for (LogEntry e : matching(selection)) {
                if (!sink.accept(e)) {
                    return;
                }
            }
        }

        @Override
        public void samples(LogSelection selection, SampleSink sink) {
            for (LogEntry e : matching(selection)) {
                if (!sink.accept(e.stream(), e.metadata(), e.timeNanos(),
                        e.line().getBytes(StandardCharsets.UTF_8).length)) {
                    return;
                }
            }
        }

        private List<LogEntry> inRange(long from, long to, List<LabelMatcher> matchers) {
            LogSelection s = LogSelection.streams(from, to, matchers);
            List<LogEntry> out = new ArrayList<>();
            for (LogEntry e : snapshot()) {
                if (s.matches(e)) {
                    out.add(e);
                }
            }
            return out;
        }

        @Override
        public List<String> labelNames(long from, long to, List<LabelMatcher> matchers) {
            Set<String> names = new TreeSet<>();
            for (LogEntry e : inRange(from, to, matchers)) {
                e.stream().forEach((n, v) -> names.add(n));
            }
            return List.copyOf(names);
        }

        @Override
        public List<String> labelValues(String name, long from, long to, List<LabelMatcher> matchers) {
            Set<String> values = new TreeSet<>();
            for (LogEntry e : inRange(from, to, matchers)) {
                String v = e.stream().get(name);
                if (v != null) {
                    values.add(v);
                }
            }
            return List.copyOf(values);
        }

        @Override
        public List<Labels> series(long from, long to, List<LabelMatcher> matchers) {
            Set<Labels> streams = new TreeSet<>();
            for (LogEntry e : inRange(from, to, matchers)) {
                streams.add(e.stream());
            }
            return List.copyOf(streams);
        }

        @Override
        public Stats stats(long from, long to, List<LabelMatcher> matchers) {
            Set<Labels> streams = new HashSet<>();
            long lines = 0;
            long bytes = 0;
            for (LogEntry e : inRange(from, to, matchers)) {
                streams.add(e.stream());
                lines++;
                bytes += e.line().getBytes(StandardCharsets.UTF_8).length;
            }
            // One chunk per stream: nothing here is split by time.
            return new Stats(streams.size(), streams.size(), lines, bytes);
        }
    }
}
