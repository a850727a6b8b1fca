package dev.sightline.core;

import java.util.concurrent.TimeUnit;

/**
 * When a query must stop: a point on {@link System#nanoTime}'s clock, and a flag another thread sets when the
 * query's client has gone. Engines whose scans cannot be interrupted (a Lucene index must not be) ask it between
 * entries; {@link #tick} reads the clock only every {@value #CHECK_EVERY}th call, so a scan pays a counter
 * increment per entry. One deadline is ticked by the one thread running its query.
 */
public final class Deadline {
    /** Entries between two reads of the clock: ~1024 entries take microseconds, far below any timeout's grain. */
    public static final int CHECK_EVERY = 1024;

    /** Why a query stopped: its time ran out, or ({@link #canceled()}) its client went away. */
    public static final class Exceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean canceled;

        Exceeded(boolean canceled, String message) {
            super(message, null, false, false);
            this.canceled = canceled;
        }

        public boolean canceled() {
            return canceled;
        }
    }

    private final long deadlineNanoTime;
    private final long timeoutMs;
    private volatile boolean canceled;
    private int ticks;

    private Deadline(long deadlineNanoTime, long timeoutMs) {
        this.deadlineNanoTime = deadlineNanoTime;
        this.timeoutMs = timeoutMs;
    }

    /** A deadline {@code timeoutMs} from now (positive). */
    public static Deadline in(long timeoutMs) {
        return at(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs);
    }

    /** A deadline at {@code nanoTime} on System.nanoTime's clock, for a query given {@code timeoutMs} in all. */
    public static Deadline at(long nanoTime, long timeoutMs) {
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("a deadline needs a positive timeout, got " + timeoutMs + "ms");
        }
        return new Deadline(nanoTime, timeoutMs);
    }

    /** The query's whole timeout, as given. */
    public long timeoutMs() {
        return timeoutMs;
    }

    /** Milliseconds left, 0 once passed. */
    public long leftMillis() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanoTime - System.nanoTime()));
    }

    /** Marks the query canceled (its client went away): its next check throws. Any thread. */
    public void cancel() {
        canceled = true;
    }

    /** Whether the time is up or the query canceled. */
    public boolean expired() {
        return canceled || System.nanoTime() - deadlineNanoTime > 0;
    }

    /** Throws {@link Exceeded} when {@link #expired()}. */
    public void check() {
        if (canceled) {
            throw new Exceeded(true, "query canceled: the client went away");
        }
        if (System.nanoTime() - deadlineNanoTime > 0) {
            throw new Exceeded(false, "query timed out after " + timeoutMs + "ms (limits.query_timeout)");
        }
    }

    /**
     * {@link #expired()} every {@value #CHECK_EVERY}th call, false in between: the per-entry check of a scan. On a
     * query thread, that check first gives way to ingestion ({@link WritePriority#yieldToWrites}).
     */
    public boolean tick() {
        if (++ticks % CHECK_EVERY != 0) {
            return false;
        }
        WritePriority.yieldToWrites(deadlineNanoTime);
        return expired();
    }

    /** {@link #check()} every {@value #CHECK_EVERY}th call: the per-entry check of a scan that may stop by throwing. */
    public void tickCheck() {
        if (tick()) {
            check();
        }
    }
}
