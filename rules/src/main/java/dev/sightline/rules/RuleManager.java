package dev.sightline.rules;

import dev.sightline.metricstore.Storage;
import dev.sightline.promql.engine.Engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs rule groups: each group on its own schedule (aligned to its hash offset, Prometheus-style), writing through
 * the given storage and handing alerts to the notifier. {@link #update} swaps in a new set of groups atomically,
 * keeping the alert state of groups and rules that stay the same.
 */
public final class RuleManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RuleManager.class.getName());

    /**
     * Settings. outageToleranceMs bounds how old an ALERTS_FOR_STATE sample may be to restore (Prometheus's
     * --rules.alert.for-outage-tolerance, 1h); resendDelayMs is how often a still-firing alert is re-sent (1m);
     * outOfOrderWindowMs is the storage's out-of-order window (0), which the rules' detector state re-reads.
     */
    public record Options(long defaultIntervalMs, Map<String, String> externalLabels, long outageToleranceMs,
                          long resendDelayMs, long outOfOrderWindowMs) {
        public static Options defaults() {
            return new Options(60_000, Map.of(), 3_600_000, 60_000, 0);
        }

        public Options withDefaultIntervalMs(long ms) {
            return new Options(ms, externalLabels, outageToleranceMs, resendDelayMs, outOfOrderWindowMs);
        }

        public Options withExternalLabels(Map<String, String> labels) {
            return new Options(defaultIntervalMs, Map.copyOf(labels), outageToleranceMs, resendDelayMs,
                    outOfOrderWindowMs);
        }

        public Options withOutOfOrderWindowMs(long ms) {
            return new Options(defaultIntervalMs, externalLabels, outageToleranceMs, resendDelayMs, ms);
        }
    }

    private final Storage storage;
    private final Engine engine;
    private final Map<String, RuleLanguage> languages;
    private final Notifier notifier;
    private final Options options;
    private final LongSupplier clockMs;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ScheduledFuture<?>> tasks = new HashMap<>();
    private volatile List<RuleGroup> groups = List.of();
    private boolean running;

    /** {@code clockMs} gives "now"; tests drive {@link #evaluate} directly with their own timestamps instead. */
    public RuleManager(Storage storage, Engine engine, Notifier notifier, Options options, LongSupplier clockMs) {
        this(storage, engine, Map.of(), notifier, options, clockMs);
    }

    /** With evaluators for groups in other query languages, by {@code query_language} name. */
    public RuleManager(Storage storage, Engine engine, Map<String, RuleLanguage> languages, Notifier notifier,
                       Options options, LongSupplier clockMs) {
        this.storage = storage;
        this.engine = engine;
        this.languages = Map.copyOf(languages);
        this.notifier = notifier;
        this.options = options;
        this.clockMs = clockMs;
        // Groups run concurrently, as Prometheus runs each group on its own: one slow group (week-long anomaly
        // lookbacks) must not delay the others. A group never overlaps itself (fixed-rate tasks do not).
        AtomicInteger threads = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "sightline-rules-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public Options options() {
        return options;
    }

    public List<RuleGroup> groups() {
        return groups;
    }

    /** Replaces the groups; state of alerting rules in groups with the same file and name is carried over. */
    public synchronized void update(List<RuleGroupConfig> configs) {
        Map<String, RuleGroup> old = new HashMap<>();
        for (RuleGroup g : groups) {
            old.put(g.key(), g);
        }
        List<RuleGroup> next = new ArrayList<>();
        for (RuleGroupConfig c : configs) {
            RuleGroup g = new RuleGroup(c, options.defaultIntervalMs());
            RuleGroup prev = old.get(g.key());
            if (prev != null) {
                g.copyStateFrom(prev);
            }
            next.add(g);
        }
        tasks.values().forEach(f -> f.cancel(false));
        tasks.clear();
        groups = List.copyOf(next);
        if (running) {
            next.forEach(this::schedule);
        }
    }

    /** Starts evaluating every group on its schedule. */
    public synchronized void start() {
        running = true;
        groups.forEach(this::schedule);
    }

    /**
     * Stops evaluating on the wall clock's schedule (an evaluation under way finishes); the caller then drives
     * {@link #evaluate} at times of its own, as a drill does on its simulated clock. {@link #update} keeps it stopped.
     */
    public synchronized void stopSchedule() {
        running = false;
        tasks.values().forEach(f -> f.cancel(false));
        tasks.clear();
    }

    private void schedule(RuleGroup g) {
        long now = clockMs.getAsLong();
        long first = g.alignedTimestamp(now) + g.intervalMs();
        ScheduledFuture<?> f = scheduler.scheduleAtFixedRate(() -> {
            try {
                evaluate(g, g.alignedTimestamp(clockMs.getAsLong()));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "rule group " + g.name() + " failed", e);
            }
        }, first - now, g.intervalMs(), TimeUnit.MILLISECONDS);
        tasks.put(g.key(), f);
    }

    /** Evaluates one group at {@code tsMs} (the scheduler's path, and the tests' controllable clock). */
    public void evaluate(RuleGroup group, long tsMs) {
        group.evaluate(tsMs, new RuleContext(engine, storage, group.config().queryOffsetMs(), options.externalLabels(),
                        options.outOfOrderWindowMs(), languages),
                storage, notifier, options.outageToleranceMs(), options.resendDelayMs());
    }

    @Override
    public synchronized void close() {
        running = false;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
