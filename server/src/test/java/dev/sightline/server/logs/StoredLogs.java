package dev.sightline.server.logs;

import dev.sightline.core.LabelMatcher;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;

import java.util.ArrayList;
import java.util.List;

/** What a test reads back from a log store: every line of a service, oldest first. */
final class StoredLogs {
    private StoredLogs() {
    }

    static List<LogEntry> of(LogStore store, String label, String value) {
        List<LogEntry> out = new ArrayList<>();
        store.querier().select(LogSelection.streams(Long.MIN_VALUE, Long.MAX_VALUE,
                List.of(LabelMatcher.eq(label, value))), out::add);
        return out;
    }

    /** Waits (up to 10 s) until the store holds {@code n} lines of the service; the senders batch in the background. */
    static List<LogEntry> await(LogStore store, String label, String value, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<LogEntry> got = of(store, label, value);
        while (got.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
            got = of(store, label, value);
        }
        return got;
    }
}
