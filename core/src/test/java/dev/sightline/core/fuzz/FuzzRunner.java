package dev.sightline.core.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a target over its seeds (each must be accepted: a rejected seed means the target is wrong) and then over
 * mutated inputs, each under the target's time and allocation bounds. The inputs run on a worker thread the calling
 * thread watches: an input still running past the time limit is a hang, recorded with its bytes, and ends the run
 * (a thread cannot be stopped, so the stuck worker is interrupted and left behind). Failures are grouped by their
 * kind and place (the exception and the first frame of Sightline's code); the first input of each group is shrunk
 * (pieces deleted while it still fails the same way) and both are saved under the output folder with the
 * exception's stack trace.
 */
public final class FuzzRunner {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Distinct failures kept per run; the rest are only counted. */
    private static final int MAX_KEPT = 20;
    /**
     * The time a seed may take: the first input loads and initializes the target's classes, which on a loaded machine
     * took over 5 s (sightline.yml's seed, reported as a hang). Mutated inputs keep the target's own limit.
     */
    private static final Duration SEED_TIME_LIMIT = Duration.ofSeconds(60);

    /** What one group of failures looked like: its first input, that input shrunk, and where both were saved. */
    public record Failure(String signature, long index, String verdict, long count, byte[] input, byte[] minimized, Path saved) {
        @Override
        public String toString() {
            return signature + " (" + count + "x, first at input " + index + ", " + input.length + " bytes, shrunk to "
                    + minimized.length + "): " + verdict + (saved == null ? "" : " [saved " + saved + "]");
        }
    }

    public record Report(String target, long tried, long accepted, long rejected, Duration elapsed, List<Failure> failures) {
        public double inputsPerSecond() {
            return tried / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }

        public long failed() {
            return failures.stream().mapToLong(Failure::count).sum();
        }
    }

    /** The outcome of one input: null verdict when it was accepted or cleanly rejected. */
    private record Outcome(boolean rejected, String verdict, String signature, Throwable error) {
    }

    private final FuzzTarget target;
    private final Mutator mutator;
    private final long runSeed;
    private final Path out;

    // Written by the worker, read by the watching thread.
    private volatile long current = -1;
    private volatile long startedNanos;
    private volatile byte[] currentInput;
    /** Set (under this object's lock) when the watcher declared a hang: the worker then records nothing more. */
    private boolean abandoned;

    private long tried, accepted, rejected;
    private final Map<String, Failure> failures = new LinkedHashMap<>();

    private FuzzRunner(FuzzTarget target, long runSeed, Path out) {
        this.target = target;
        this.mutator = new Mutator(target);
        this.runSeed = runSeed;
        this.out = out;
    }

    /**
     * Runs the seeds then up to {@code inputs} mutated inputs of run {@code runSeed}, stopping early after
     * {@code maxTime}; failures are saved under {@code out/<target>} (not saved when {@code out} is null).
     */
    public static Report run(FuzzTarget target, long runSeed, long inputs, Duration maxTime, Path out) throws InterruptedException {
        return new FuzzRunner(target, runSeed, out).run(inputs, maxTime);
    }

    /** The bytes of input {@code index} (negative: seed {@code -index-1}) of run {@code runSeed}. */
    public static byte[] input(FuzzTarget target, long runSeed, long index) {
        return index < 0 ? target.seeds().get((int) (-index - 1)) : new Mutator(target).input(runSeed, index);
    }

    private Report run(long inputs, Duration maxTime) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + maxTime.toNanos();
        Thread worker = Thread.ofPlatform().daemon().name("fuzz-" + target.name()).start(() -> loop(inputs, deadline));
        while (worker.isAlive()) {
            worker.join(20);
            long started = startedNanos;
            long index = current;
            Duration limit = timeLimit(index);
            if (worker.isAlive() && started != 0 && System.nanoTime() - started > limit.toNanos() && index == current) {
                byte[] input = currentInput;
                synchronized (this) {
                    abandoned = true;
                    worker.interrupt();
                    record(index, input, new Outcome(false, "hang: still running after " + limit.toMillis()
                            + " ms", "hang", null), false);
                    tried++;
                }
                break;
            }
        }
        synchronized (this) {
            return new Report(target.name(), tried, accepted, rejected, Duration.ofNanos(System.nanoTime() - t0),
                    List.copyOf(failures.values()));
        }
    }

    private void loop(long inputs, long deadline) {
        List<byte[]> seeds = target.seeds();
        for (long i = -seeds.size(); i < inputs && System.nanoTime() < deadline; i++) {
            byte[] input = input(target, runSeed, i);
            currentInput = input;
            current = i;
            startedNanos = System.nanoTime();
            Outcome o = attempt(input, timeLimit(i));
            startedNanos = 0;
            synchronized (this) {
                if (abandoned) {
                    return; // a hang was declared on this input; the watcher has recorded it
                }
                tried++;
                if (i < 0 && (o.rejected || o.verdict != null)) {
                    // A seed must be valid: a target whose seeds are refused fuzzes nothing deep.
                    record(i, input, new Outcome(false, "seed " + (-i - 1) + " is not accepted: "
                            + (o.verdict != null ? o.verdict : describe(o.error)), "seed " + (-i - 1), o.error), false);
                } else if (o.verdict != null) {
                    // A slow input is not shrunk: every attempt would take as long again.
                    record(i, input, o, !"slow".equals(o.signature));
                } else if (o.rejected) {
                    rejected++;
                } else {
                    accepted++;
                }
            }
        }
    }

    private Duration timeLimit(long index) {
        return index < 0 && SEED_TIME_LIMIT.compareTo(target.timeLimit()) > 0 ? SEED_TIME_LIMIT : target.timeLimit();
    }

    /** Runs one input on this thread and judges it against {@code limit}. */
    private Outcome attempt(byte[] input, Duration limit) {
        long allocated = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        Throwable error = null;
        try {
            target.run(input);
        } catch (Throwable t) {
            error = t;
        }
        long took = System.nanoTime() - start;
        allocated = THREADS.getCurrentThreadAllocatedBytes() - allocated;
        if (error instanceof VirtualMachineError || error instanceof LinkageError) {
            return new Outcome(false, describe(error), signature(error), error);
        }
        if (took > limit.toNanos()) {
            return new Outcome(false, "slow: took " + took / 1_000_000 + " ms (limit " + limit.toMillis() + " ms)", "slow", error);
        }
        if (allocated > target.maxAllocatedBytes()) {
            return new Outcome(false, "allocated " + (allocated >> 20) + " MiB for one input of " + input.length
                    + " bytes (limit " + (target.maxAllocatedBytes() >> 20) + " MiB)", "allocation", error);
        }
        if (error == null) {
            return new Outcome(false, null, null, null);
        }
        String verdict = target.verdict(error);
        return new Outcome(true, verdict, verdict == null ? null : signature(error), error);
    }

    private void record(long index, byte[] input, Outcome o, boolean shrink) {
        Failure f = failures.get(o.signature);
        if (f != null) {
            failures.put(o.signature, new Failure(f.signature, f.index, f.verdict, f.count + 1, f.input, f.minimized, f.saved));
            return;
        }
        if (failures.size() >= MAX_KEPT) {
            failures.merge("(more)", new Failure("(more)", index, "further kinds of failure not kept", 1, input, input, null),
                    (a, b) -> new Failure(a.signature, a.index, a.verdict, a.count + 1, a.input, a.minimized, null));
            return;
        }
        byte[] min = shrink ? shrink(input, o.signature) : input;
        failures.put(o.signature, new Failure(o.signature, index, o.verdict, 1, input, min, save(index, input, min, o)));
    }

    /** Deletes pieces of a failing input, halving their size, while it fails with the same signature; a few seconds at most. */
    private byte[] shrink(byte[] input, String signature) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        byte[] best = input;
        for (int chunk = Math.max(1, best.length / 2); chunk >= 1 && System.nanoTime() < deadline; chunk /= 2) {
            for (int at = 0; at + chunk <= best.length && System.nanoTime() < deadline; ) {
                byte[] candidate = new byte[best.length - chunk];
                System.arraycopy(best, 0, candidate, 0, at);
                System.arraycopy(best, at + chunk, candidate, at, best.length - at - chunk);
                Outcome o = attempt(candidate, target.timeLimit());
                if (signature.equals(o.signature)) {
                    best = candidate;
                } else {
                    at += chunk;
                }
            }
        }
        return best;
    }

    private Path save(long index, byte[] input, byte[] min, Outcome o) {
        if (out == null) {
            return null;
        }
        try {
            Path dir = Files.createDirectories(out.resolve(target.name()));
            Path file = dir.resolve("seed" + runSeed + "-input" + index + ".bin");
            Files.write(file, input);
            Files.write(dir.resolve("seed" + runSeed + "-input" + index + ".min.bin"), min);
            StringWriter trace = new StringWriter();
            trace.append(o.verdict).append('\n').append("run seed ").append(Long.toString(runSeed)).append(", input ")
                    .append(Long.toString(index)).append('\n');
            if (o.error != null) {
                o.error.printStackTrace(new PrintWriter(trace));
            }
            Files.writeString(dir.resolve("seed" + runSeed + "-input" + index + ".txt"), trace.toString(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(Throwable t) {
        return t == null ? "accepted" : t.getClass().getName() + ": " + t.getMessage();
    }

    /** The exception's class and the first frame in Sightline's code (or the top frame): one bug, one signature. */
    static String signature(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        StackTraceElement at = frames.length == 0 ? null : Arrays.stream(frames)
                .filter(f -> f.getClassName().startsWith("dev.sightline.") && !f.getClassName().startsWith("dev.sightline.core.fuzz."))
                .findFirst().orElse(frames[0]);
        return t.getClass().getSimpleName() + (at == null ? "" : " at " + at.getClassName() + "." + at.getMethodName()
                + ":" + at.getLineNumber());
    }

    /** Every failure's text, for an assertion message. */
    public static String describe(Report r) {
        List<String> lines = new ArrayList<>();
        for (Failure f : r.failures()) {
            lines.add("  " + f);
        }
        return r.target() + ": " + r.failed() + " failing inputs of " + r.tried() + "\n" + String.join("\n", lines);
    }
}
