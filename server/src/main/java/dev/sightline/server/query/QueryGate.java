package dev.sightline.server.query;

import dev.sightline.core.Deadline;
import dev.sightline.core.WritePriority;
import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Where every API query runs (PromQL, LogQL, TraceQL, series and label lookups): at most {@code maxConcurrency} at
 * once on query threads of their own, never on the event loop nor on Vert.x's worker pool, which remote-write, OTLP
 * and log push need. Beyond that, up to {@code maxQueue} wait in line (Prometheus's --query.max-concurrency gate);
 * a query that finds the line full is refused at once ({@link Rejected} with 429), one still waiting when its
 * timeout is up is refused then (503, errorType timeout, as Prometheus's "query timed out in query queue"). The
 * wait counts against the query's timeout: the work is handed the milliseconds left, or the query's {@link Deadline}
 * (which a client going away cancels) for work that checks it as it scans. Rule evaluation does not pass here, so API
 * queries cannot starve rules.
 */
public final class QueryGate implements AutoCloseable {
    /** Why a query did not run. */
    public static final class Rejected extends RuntimeException {
        private final int httpStatus;
        private final String errorType;

        Rejected(int httpStatus, String errorType, String message) {
            super(message, null, false, false);
            this.httpStatus = httpStatus;
            this.errorType = errorType;
        }

        /** 429 for a full line (come back later), 503 for a wait past the timeout. */
        public int httpStatus() {
            return httpStatus;
        }

        /** Prometheus's errorType: "unavailable" or "timeout". */
        public String errorType() {
            return errorType;
        }

        /** Whether the query ran out of time (waiting or running): Loki and Tempo answer that 504. */
        public boolean timedOut() {
            return errorType.equals("timeout");
        }
    }

    /** A submitted query: its result, or {@link #cancel} when the client has gone. */
    public interface Admission<T> {
        CompletableFuture<T> result();

        /** Drops the query if it still waits; interrupts it when running and {@code interrupt} is set. */
        void cancel(boolean interrupt);
    }

    /** How long past its timeout a running query has to answer before it is answered for. */
    private static final long RUNNING_GRACE_MS = 250;
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    private final int maxConcurrency;
    private final int maxQueue;
    private final long timeoutMs;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timer;

    /** A gate whose queries never give way to writes (nothing marks writes on its priority). */
    public QueryGate(int maxConcurrency, int maxQueue, long timeoutMs) {
        this(maxConcurrency, maxQueue, timeoutMs, new WritePriority());
    }

    /**
     * A gate whose query threads give way to the writes {@code writes} marks (the ingestion endpoints), pausing at their
     * deadline checks while any is in progress: an expensive query cannot take a core remote-write needs.
     */
    public QueryGate(int maxConcurrency, int maxQueue, long timeoutMs, WritePriority writes) {
        if (maxConcurrency <= 0 || maxQueue < 0 || timeoutMs <= 0) {
            throw new IllegalArgumentException("query gate: concurrency and timeout must be positive, the queue not negative");
        }
        this.maxConcurrency = maxConcurrency;
        this.maxQueue = maxQueue;
        this.timeoutMs = timeoutMs;
        BlockingQueue<Runnable> line = maxQueue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(maxQueue);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(maxConcurrency, maxConcurrency, 30, TimeUnit.SECONDS, line, r -> {
            Thread t = writes.newReader(r, "sightline-query-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Idle threads end, so a stopped server leaves none behind.
        pool.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "sightline-query-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    public long timeoutMs() {
        return timeoutMs;
    }

    /** Queries running now and waiting now. */
    public int running() {
        return pool.getActiveCount();
    }

    public int waiting() {
        return pool.getQueue().size();
    }

    /**
     * Runs {@code work} on a query thread, handing it the milliseconds left of the timeout ({@code timeoutMs} or
     * less when given a smaller one by the request). The result fails with {@link Rejected} when the line is full
     * (at once) or the wait used up the timeout; otherwise with what the work threw.
     */
    public <T> Admission<T> submit(long requestTimeoutMs, LongFunction<T> work) {
        return submitWithin(requestTimeoutMs, d -> work.apply(d.leftMillis()));
    }

    /**
     * As {@link #submit}, handing the work its {@link Deadline}: the timeout's end, canceled when the query is
     * ({@link Admission#cancel}), for work that checks it while it runs instead of being interrupted.
     */
    public <T> Admission<T> submitWithin(long requestTimeoutMs, Function<Deadline, T> work) {
        long timeout = requestTimeoutMs > 0 ? Math.min(requestTimeoutMs, timeoutMs) : timeoutMs;
        Task<T> task = new Task<>(timeout, work);
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            task.result.completeExceptionally(new Rejected(429, "unavailable", "too many queries: " + maxConcurrency
                    + " running and " + maxQueue + " waiting (limits.query_max_concurrency, limits.query_max_queue)"));
            return task;
        }
        task.expiry = timer.schedule(task::expire, timeout, TimeUnit.MILLISECONDS);
        return task;
    }

    private final class Task<T> implements Runnable, Admission<T> {
        final AtomicInteger state = new AtomicInteger(QUEUED);
        final CompletableFuture<T> result = new CompletableFuture<>();
        final long timeoutMs;
        final Deadline deadline;
        final Function<Deadline, T> work;
        volatile ScheduledFuture<?> expiry;
        /** The thread running the work; guarded by this task, so a cancel's interrupt cannot hit the next query. */
        private Thread runner;

        Task(long timeoutMs, Function<Deadline, T> work) {
            this.timeoutMs = timeoutMs;
            this.deadline = Deadline.in(timeoutMs);
            this.work = work;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return;
            }
            // No time left (a tiny timeout): the work still starts, and reports its own timeout at once.
            synchronized (this) {
                runner = Thread.currentThread();
            }
            try {
                result.complete(work.apply(deadline));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                synchronized (this) {
                    runner = null;
                    state.set(DONE);
                }
                ScheduledFuture<?> e = expiry;
                if (e != null) {
                    e.cancel(false);
                }
                // A cancel's interrupt must not leak into the next query on this thread.
                Thread.interrupted();
            }
        }

        /**
         * At the timeout: a query still waiting leaves the line; one still running is answered with a timeout soon
         * after, unless it answers its own first (PromQL, LogQL and TraceQL stop themselves at the deadline).
         */
        void expire() {
            if (state.compareAndSet(QUEUED, DONE)) {
                pool.remove(this);
                result.completeExceptionally(new Rejected(503, "timeout", "query timed out in query queue after "
                        + timeoutMs + "ms waiting for one of " + maxConcurrency
                        + " query slots (limits.query_timeout, limits.query_max_concurrency)"));
            } else if (state.get() == RUNNING) {
                // A moment for work that watches the clock (PromQL) to answer its own timeout first.
                expiry = timer.schedule(() -> result.completeExceptionally(new Rejected(503, "timeout",
                        "query timed out after " + timeoutMs + "ms (limits.query_timeout)")), RUNNING_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        }


        @Override
        public CompletableFuture<T> result() {
            return result;
        }

        @Override
        public void cancel(boolean interrupt) {
            deadline.cancel();
            if (state.compareAndSet(QUEUED, DONE)) {
                pool.remove(this);
                ScheduledFuture<?> e = expiry;
                if (e != null) {
                    e.cancel(false);
                }
                result.cancel(false);
                return;
            }
            if (interrupt) {
                synchronized (this) {
                    if (runner != null) {
                        runner.interrupt();
                    }
                }
            }
        }
    }

    /**
     * Runs one HTTP request's {@code work} through {@code gate} and writes its reply back on the request's context
     * with {@code respond}; a refusal becomes the reply {@code refused} makes of it. A client that goes away drops its
     * query from the line, and interrupts it when running if {@code interrupt} (the TSDB's queries stop on it; a
     * Lucene index must not be interrupted in its reads).
     */
    public static <R> void answer(RoutingContext ctx, QueryGate gate, boolean interrupt, LongFunction<R> work,
                                  Function<Rejected, R> refused, Consumer<R> respond) {
        answer(ctx, gate, 0, interrupt, work, refused, respond);
    }

    /** As {@link #answer}, for a request asking for a timeout of its own ({@code requestTimeoutMs}; 0: none). */
    public static <R> void answer(RoutingContext ctx, QueryGate gate, long requestTimeoutMs, boolean interrupt,
                                  LongFunction<R> work, Function<Rejected, R> refused, Consumer<R> respond) {
        reply(ctx, gate.submit(requestTimeoutMs, work), interrupt, refused, respond);
    }

    /**
     * As {@link #answer}, for work that checks its {@link Deadline} while it scans (LogQL, TraceQL, the stores'
     * lookups): never interrupted, a client going away cancels the deadline instead.
     */
    public static <R> void answerWithin(RoutingContext ctx, QueryGate gate, Function<Deadline, R> work,
                                        Function<Rejected, R> refused, Consumer<R> respond) {
        reply(ctx, gate.submitWithin(0, work), false, refused, respond);
    }

    private static <R> void reply(RoutingContext ctx, Admission<R> task, boolean interrupt,
                                  Function<Rejected, R> refused, Consumer<R> respond) {
        Context vctx = ctx.vertx().getOrCreateContext();
        task.result().whenComplete((reply, failure) -> vctx.runOnContext(v -> {
            if (ctx.response().closed() || ctx.response().ended() || failure instanceof CancellationException) {
                return;
            }
            if (failure instanceof Rejected r) {
                respond.accept(refused.apply(r));
            } else if (failure != null) {
                ctx.fail(failure);
            } else {
                respond.accept(reply);
            }
        }));
        ctx.response().closeHandler(v -> task.cancel(interrupt));
    }

    @Override
    public void close() {
        pool.shutdownNow();
        timer.shutdownNow();
    }
}
