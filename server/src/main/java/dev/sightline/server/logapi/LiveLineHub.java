package dev.sightline.server.logapi;

import dev.sightline.logs.LogEntry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fans committed lines out to the live-tail subscribers: what ingest calls after each commit (it is a
 * {@code Consumer<List<LogEntry>>}, the listener type of the log ingester). Subscribers come and go with tail
 * connections; a subscriber that throws is logged and does not stop the others.
 */
public final class LiveLineHub implements LiveLines, Consumer<List<LogEntry>> {
    private static final Logger LOG = Logger.getLogger(LiveLineHub.class.getName());
    private final List<Consumer<List<LogEntry>>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public Subscription subscribe(Consumer<List<LogEntry>> listener) {
        // A wrapper of its own, so that one listener subscribed twice is removed once per subscription.
        Consumer<List<LogEntry>> own = listener::accept;
        listeners.add(own);
        return () -> listeners.remove(own);
    }

    /** Hands one committed batch to every subscriber. */
    @Override
    public void accept(List<LogEntry> committed) {
        if (committed.isEmpty()) {
            return;
        }
        for (Consumer<List<LogEntry>> l : listeners) {
            try {
                l.accept(committed);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a live tail subscriber failed", e);
            }
        }
    }

    /** Subscribers now (for tests and self-metrics). */
    public int subscribers() {
        return listeners.size();
    }
}
