package dev.sightline.server.drill;

import dev.sightline.demo.sim.SimClock;

/** A drill's simulated time: it stands still until the runner moves it, so any length of replay takes no waiting. */
final class SteppedClock implements SimClock {
    private long now;

    SteppedClock(long startMillis) {
        this.now = startMillis;
    }

    @Override
    public synchronized long millis() {
        return now;
    }

    synchronized void set(long millis) {
        if (millis < now) {
            throw new IllegalArgumentException("a drill's clock only goes forward: " + millis + " < " + now);
        }
        now = millis;
        notifyAll();
    }

    @Override
    public synchronized void sleepUntil(long deadline) throws InterruptedException {
        while (now < deadline) {
            wait();
        }
    }
}
