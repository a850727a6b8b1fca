package dev.sightline.synthetics;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@link SyntheticClock#WALL}. */
final class WallClock implements SyntheticClock {
    @Override
    public long millis() {
        return System.currentTimeMillis();
    }

    @Override
    public void sleepUntil(long deadline) throws InterruptedException {
        long wait = deadline - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    @Override
    public Timer timer(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name(name).factory());
        // Cancelling drops the tasks waiting for their time; the one running goes on.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return new Timer() {
            @Override
            public void at(long atMillis, Runnable task) {
                try {
                    executor.schedule(task, Math.max(0, atMillis - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // Cancelled meanwhile: nothing more runs.
                }
            }

            @Override
            public void cancel() {
                executor.shutdown();
            }

            @Override
            public boolean stop(long waitMillis) throws InterruptedException {
                executor.shutdownNow();
                return executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
            }
        };
    }
}
