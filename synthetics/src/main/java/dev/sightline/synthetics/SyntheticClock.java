package dev.sightline.synthetics;

/**
 * The time canaries and journeys run on, and their schedules: {@link #WALL} in a server, a {@link SteppedClock} in a
 * drill, which runs them on its simulated time as it steps rule evaluation, so a round that in production waits
 * seconds for a replica, or a staleness of hours, takes no waiting.
 */
public interface SyntheticClock {
    /** Now, in Unix milliseconds. */
    long millis();

    /** Returns once {@link #millis()} has reached {@code deadline}: the wall clock sleeps; a stepped one moves there. */
    void sleepUntil(long deadline) throws InterruptedException;

    /** A new timer, for one canary or journey; {@code name} names its thread. */
    Timer timer(String name);

    /**
     * Runs {@code task} on {@code timer} now, then on the ticks of {@code intervalMs} from now. A run that ends a
     * little after the next tick (up to a quarter interval) has the next start at once, late; one that overran more
     * skips the ticks it missed rather than running them back to back.
     */
    default void every(Timer timer, long intervalMs, Runnable task) {
        long first = millis();
        timer.at(first, new Runnable() {
            private long tick = first;

            @Override
            public void run() {
                task.run();
                long now = millis();
                tick += intervalMs;
                if (now - tick > intervalMs / 4) {
                    tick += ((now - tick) / intervalMs + 1) * intervalMs;
                }
                timer.at(tick, this);
            }
        });
    }

    /** Runs tasks at times of its clock, one at a time. */
    interface Timer {
        /** Runs {@code task} once the clock reaches {@code atMillis} (at once if it has); nothing once cancelled. */
        void at(long atMillis, Runnable task);

        /** Runs no task any more; a task running goes on to its end. */
        void cancel();

        /**
         * Cancels, interrupts a task running and waits up to {@code waitMillis} for it; false when it did not end in
         * that time.
         */
        boolean stop(long waitMillis) throws InterruptedException;
    }

    /** The wall clock: each timer a virtual thread of its own that sleeps until its tasks are due. */
    SyntheticClock WALL = new WallClock();
}
