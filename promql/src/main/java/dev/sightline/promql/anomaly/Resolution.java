package dev.sightline.promql.anomaly;

/**
 * A stream's resolution: the smallest non-zero step between successive values seen since the last clear, the
 * streaming form of {@link Tail#smallestStep} (0 while the values never moved). Scales are floored at it over sqrt 12
 * so that flat and quantized series give finite z.
 */
final class Resolution {
    private double previous = Double.NaN;
    private double step = Double.POSITIVE_INFINITY;

    void add(double v) {
        double d = Math.abs(v - previous);
        if (d > 0 && d < step) {
            step = d;
        }
        previous = v;
    }

    double get() {
        return step == Double.POSITIVE_INFINITY ? 0 : step;
    }

    void clear() {
        previous = Double.NaN;
        step = Double.POSITIVE_INFINITY;
    }
}
