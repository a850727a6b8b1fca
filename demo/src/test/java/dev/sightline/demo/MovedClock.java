package dev.sightline.demo;

import dev.sightline.demo.sim.SimClock;

import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves by setting {@code now}; sleeping jumps it to the deadline. */
record MovedClock(AtomicLong now) implements SimClock {
    @Override
    public long millis() {
        return now.get();
    }

    @Override
    public void sleepUntil(long deadline) {
        now.accumulateAndGet(deadline, Math::max);
    }
}
