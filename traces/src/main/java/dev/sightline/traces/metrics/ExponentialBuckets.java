package dev.sightline.traces.metrics;

import dev.sightline.core.Histogram;

import java.util.Arrays;

/**
 * The buckets of a native (exponential) histogram of non-negative observations, as Prometheus's client libraries
 * keep them: bucket {@code i} at schema {@code s} covers {@code (2^((i-1)/2^s), 2^(i/2^s)]}, values up to
 * {@link #ZERO_THRESHOLD} count in the zero bucket. Counts sit in one dense array indexed from {@code offset}, so an
 * observation allocates nothing once the array covers its bucket. When more than {@code maxBuckets} buckets are
 * populated, the resolution halves (schema - 1, neighbouring buckets merged) until they fit, as the client libraries
 * do with their maximum bucket number. Not thread-safe.
 */
final class ExponentialBuckets {
    /** Prometheus's default zero threshold, 2^-128. */
    static final double ZERO_THRESHOLD = 0x1p-128;
    /** Upper bounds of the mantissa (in [0.5, 1)) per positive schema: bucket j of an octave ends at 2^(j/2^s - 1). */
    private static final double[][] OCTAVE_BOUNDS = new double[Histogram.MAX_SCHEMA + 1][];

    static {
        for (int s = 1; s <= Histogram.MAX_SCHEMA; s++) {
            int n = 1 << s;
            double[] b = new double[n];
            for (int j = 0; j < n; j++) {
                b[j] = Math.pow(2, (double) j / n - 1);
            }
            OCTAVE_BOUNDS[s] = b;
        }
    }

    private final int maxBuckets;
    private int schema;
    private long zeroCount;
    private long[] counts = new long[0];
    private int offset;
    private int populated;

    ExponentialBuckets(int schema, int maxBuckets) {
        this.schema = schema;
        this.maxBuckets = maxBuckets;
    }

    /**
     * The schema of a bucket factor, as Prometheus's client libraries pick it (NativeHistogramBucketFactor): the
     * largest resolution whose bucket width factor 2^(2^-schema) is at most {@code factor}, within [-4, 8].
     */
    static int schemaOf(double factor) {
        if (!(factor > 1)) {
            throw new IllegalArgumentException("a bucket factor must be more than 1, got " + factor);
        }
        double floor = Math.floor(Math.log(Math.log(factor) / Math.log(2)) / Math.log(2));
        if (floor <= -Histogram.MAX_SCHEMA) {
            return Histogram.MAX_SCHEMA;
        }
        return floor >= -Histogram.MIN_SCHEMA ? Histogram.MIN_SCHEMA : (int) -floor;
    }

    /** The index of the bucket holding {@code v} (> 0, finite) at {@code schema}. */
    static int index(double v, int schema) {
        int exp = Math.getExponent(v) + 1; // v = frac * 2^exp with frac in [0.5, 1)
        double frac = Math.scalb(v, -exp);
        if (schema > 0) {
            double[] bounds = OCTAVE_BOUNDS[schema];
            int j = Arrays.binarySearch(bounds, frac);
            if (j < 0) {
                j = -j - 1; // the first bound above frac: buckets are closed above
            }
            return j + (exp - 1) * bounds.length;
        }
        int key = frac == 0.5 ? exp - 1 : exp; // an exact power of two ends its bucket
        int shift = -schema;
        return (key + (1 << shift) - 1) >> shift;
    }

    int schema() {
        return schema;
    }

    long zeroCount() {
        return zeroCount;
    }

    /** The count of bucket {@code i} at the current schema. */
    long count(int i) {
        int at = i - offset;
        return at >= 0 && at < counts.length ? counts[at] : 0;
    }

    int populated() {
        return populated;
    }

    void observe(double v) {
        if (!(v > ZERO_THRESHOLD)) {
            zeroCount++;
            return;
        }
        int i = index(v, schema);
        cover(i);
        if (counts[i - offset]++ == 0) {
            populated++;
            // A very wide spread of values would make the dense array huge at a fine schema: it counts too.
            while (schema > Histogram.MIN_SCHEMA && (populated > maxBuckets || counts.length > 8 * maxBuckets)) {
                halveResolution();
            }
        }
    }

    /** Grows the dense array (with room to spare, so growth is rare) until it covers bucket {@code i}. */
    private void cover(int i) {
        if (counts.length == 0) {
            counts = new long[16];
            offset = i - 8;
            return;
        }
        int last = offset + counts.length - 1;
        if (i >= offset && i <= last) {
            return;
        }
        int spare = Math.max(8, counts.length / 2);
        int from = i < offset ? i - spare : offset;
        int to = i > last ? i + spare : last;
        long[] grown = new long[to - from + 1];
        System.arraycopy(counts, 0, grown, offset - from, counts.length);
        counts = grown;
        offset = from;
    }

    /** Schema - 1: bucket i merges into ceil(i / 2), which covers it. */
    private void halveResolution() {
        int from = (offset + 1) >> 1;
        int to = (offset + counts.length) >> 1; // ceil((last) / 2) with last = offset + length - 1
        long[] merged = new long[to - from + 1];
        for (int k = 0; k < counts.length; k++) {
            merged[((offset + k + 1) >> 1) - from] += counts[k];
        }
        int n = 0;
        for (long c : merged) {
            n += c != 0 ? 1 : 0;
        }
        counts = merged;
        offset = from;
        populated = n;
        schema--;
    }

    /** The cumulative state as a native histogram sample; runs of populated buckets become spans. */
    Histogram toHistogram(long count, double sum) {
        int spans = 0;
        boolean inRun = false;
        for (long c : counts) {
            if (c != 0 && !inRun) {
                spans++;
            }
            inRun = c != 0;
        }
        int[] offsets = new int[spans];
        int[] lengths = new int[spans];
        double[] buckets = new double[populated];
        int s = -1;
        int b = 0;
        int prevEnd = 0; // index after the previous span's last bucket
        inRun = false;
        for (int k = 0; k < counts.length; k++) {
            long c = counts[k];
            if (c != 0) {
                int idx = offset + k;
                if (!inRun) {
                    s++;
                    offsets[s] = s == 0 ? idx : idx - prevEnd;
                }
                lengths[s]++;
                buckets[b++] = c;
                prevEnd = idx + 1;
            }
            inRun = c != 0;
        }
        return new Histogram(Histogram.CounterResetHint.UNKNOWN, schema, ZERO_THRESHOLD, zeroCount, count, sum,
                offsets, lengths, buckets, null, null, null, null);
    }
}
