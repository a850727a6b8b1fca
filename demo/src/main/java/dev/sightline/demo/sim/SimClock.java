package dev.sightline.demo.sim;

/**
 * The one source of time for the simulation. The demo runs on {@link #SYSTEM}; a drill runner can pass a clock that
 * jumps ahead instead of sleeping, so a 14-hour staleness replays in seconds with the same code.
 */
public interface SimClock {
    /** Wall time of the simulation, in Unix milliseconds. */
    long millis();

    /** Returns once {@link #millis()} has reached {@code deadline} (at once if it has). */
    void sleepUntil(long deadline) throws InterruptedException;

    SimClock SYSTEM = new SimClock() {
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
    };
}
