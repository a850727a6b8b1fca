package dev.sightline.server.logapi;

import dev.sightline.logs.LogEntry;

import java.util.List;
import java.util.function.Consumer;

/** Lines as they are committed, for live tail: each batch a store commit made visible, in commit order. */
public interface LiveLines {
    /**
     * Calls {@code listener} with every batch committed from now on, on the committing thread (so it must not block),
     * until the returned subscription is closed.
     */
    Subscription subscribe(Consumer<List<LogEntry>> listener);

    /** Ends a subscription; the listener gets no batch after close returns. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
