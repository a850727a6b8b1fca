package dev.sightline.promql.anomaly;

/**
 * Neumaier's compensated sum: the running sum plus the rounding error each addition lost, so the result is the
 * correctly rounded sum in all but rare cases whatever the order of the terms. The window and the streaming form of
 * a detector add the same values in different orders (and the streaming form subtracts evicted ones), and both must
 * arrive at the same mean: with plain summation they differ in the last bits, enough to move a point across a tie
 * in the rank guard (see {@link Tail}).
 */
final class CompensatedSum {
    private double sum;
    private double compensation;

    void clear() {
        sum = 0;
        compensation = 0;
    }

    void add(double x) {
        double t = sum + x;
        compensation += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
        sum = t;
    }

    double value() {
        return sum + compensation;
    }

    /** The compensated sum of vs[from, to). */
    static double of(double[] vs, int from, int to) {
        double sum = 0, compensation = 0;
        for (int i = from; i < to; i++) {
            double x = vs[i];
            double t = sum + x;
            compensation += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }
        return sum + compensation;
    }
}
