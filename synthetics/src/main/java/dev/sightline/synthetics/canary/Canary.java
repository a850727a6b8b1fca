package dev.sightline.synthetics.canary;

import dev.sightline.synthetics.SyntheticClock;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One configured canary and what its rounds found. A round writes a new {@link CanaryValue} and polls every reader
 * at once until it returns that value or the timeout (from the write's start) passes. Every call to a client runs on
 * a virtual thread of its own and is given up at the deadline, so a reader that hangs costs one timeout, no more.
 */
final class Canary {
    /** Readers are asked again quickly at first (replication is usually fast), then less often. */
    private static final long FIRST_POLL_MS = 10;
    private static final long MAX_POLL_MS = 250;

    /** What a round found at one reader. */
    record Outcome(Reader reader, CanaryValue newest, long readAtMs, boolean seen, long seenAtMs,
                   CanaryException.Reason error, String errorMessage) {
    }

    /** A reader with what the rounds so far found there; written by the round's thread, read by the API. */
    static final class Reader {
        final CanaryConfig.Reader config;
        final Target target;
        /** The newest value ever read here; null before the first. */
        volatile CanaryValue newest;
        /**
         * The age of the newest value when this reader last answered with one; when it could not be read, the age of
         * the last value it was seen with, growing, so an alert on staleness does not resolve because a reader went
         * down. NaN before the first value.
         */
        volatile double stalenessSeconds = Double.NaN;
        /** Write to first visible, of the last round that saw its value; NaN before. */
        volatile double lagSeconds = Double.NaN;
        volatile long lastSuccessMs;
        volatile String lastError;

        Reader(CanaryConfig.Reader config, Target target) {
            this.config = config;
            this.target = target;
        }
    }

    private final CanaryConfig config;
    private final Target writer;
    private final List<Reader> readers = new ArrayList<>();
    private final SyntheticClock clock;
    private final ExecutorService calls;
    volatile long lastRoundMs;
    volatile String lastWriteError;

    Canary(CanaryConfig config, HttpClient http, SyntheticClock clock, ExecutorService calls) {
        this.config = config;
        this.clock = clock;
        this.calls = calls;
        CanaryConfig.Write w = config.write();
        this.writer = Target.of(w.http(), w.sql(), w.redis(), config.name(), http);
        for (CanaryConfig.Reader r : config.readers()) {
            readers.add(new Reader(r, Target.of(r.http(), r.sql(), r.redis(), config.name(), http)));
        }
    }

    CanaryConfig config() {
        return config;
    }

    List<Reader> readers() {
        return readers;
    }

    boolean hasReader(String name) {
        return readers.stream().anyMatch(r -> r.config.name().equals(name));
    }

    /** The outcome of one write. */
    record WriteOutcome(CanaryValue value, CanaryException.Reason error, String errorMessage) {
    }

    /** What one round did, for the metrics and its trace; {@code endMs} is the samples' timestamp. */
    record RoundResult(String canary, WriteOutcome write, List<Outcome> outcomes, long startMs, long writeEndMs,
                       long endMs) {
    }

    /**
     * One round: write, then poll every reader until it shows the value or the deadline passes. When the write
     * fails the readers are still read once each, so their staleness keeps being measured.
     */
    RoundResult round() throws InterruptedException {
        long start = clock.millis();
        long deadline = start + config.timeout().toMillis();
        CanaryValue value = CanaryValue.next(config.name(), start);
        WriteOutcome write;
        try {
            bounded(() -> {
                writer.write(value.toString(), remaining(deadline));
                return null;
            }, deadline);
            write = new WriteOutcome(value, null, null);
            lastWriteError = null;
        } catch (ExecutionException e) {
            write = new WriteOutcome(value, CanaryException.classify(e.getCause()), CanaryException.describe(e.getCause()));
            lastWriteError = write.errorMessage();
        }
        long writeEnd = clock.millis();
        boolean written = write.error() == null;
        List<Future<Outcome>> polls = new ArrayList<>();
        for (Reader r : readers) {
            polls.add(calls.submit(() -> poll(r, value, written, deadline)));
        }
        List<Outcome> outcomes = new ArrayList<>();
        try {
            for (Future<Outcome> f : polls) {
                outcomes.add(f.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a reader's poll failed unexpectedly", e.getCause());
        } finally {
            polls.forEach(f -> f.cancel(true));
        }
        long end = clock.millis();
        for (Outcome o : outcomes) {
            Reader r = o.reader();
            if (o.newest() != null) {
                r.newest = o.newest();
                r.stalenessSeconds = Math.max(0, o.readAtMs() - o.newest().writtenAtMs()) / 1000.0;
            } else if (r.newest != null) {
                r.stalenessSeconds = Math.max(0, end - r.newest.writtenAtMs()) / 1000.0;
            }
            if (o.seen()) {
                r.lagSeconds = (o.seenAtMs() - value.writtenAtMs()) / 1000.0;
                r.lastSuccessMs = o.seenAtMs();
            }
            r.lastError = o.error() == null ? null : o.error().label() + ": " + o.errorMessage();
        }
        lastRoundMs = end;
        return new RoundResult(config.name(), write, outcomes, start, writeEnd, end);
    }

    /** Polls one reader until it returns {@code value} (or a newer one) or the deadline; only once when nothing was written. */
    private Outcome poll(Reader r, CanaryValue value, boolean written, long deadline) throws InterruptedException {
        CanaryValue newest = null;
        long readAt = 0;
        CanaryException.Reason error = null;
        String message = null;
        long wait = FIRST_POLL_MS;
        boolean attempted = false;
        while (true) {
            try {
                String text = bounded(() -> r.target.read(remaining(deadline)), deadline);
                long now = clock.millis();
                CanaryValue got = CanaryValue.find(config.name(), text);
                if (got == null) {
                    error = CanaryException.Reason.NO_VALUE;
                    message = text == null ? "nothing stored" : "no value of canary " + config.name() + " in the answer";
                } else {
                    error = null;
                    message = null;
                    newest = got;
                    readAt = now;
                    // A newer value than ours: another Sightline writes the same canary; ours is visible too.
                    if (written && got.writtenAtMs() >= value.writtenAtMs()) {
                        return new Outcome(r, got, now, true, now, null, null);
                    }
                }
            } catch (ExecutionException e) {
                CanaryException.Reason reason = CanaryException.classify(e.getCause());
                // The round's deadline cutting a later poll short is the end of the round, not the reader's fault:
                // what the earlier polls of the round found stands.
                if (!(attempted && reason == CanaryException.Reason.TIMEOUT)) {
                    error = reason;
                    message = CanaryException.describe(e.getCause());
                }
            }
            attempted = true;
            long left = deadline - clock.millis();
            if (!written || left <= 0) {
                return new Outcome(r, newest, readAt, false, 0, error, message);
            }
            // On a drill's clock this moves the simulated time: the replica's lag passes without waiting.
            clock.sleepUntil(clock.millis() + Math.min(wait, left));
            wait = Math.min(wait * 2, MAX_POLL_MS);
        }
    }

    /**
     * Runs a client call on its own virtual thread and gives it up at the deadline (interrupting it closes its
     * socket). Its failure, or the timeout, comes back as an ExecutionException whose cause says why.
     */
    private <T> T bounded(Callable<T> call, long deadline) throws ExecutionException, InterruptedException {
        Future<T> f = calls.submit(call);
        try {
            return f.get(Math.max(0, deadline - clock.millis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ExecutionException(new CanaryException(CanaryException.Reason.TIMEOUT,
                    "no answer within the timeout of " + config.timeout().toMillis() + " ms"));
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    private Duration remaining(long deadline) {
        return Duration.ofMillis(Math.max(1, deadline - clock.millis()));
    }
}
