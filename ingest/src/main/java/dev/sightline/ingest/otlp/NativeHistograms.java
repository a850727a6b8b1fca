package dev.sightline.ingest.otlp;

import dev.sightline.core.Histogram;
import dev.sightline.core.ValidationException;

import java.util.Map;
import java.util.TreeMap;

/**
 * OTLP exponential histograms as Prometheus native histograms. The OTLP scale is the Prometheus schema; OTLP bucket
 * {@code i} covers {@code (base^i, base^(i+1)]} while Prometheus bucket {@code i} covers {@code (base^(i-1), base^i]},
 * so indexes shift by one. Scales above {@link Histogram#MAX_SCHEMA} are merged down (halving resolution per step);
 * scales below {@link Histogram#MIN_SCHEMA} cannot be represented and are refused.
 */
public final class NativeHistograms {
    private NativeHistograms() {
    }

    /** One side (positive or negative) of an exponential histogram: sparse OTLP bucket index -> count. */
    static TreeMap<Integer, Long> buckets(int offset, long[] counts, int n) {
        TreeMap<Integer, Long> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            long c = counts[i];
            if (c != 0) {
                m.merge(offset + i, c, Long::sum);
            }
        }
        return m;
    }

    /** The buckets at a coarser scale: each step down merges pairs of buckets (index >> 1, floor for negatives). */
    static TreeMap<Integer, Long> downscale(TreeMap<Integer, Long> buckets, int by) {
        if (by == 0) {
            return buckets;
        }
        TreeMap<Integer, Long> m = new TreeMap<>();
        for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
            m.merge(e.getKey() >> by, e.getValue(), Long::sum);
        }
        return m;
    }

    /**
     * Builds the native histogram. {@code positive}/{@code negative} are OTLP-indexed at {@code scale}; the result has
     * schema {@code min(scale, 8)}. A scale below -4 is refused as an invalid histogram.
     */
    static Histogram toNative(Histogram.CounterResetHint hint, int scale, double zeroThreshold, long zeroCount, long count,
                              double sum, TreeMap<Integer, Long> positive, TreeMap<Integer, Long> negative) {
        if (scale < Histogram.MIN_SCHEMA) {
            throw new ValidationException(ValidationException.Reason.INVALID_HISTOGRAM, "scale",
                    "exponential histogram scale " + scale + " is below the lowest native histogram schema " + Histogram.MIN_SCHEMA);
        }
        int by = Math.max(0, scale - Histogram.MAX_SCHEMA);
        Spans pos = spans(downscale(positive, by));
        Spans neg = spans(downscale(negative, by));
        return new Histogram(hint, scale - by, zeroThreshold, zeroCount, count, sum,
                pos.offsets, pos.lengths, pos.counts, neg.offsets, neg.lengths, neg.counts, null);
    }

    private record Spans(int[] offsets, int[] lengths, double[] counts) {
    }

    /** Runs of consecutive buckets become spans; each span's offset is the gap after the previous one. */
    private static Spans spans(TreeMap<Integer, Long> buckets) {
        int n = buckets.size();
        double[] counts = new double[n];
        int spans = 0;
        int prev = Integer.MIN_VALUE;
        for (int idx : buckets.keySet()) {
            if (spans == 0 || idx != prev + 1) {
                spans++;
            }
            prev = idx;
        }
        int[] offsets = new int[spans];
        int[] lengths = new int[spans];
        int s = -1;
        int i = 0;
        prev = 0;
        for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
            int promIdx = e.getKey() + 1;
            if (s < 0 || promIdx != prev + 1) {
                s++;
                offsets[s] = s == 0 ? promIdx : promIdx - prev - 1;
            }
            lengths[s]++;
            counts[i++] = e.getValue();
            prev = promIdx;
        }
        return new Spans(offsets, lengths, counts);
    }
}
