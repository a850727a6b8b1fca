package dev.sightline.synthetics.journey;

import dev.sightline.synthetics.SyntheticClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs each journey at its interval on a {@link SyntheticClock} (the wall clock, or a drill's), never two runs of one
 * journey at once, and hands every run to a sink with the journey's consecutive failure count. A run that overran
 * its next time skips it rather than running the missed ones back to back ({@link SyntheticClock#every}). {@link #apply} swaps the set of journeys (a reload); counts and last runs of
 * journeys that keep their name carry over.
 */
public final class JourneyScheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JourneyScheduler.class.getName());

    /** Receives each finished run (metrics, spans, log lines). */
    @FunctionalInterface
    public interface RunSink {
        void completed(Journey journey, JourneyRun run, int consecutiveFailures);
    }

    /** The last run of a journey with its failure streak, for the API. */
    public record LastRun(Journey journey, JourneyRun run, int consecutiveFailures) {
    }

    private final JourneyRunner runner;
    private final RunSink sink;
    private final SyntheticClock clock;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, LastRun> last = new ConcurrentHashMap<>();
    /**
     * One run per journey name at a time: after a reload the new schedule starts at once while a run of the old one
     * may still be going, and two runs would write the same series out of order.
     */
    private final Map<String, ReentrantLock> running = new ConcurrentHashMap<>();
    private final List<SyntheticClock.Timer> scheduled = new ArrayList<>();
    /** Journeys a reload removed: a run of theirs still in flight must not bring their state back. */
    private final Set<String> removed = ConcurrentHashMap.newKeySet();
    private List<Journey> journeys = List.of();

    /** On the wall clock. */
    public JourneyScheduler(JourneyRunner runner, RunSink sink) {
        this(runner, sink, SyntheticClock.WALL);
    }

    /** {@code runner} should read the same clock ({@link JourneyRunner#on}). */
    public JourneyScheduler(JourneyRunner runner, RunSink sink, SyntheticClock clock) {
        this.runner = runner;
        this.sink = sink;
        this.clock = clock;
    }

    /** Replaces the journeys; each new one runs at once, then at its interval. */
    public synchronized void apply(List<Journey> next) {
        scheduled.forEach(SyntheticClock.Timer::cancel);
        scheduled.clear();
        List<String> names = next.stream().map(Journey::name).toList();
        journeys.stream().map(Journey::name).filter(n -> !names.contains(n)).forEach(removed::add);
        removed.removeAll(names);
        failures.keySet().retainAll(names);
        last.keySet().retainAll(names);
        for (Journey j : next) {
            // Runs wait on the network: each journey's timer runs on a virtual thread of its own.
            SyntheticClock.Timer timer = clock.timer("sightline-journey-" + j.name());
            clock.every(timer, j.interval().toMillis(), () -> runOnce(j));
            scheduled.add(timer);
        }
        journeys = List.copyOf(next);
    }

    /** Runs one journey now on the caller's thread (also what the schedule does) and returns its run. */
    public JourneyRun runOnce(Journey j) {
        ReentrantLock lock = running.computeIfAbsent(j.name(), k -> new ReentrantLock());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            JourneyRun run = runner.run(j, step -> { });
            if (removed.contains(j.name())) {
                return run;
            }
            int streak = failures.merge(j.name(), run.status() == JourneyRun.Status.FAILED ? 1 : 0,
                    (old, inc) -> inc == 0 ? 0 : old + 1);
            last.put(j.name(), new LastRun(j, run, streak));
            sink.completed(j, run, streak);
            return run;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            // A failing sink must not end the schedule: the next run is set after this one returns.
            LOG.log(Level.WARNING, "journey " + j.name() + ": " + e, e);
            return null;
        } finally {
            lock.unlock();
        }
    }

    public synchronized List<Journey> journeys() {
        return journeys;
    }

    /** The last run of the journey, or null before its first one ends. */
    public LastRun lastRun(String journey) {
        return last.get(journey);
    }

    /** Stops every schedule and interrupts the runs in flight, without waiting for them to end. */
    @Override
    public synchronized void close() {
        for (SyntheticClock.Timer t : scheduled) {
            try {
                t.stop(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        scheduled.clear();
    }
}
