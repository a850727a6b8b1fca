package dev.sightline.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Ingestion before queries on a shared CPU. Writers mark the work they do ({@link #beginWrite}/{@link #endWrite});
 * queries running on this priority's reader threads ({@link #newReader}) pause at their deadline checks
 * ({@link #yieldToWrites}) while writes are in progress, so an expensive query leaves its core to ingestion instead
 * of taking its scheduler share (Linux ignores Java thread priorities). "In progress" means at least
 * {@code writesToYieldTo} writes at once (the cores the queries leave free: with cores to spare, queries run on), or
 * one fewer with a write ended less than {@link #LINGER_NANOS} ago: back-to-back requests leave gaps of a few
 * hundred microseconds, and a query resuming in each would take its core back every time. A pause lasts until the
 * writes are done, at most {@link #MAX_PAUSE_NANOS}, never past the query's deadline, and a reader runs at least
 * {@link #MIN_RUN_NANOS} between pauses: under writes that never stop a query still gets about a tenth of its time and
 * still ends at its timeout. Work on other threads (rule evaluation, tests) never pauses.
 */
public final class WritePriority {
    /** Longest single pause: a query is slowed by sustained ingestion, never stopped by it. */
    public static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Least a reader runs between two pauses, whatever its checks' frequency (a scan's check every 1024 entries). */
    public static final long MIN_RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How long after a write ends the writes still count as in progress. */
    public static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How often a pausing reader looks whether the writes are done. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int writesToYieldTo;
    private final AtomicInteger writing = new AtomicInteger();
    /** When the last write ended on System.nanoTime's clock; valid once {@link #anyEnded}. */
    private volatile long lastEndNanos;
    private volatile boolean anyEnded;
    private final LongAdder pausedNanos = new LongAdder();

    /** Readers give way to any write in progress. */
    public WritePriority() {
        this(1);
    }

    /** Readers give way once {@code writesToYieldTo} writes (at least 1) are in progress at once. */
    public WritePriority(int writesToYieldTo) {
        if (writesToYieldTo < 1) {
            throw new IllegalArgumentException("writesToYieldTo must be at least 1, got " + writesToYieldTo);
        }
        this.writesToYieldTo = writesToYieldTo;
    }

    /** A thread whose queries give way to this priority's writes. */
    private static final class Reader extends Thread {
        final WritePriority priority;
        /** When this thread last resumed from a pause; 0: never paused. */
        long resumedNanos;

        Reader(WritePriority priority, Runnable task, String name) {
            super(task, name);
            this.priority = priority;
        }
    }

    /** A thread (not started) running {@code task} whose {@link #yieldToWrites} calls give way to this priority's writes. */
    public Thread newReader(Runnable task, String name) {
        return new Reader(this, task, name);
    }

    /** A write request starts being decoded and stored; pair with {@link #endWrite} in a finally. */
    public void beginWrite() {
        writing.incrementAndGet();
    }

    public void endWrite() {
        lastEndNanos = System.nanoTime();
        anyEnded = true;
        writing.decrementAndGet();
    }

    /** Writes in progress now. */
    public int writing() {
        return writing.get();
    }

    /** Total time readers have paused for writes. */
    public long pausedNanos() {
        return pausedNanos.sum();
    }

    /**
     * A query's check, on any thread: on a reader thread, pauses while its priority's writes are in progress (bounded as
     * described above, and by {@code deadlineNanos} on {@link System#nanoTime}'s clock); elsewhere returns at once. An
     * interrupt ends the pause, leaving the flag set for the caller's check.
     */
    public static void yieldToWrites(long deadlineNanos) {
        // Without the clock while writes cannot be in progress: a field read per check.
        if (Thread.currentThread() instanceof Reader r) {
            WritePriority p = r.priority;
            int n = p.writing.get();
            if (n >= p.writesToYieldTo || n == p.writesToYieldTo - 1 && p.anyEnded) {
                p.pause(r, deadlineNanos);
            }
        }
    }

    /** Whether writes are in progress at {@code now}, as the class describes. */
    boolean inProgress(long now) {
        int n = writing.get();
        return n >= writesToYieldTo || n == writesToYieldTo - 1 && anyEnded && now - lastEndNanos < LINGER_NANOS;
    }

    private void pause(Reader r, long deadlineNanos) {
        long start = System.nanoTime();
        if (!inProgress(start) || r.resumedNanos != 0 && start - r.resumedNanos < MIN_RUN_NANOS) {
            return;
        }
        long until = deadlineNanos - start < MAX_PAUSE_NANOS ? deadlineNanos : start + MAX_PAUSE_NANOS;
        long now = start;
        while (inProgress(now) && until - now > 0 && !r.isInterrupted()) {
            LockSupport.parkNanos(Math.min(POLL_NANOS, until - now));
            now = System.nanoTime();
        }
        r.resumedNanos = now;
        pausedNanos.add(now - start);
    }
}
