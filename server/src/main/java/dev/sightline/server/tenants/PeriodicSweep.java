package dev.sightline.server.tenants;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A retention sweep run at once and then every period on a daemon thread of its own. A failed run is logged and the
 * next one retries: reads keep hiding what is past retention meanwhile. Closing never interrupts a running sweep: an
 * interrupt closes the file channels (tsdb, Lucene) it is writing through; close waits for it instead.
 */
final class PeriodicSweep implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PeriodicSweep.class.getName());

    /** One sweep. */
    interface Task {
        void run() throws IOException;
    }

    private final ScheduledExecutorService timer;

    PeriodicSweep(String threadName, long periodMs, Task task) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, threadName + ": sweep failed; the next one retries", e);
            }
        }, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
