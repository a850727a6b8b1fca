package dev.sightline.metricstore;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes what an in-memory aggregator holds into storage at a fixed interval, as a scrape would (span metrics, log
 * pattern counters): each round takes a fresh appender from the supplier (null while storage is not open: the round
 * is skipped), hands it to the collection, which commits, and rolls it back and logs when that fails. Closing stops
 * the rounds after one last collection, so the counts since the previous one are kept; closing again does nothing.
 */
public final class CollectionLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CollectionLoop.class.getName());

    /** One round: writes into the appender and commits it. */
    @FunctionalInterface
    public interface Collection {
        void collect(Appender appender) throws IOException;
    }

    private final String name;
    private final Supplier<Appender> appenders;
    private final Collection collection;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CollectionLoop(String name, Duration every, Supplier<Appender> appenders, Collection collection) {
        this.name = name;
        this.appenders = appenders;
        this.collection = collection;
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sightline-" + name);
            t.setDaemon(true);
            return t;
        });
        long ms = every.toMillis();
        executor.scheduleAtFixedRate(this::collectQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts rounds every {@code every}; {@code name} names the thread and the log lines. */
    public static CollectionLoop start(String name, Duration every, Supplier<Appender> appenders, Collection collection) {
        if (every.toMillis() <= 0) {
            throw new IllegalArgumentException(name + ": the collection interval must be positive, got " + every);
        }
        return new CollectionLoop(name, every, appenders, collection);
    }

    private void collectQuietly() {
        Appender a = appenders.get();
        if (a == null) {
            return; // storage not open yet
        }
        try {
            collection.collect(a);
        } catch (IOException | RuntimeException e) {
            a.rollback();
            LOG.log(Level.WARNING, name + ": writing into storage failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warning(name + ": a collection did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        collectQuietly();
    }
}
