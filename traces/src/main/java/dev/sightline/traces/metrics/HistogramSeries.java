package dev.sightline.traces.metrics;

import dev.sightline.core.Labels;

import java.util.Arrays;

/**
 * One histogram series: count, sum, classic bucket counts, the native buckets, and per classic bucket the newest
 * exemplar observed since the last collection (held as primitives; its labels are built when written). The labels of
 * every output series ({@code name}, {@code _sum}, {@code _count}, each {@code _bucket}) are built once, here.
 */
final class HistogramSeries {
    private final HistogramFamily family;
    private final long[] classic;
    private final ExponentialBuckets exponential;
    private long count;
    private double sum;

    private final boolean[] exemplarSet;
    private final long[] exemplarHi;
    private final long[] exemplarLo;
    private final long[] exemplarMs;
    private final double[] exemplarValue;

    /** [native, sum, count, bucket 0 .. +Inf] */
    private final Labels[] out;
    private final long[] refs;

    HistogramSeries(HistogramFamily family, Labels base) {
        this.family = family;
        int n = family.le.length;
        this.classic = new long[n];
        this.exponential = family.mode.nativeHistograms() ? new ExponentialBuckets(family.schema, family.maxBuckets) : null;
        this.exemplarSet = new boolean[n];
        this.exemplarHi = new long[n];
        this.exemplarLo = new long[n];
        this.exemplarMs = new long[n];
        this.exemplarValue = new double[n];
        this.out = new Labels[3 + n];
        Labels.Builder b = base.toBuilder();
        out[0] = b.set(Labels.METRIC_NAME, family.name).build();
        out[1] = b.set(Labels.METRIC_NAME, family.name + "_sum").build();
        out[2] = b.set(Labels.METRIC_NAME, family.name + "_count").build();
        b.set(Labels.METRIC_NAME, family.name + "_bucket");
        for (int i = 0; i < n; i++) {
            out[3 + i] = b.set("le", family.le[i]).build();
        }
        this.refs = new long[out.length];
    }

    /** Counts {@code v} (negative counts as 0, as Tempo does with spans that end before they start). */
    void observe(double v, long traceIdHi, long traceIdLo, long timestampMs) {
        if (!(v > 0)) {
            v = 0;
        }
        count++;
        sum += v;
        int b = family.bucket(v);
        classic[b]++;
        if (exponential != null) {
            exponential.observe(v);
        }
        exemplarSet[b] = true;
        exemplarHi[b] = traceIdHi;
        exemplarLo[b] = traceIdLo;
        exemplarMs[b] = timestampMs;
        exemplarValue[b] = v;
    }

    long count() {
        return count;
    }

    double sum() {
        return sum;
    }

    /** The classic (non-cumulative) count of bucket {@code i}, {@code +Inf} last. */
    long bucketCount(int i) {
        return classic[i];
    }

    ExponentialBuckets exponential() {
        return exponential;
    }

    Labels labels(int i) {
        return out[i];
    }

    /**
     * Writes the zero the series starts from, at {@code timestampMs} before its first collection, so that the first
     * collection's counts show as an increase (a counter that appears already counting loses its first increment to
     * rate()).
     */
    void writeStart(SampleWriter w, long timestampMs) {
        if (family.mode.nativeHistograms()) {
            refs[0] = w.histogram(refs[0], out[0], timestampMs,
                    new ExponentialBuckets(exponential.schema(), family.maxBuckets).toHistogram(0, 0));
        }
        if (family.mode.classic()) {
            for (int i = 1; i < out.length; i++) {
                refs[i] = w.sample(refs[i], out[i], timestampMs, 0);
            }
        }
    }

    /** Writes the cumulative state at {@code timestampMs}, and the exemplars held since the last collection. */
    void write(SampleWriter w, long timestampMs) {
        if (family.mode.nativeHistograms()) {
            refs[0] = w.histogram(refs[0], out[0], timestampMs, exponential.toHistogram(count, sum));
        }
        if (family.mode.classic()) {
            refs[1] = w.sample(refs[1], out[1], timestampMs, sum);
            refs[2] = w.sample(refs[2], out[2], timestampMs, count);
            long cumulative = 0;
            for (int i = 0; i < classic.length; i++) {
                cumulative += classic[i];
                refs[3 + i] = w.sample(refs[3 + i], out[3 + i], timestampMs, cumulative);
            }
        }
        writeExemplars(w);
    }

    /**
     * The classic form carries each exemplar on its bucket's series, the native form all of them on its one series,
     * oldest first (an exemplar store keeps a series' exemplars in time order and drops older ones).
     */
    private void writeExemplars(SampleWriter w) {
        int n = exemplarSet.length;
        for (int i = 0; i < n; i++) {
            if (exemplarSet[i] && family.mode.classic()) {
                w.exemplar(refs[3 + i], out[3 + i], exemplarHi[i], exemplarLo[i], exemplarMs[i], exemplarValue[i]);
            }
        }
        if (family.mode.nativeHistograms()) {
            long after = Long.MIN_VALUE;
            while (true) {
                int next = -1;
                for (int i = 0; i < n; i++) {
                    if (exemplarSet[i] && exemplarMs[i] > after && (next < 0 || exemplarMs[i] < exemplarMs[next])) {
                        next = i;
                    }
                }
                if (next < 0) {
                    break;
                }
                w.exemplar(refs[0], out[0], exemplarHi[next], exemplarLo[next], exemplarMs[next], exemplarValue[next]);
                after = exemplarMs[next];
            }
        }
        Arrays.fill(exemplarSet, false);
    }
}
