package dev.sightline.synthetics;

import java.util.ArrayList;
import java.util.List;

/**
 * A simulated clock that stands still until {@link #advanceTo} moves it, running the tasks its timers hold as their
 * times come, in time order, each on the caller's thread with the clock at the task's time. Sleeping on it moves it
 * (a canary's reader waiting for its value moves time, not the wall clock), and it never goes back: a task that
 * slept past the time asked for leaves the clock there.
 */
public class SteppedClock implements SyntheticClock {
    private long now;
    /** Tasks waiting for their time, in the order they were added (the earliest due runs first, ties in that order). */
    private final List<Due> due = new ArrayList<>();

    private record Due(long atMillis, Runnable task, Stepped timer) {
    }

    public SteppedClock(long startMillis) {
        this.now = startMillis;
    }

    @Override
    public synchronized long millis() {
        return now;
    }

    @Override
    public synchronized void sleepUntil(long deadline) {
        now = Math.max(now, deadline);
    }

    /**
     * Runs every task due up to {@code millis}, the earliest first (tasks they add run too when due by then), then
     * moves the clock to {@code millis} unless a task already moved it further.
     */
    public void advanceTo(long millis) {
        while (true) {
            Due next;
            synchronized (this) {
                next = null;
                for (Due d : due) {
                    if (d.atMillis() <= millis && (next == null || d.atMillis() < next.atMillis())) {
                        next = d;
                    }
                }
                if (next == null) {
                    now = Math.max(now, millis);
                    return;
                }
                due.remove(next);
                now = Math.max(now, next.atMillis());
            }
            // Not holding the clock: the task's own threads read it and sleep on it.
            next.task().run();
        }
    }

    @Override
    public Timer timer(String name) {
        return new Stepped();
    }

    private final class Stepped implements Timer {
        private boolean cancelled; // guarded by the clock

        @Override
        public void at(long atMillis, Runnable task) {
            synchronized (SteppedClock.this) {
                if (!cancelled) {
                    due.add(new Due(atMillis, task, this));
                }
            }
        }

        @Override
        public void cancel() {
            synchronized (SteppedClock.this) {
                cancelled = true;
                due.removeIf(d -> d.timer() == this);
            }
        }

        /** Its tasks run on the thread stepping the clock, which is not interrupted: a running one ends on its own. */
        @Override
        public boolean stop(long waitMillis) {
            cancel();
            return true;
        }
    }
}
