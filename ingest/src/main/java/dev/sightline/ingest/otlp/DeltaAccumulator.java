package dev.sightline.ingest.otlp;

import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;

import java.util.Arrays;
import java.util.Iterator;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Turns OTLP delta points into the cumulative values Prometheus stores, keeping a running total per series in memory.
 * A delta must start at or after the end of the previous one of its series; one that ends at or before the previous
 * end is a duplicate or out of order, one that starts before it overlaps: both are refused rather than double counted.
 * Series not updated for {@code idleNanos} are forgotten (their next delta starts a new total, a counter reset).
 *
 * <p>Each total reports when it began counting: the start of the delta that began it (0 when that delta's start is
 * unknown), so the stored series reads as a cumulative counter with a known start timestamp, a new one at each reset.
 */
final class DeltaAccumulator {
    private static final long EVICT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ConcurrentHashMap<Labels, State> states = new ConcurrentHashMap<>();
    private final long idleNanos;
    private volatile long lastEviction = System.nanoTime();

    DeltaAccumulator(long idleNanos) {
        this.idleNanos = idleNanos;
    }

    static class State {
        /** The start of the delta that began this total, 0 if unknown. */
        long totalStartNanos;
        long startNanos;
        long endNanos;
        long touchedNanos = System.nanoTime();

        /** Begins a total with its first delta; a start of 0 or after the delta's end is OTel's "unknown". */
        void begin(long startNanos, long endNanos) {
            totalStartNanos = startNanos != 0 && Long.compareUnsigned(startNanos, endNanos) <= 0 ? startNanos : 0;
        }
    }

    private static final class SumState extends State {
        double total;
    }

    private static final class HistogramState extends State {
        double[] bounds;
        long[] counts;
        long count;
        double sum;
    }

    static final class ExpState extends State {
        int scale;
        double zeroThreshold;
        long zeroCount;
        long count;
        double sum;
        TreeMap<Integer, Long> positive = new TreeMap<>();
        TreeMap<Integer, Long> negative = new TreeMap<>();
    }

    int size() {
        return states.size();
    }

    /** Runs {@link #evictIdle} if it has not run for a minute: cheap enough to ask on every request. */
    void evictIdlePeriodically() {
        long now = System.nanoTime();
        if (now - lastEviction > EVICT_EVERY_NANOS) {
            lastEviction = now;
            evictIdle();
        }
    }

    /** Forgets series idle for longer than the configured time, so the state cannot grow without bound. */
    void evictIdle() {
        long now = System.nanoTime();
        for (Iterator<State> it = states.values().iterator(); it.hasNext(); ) {
            if (now - it.next().touchedNanos > idleNanos) {
                it.remove();
            }
        }
    }

    /** Adds a delta to its series' running total; returns the total and when it began. */
    SumTotal addSum(Labels series, long startNanos, long endNanos, double delta) {
        SumTotal[] result = new SumTotal[1];
        states.compute(series, (k, old) -> {
            SumState st = old instanceof SumState ss ? ss : null;
            if (st == null) {
                st = new SumState();
                st.begin(startNanos, endNanos);
                st.total = delta;
            } else {
                check(st, series, startNanos, endNanos);
                st.total += delta;
            }
            touch(st, startNanos, endNanos);
            result[0] = new SumTotal(st.total, st.totalStartNanos);
            return st;
        });
        return result[0];
    }

    /** A running total and the start of the delta that began it (0 if unknown). */
    record SumTotal(double total, long startNanos) {
    }

    /** Adds a delta explicit-bucket histogram (per-bucket counts, as OTLP sends them); returns the running totals. */
    HistogramTotals addHistogram(Labels series, long startNanos, long endNanos, double[] bounds, long[] counts, long count, double sum) {
        HistogramState[] result = new HistogramState[1];
        states.compute(series, (k, old) -> {
            HistogramState st = old instanceof HistogramState hs ? hs : null;
            if (st == null || !Arrays.equals(st.bounds, bounds) || st.counts.length != counts.length) {
                // New series or changed bucket layout: the running total starts again (a counter reset).
                st = new HistogramState();
                st.begin(startNanos, endNanos);
                st.bounds = bounds;
                st.counts = counts.clone();
                st.count = count;
                st.sum = sum;
            } else {
                check(st, series, startNanos, endNanos);
                for (int i = 0; i < counts.length; i++) {
                    st.counts[i] += counts[i];
                }
                st.count += count;
                st.sum += sum;
            }
            touch(st, startNanos, endNanos);
            result[0] = st;
            return st;
        });
        HistogramState st = result[0];
        return new HistogramTotals(st.counts.clone(), st.count, st.sum, st.totalStartNanos);
    }

    /** Running per-bucket counts, count and sum, and the start of the delta that began them (0 if unknown). */
    record HistogramTotals(long[] counts, long count, double sum, long startNanos) {
    }

    /**
     * Adds a delta exponential histogram, merging both to the coarser scale when the scales differ; returns a copy of
     * the running totals (with when they began, {@code totalStartNanos}).
     */
    ExpState addExponential(Labels series, long startNanos, long endNanos, int scale, double zeroThreshold, long zeroCount,
                            long count, double sum, TreeMap<Integer, Long> positive, TreeMap<Integer, Long> negative) {
        ExpState[] result = new ExpState[1];
        states.compute(series, (k, old) -> {
            ExpState st;
            if (!(old instanceof ExpState prev)) {
                st = new ExpState();
                st.begin(startNanos, endNanos);
                st.scale = scale;
                st.zeroThreshold = zeroThreshold;
                st.zeroCount = zeroCount;
                st.count = count;
                st.sum = sum;
                st.positive = new TreeMap<>(positive);
                st.negative = new TreeMap<>(negative);
            } else {
                st = prev;
                check(st, series, startNanos, endNanos);
                int target = Math.min(st.scale, scale);
                TreeMap<Integer, Long> pos = NativeHistograms.downscale(st.positive, st.scale - target);
                TreeMap<Integer, Long> neg = NativeHistograms.downscale(st.negative, st.scale - target);
                NativeHistograms.downscale(positive, scale - target).forEach((i, c) -> pos.merge(i, c, Long::sum));
                NativeHistograms.downscale(negative, scale - target).forEach((i, c) -> neg.merge(i, c, Long::sum));
                st.positive = pos;
                st.negative = neg;
                st.scale = target;
                st.zeroThreshold = Math.max(st.zeroThreshold, zeroThreshold);
                st.zeroCount += zeroCount;
                st.count += count;
                st.sum += sum;
            }
            touch(st, startNanos, endNanos);
            ExpState copy = new ExpState();
            copy.totalStartNanos = st.totalStartNanos;
            copy.scale = st.scale;
            copy.zeroThreshold = st.zeroThreshold;
            copy.zeroCount = st.zeroCount;
            copy.count = st.count;
            copy.sum = st.sum;
            copy.positive = new TreeMap<>(st.positive);
            copy.negative = new TreeMap<>(st.negative);
            result[0] = copy;
            return st;
        });
        return result[0];
    }

    private static void check(State st, Labels series, long startNanos, long endNanos) {
        if (endNanos <= st.endNanos) {
            throw new ValidationException(ValidationException.Reason.OUT_OF_ORDER_SAMPLE, "time_unix_nano",
                    "delta point of " + series + " ends at " + endNanos + " ns, not after the previous one (" + st.endNanos + " ns)");
        }
        if (startNanos != 0 && startNanos < st.endNanos) {
            throw new ValidationException(ValidationException.Reason.OUT_OF_ORDER_SAMPLE, "start_time_unix_nano",
                    "delta point of " + series + " starts at " + startNanos + " ns, before the previous one ended ("
                            + st.endNanos + " ns): overlapping deltas would be counted twice");
        }
    }

    private static void touch(State st, long startNanos, long endNanos) {
        st.startNanos = startNanos;
        st.endNanos = endNanos;
        st.touchedNanos = System.nanoTime();
    }
}
