package dev.sightline.synthetics.canary;

import dev.sightline.metricstore.Appender;
import dev.sightline.synthetics.SyntheticClock;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running canaries of a configuration: each on its own schedule of the {@link SyntheticClock} (first round at
 * once; the wall clock in a server, a drill's simulated clock in a drill), its results written
 * through a fresh appender per round (skipped while the supplier answers null: storage not open yet). {@link #apply}
 * takes a new configuration: unchanged canaries keep running untouched, changed ones restart, removed ones stop.
 */
public final class Canaries implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Canaries.class.getName());

    private final Supplier<Appender> appenders;
    private final SyntheticClock clock;
    private final Consumer<CanaryRound> rounds;
    private final CanaryMetrics metrics = new CanaryMetrics();
    /**
     * Built with the first canary: a JDK HttpClient loads its TLS stack and starts a selector thread, which a server
     * without canaries should not pay for. Guarded by this.
     */
    private HttpClient http;
    /** Every client call of every canary runs on a virtual thread of this executor (see Canary.bounded). */
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Results are written on this thread, not the canary's: stopping a canary interrupts its thread, and an interrupt
     * during a store's file write closes that FileChannel for every writer. One thread keeps the rounds in order.
     */
    private final ExecutorService results = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("sightline-canary-results").factory());
    private final Map<String, Running> running = new LinkedHashMap<>();
    private boolean closed;

    private record Running(Canary canary, SyntheticClock.Timer schedule) {
    }

    /** {@code rounds} is told of every round that ran (on the canary's thread, after its samples are written). */
    public Canaries(Supplier<Appender> appenders, SyntheticClock clock, Consumer<CanaryRound> rounds) {
        this.appenders = appenders;
        this.clock = clock;
        this.rounds = rounds;
    }

    /** Runs exactly these canaries from now on. */
    public synchronized void apply(List<CanaryConfig> configs) {
        if (closed) {
            throw new IllegalStateException("canaries closed");
        }
        Map<String, CanaryConfig> next = new LinkedHashMap<>();
        configs.forEach(c -> next.put(c.name(), c));
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().canary().config().equals(next.get(e.getKey()))) {
                stop(e.getValue());
                it.remove();
            }
        }
        Map<String, Running> ordered = new LinkedHashMap<>();
        for (CanaryConfig c : configs) {
            Running r = running.get(c.name());
            ordered.put(c.name(), r != null ? r : start(c));
        }
        running.clear();
        running.putAll(ordered);
    }

    private Running start(CanaryConfig c) {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        Canary canary = new Canary(c, http, clock, calls);
        SyntheticClock.Timer schedule = clock.timer("sightline-canary-" + c.name());
        // A round's timeout may equal the interval: the next round then starts at once, late (see every()).
        clock.every(schedule, c.interval().toMillis(), () -> round(canary));
        LOG.info("canary " + c.name() + " started: every " + c.interval().toMillis() + " ms, " + c.readers().size() + " readers");
        return new Running(canary, schedule);
    }

    private void round(Canary canary) {
        Canary.RoundResult result;
        try {
            result = canary.round();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "canary " + canary.config().name() + ": round failed", e);
            return;
        }
        CanaryRound view = CanaryRound.of(canary, result);
        results.execute(() -> record(canary, result, view));
    }

    private void record(Canary canary, Canary.RoundResult result, CanaryRound view) {
        Appender a = appenders.get();
        if (a != null) {
            try {
                metrics.record(canary, result, a);
            } catch (IOException | RuntimeException e) {
                a.rollback();
                LOG.log(Level.WARNING, "canary " + canary.config().name() + ": writing its results failed: " + e.getMessage(), e);
            }
        }
        try {
            rounds.accept(view);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "canary " + canary.config().name() + ": recording its round failed: " + e.getMessage(), e);
        }
    }

    private static void stop(Running r) {
        try {
            if (!r.schedule().stop(r.canary().config().timeout().toMillis() + 5000)) {
                LOG.warning("canary " + r.canary().config().name() + ": its round did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns once the results of every round that ran so far are written: a drill evaluates its rules after the
     * rounds of a step, and their samples must be in storage by then.
     */
    public void flush() throws InterruptedException {
        try {
            results.submit(() -> { }).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the results writer failed", e.getCause());
        }
    }

    /** Every running canary and its readers' last results, in configuration order. */
    public synchronized List<CanaryStatus> status() {
        List<CanaryStatus> out = new ArrayList<>();
        for (Running run : running.values()) {
            Canary c = run.canary();
            CanaryConfig cfg = c.config();
            List<CanaryStatus.ReaderStatus> readers = new ArrayList<>();
            for (Canary.Reader r : c.readers()) {
                readers.add(new CanaryStatus.ReaderStatus(r.config.name(), r.config.kind(), r.config.labels(),
                        CanaryRound.orNull(r.stalenessSeconds), CanaryRound.orNull(r.lagSeconds), r.lastError, r.lastSuccessMs,
                        metrics.missing(cfg.name(), r.config), metrics.errors(cfg.name(), r.config)));
            }
            out.add(new CanaryStatus(cfg.name(), cfg.write().kind(), cfg.interval().toMillis(), cfg.timeout().toMillis(),
                    c.lastRoundMs, c.lastWriteError, readers));
        }
        return out;
    }

    /** Stops every canary (a round in progress is given up). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running.values().forEach(Canaries::stop);
        running.clear();
        calls.shutdownNow();
        results.shutdown();
        try {
            if (!results.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("canaries: writing the last results did not end in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Not close(): that would wait for the requests of a hanging reader.
        if (http != null) {
            http.shutdownNow();
        }
    }
}
