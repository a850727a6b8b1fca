package dev.sightline.traces.metrics;

import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;

import java.util.List;

/**
 * What the series of one histogram metric share: its names, the classic upper bounds (and their {@code le} texts,
 * formatted as Tempo's generator writes them), which forms are written, and the native histogram's starting schema
 * and bucket limit.
 */
final class HistogramFamily {
    final String name;
    final double[] bounds;
    final String[] le;
    final HistogramMode mode;
    final int schema;
    final int maxBuckets;

    HistogramFamily(String name, List<Double> bounds, HistogramMode mode, int schema, int maxBuckets) {
        this.name = name;
        this.bounds = new double[bounds.size()];
        this.le = new String[bounds.size() + 1];
        for (int i = 0; i < this.bounds.length; i++) {
            this.bounds[i] = bounds.get(i);
            this.le[i] = GoFloats.formatF(this.bounds[i]);
        }
        this.le[this.bounds.length] = "+Inf";
        this.mode = mode;
        this.schema = schema;
        this.maxBuckets = maxBuckets;
    }

    /** The classic bucket of {@code v}: the first whose upper bound is at least {@code v} (bounds are inclusive). */
    int bucket(double v) {
        int lo = 0;
        int hi = bounds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    HistogramSeries newSeries(Labels base) {
        return new HistogramSeries(this, base);
    }
}
