package dev.sightline.promql.anomaly;

/**
 * The z-score of the latest point against the mean and (population) standard deviation of the points before it in
 * the window, the deviation floored at the series' resolution (see {@link Tail}): the seed's {@code volume_spike}.
 * A single large past spike inflates the deviation for as long as it stays in the window; {@link RobustZScore} does
 * not have that weakness.
 *
 * <p>As a {@link StreamingDetector} it keeps compensated sums of the baseline (mean and second moment in O(1)) and
 * the minimum of its steps; only the rank guard of {@link Tail} still passes over the baseline (a few microseconds
 * for a week of minutely points, cheaper in memory than keeping it sorted). Its z and logP equal the window form's on the same points to a relative 1e-9 (StreamingDetectorTest):
 * the mean is the same compensated sum, and the second moment is recomputed exactly from the window whenever the
 * running sums could have lost more than six digits to cancellation (a flat or nearly flat baseline) or have run
 * for more operations than the window holds points.
 */
public final class ZScore extends LatestPointStream implements Detector {
    private final Tail tail = new Tail();
    private final Moments moments = new Moments();
    private final Run baseline;

    public ZScore() {
        this(new PointWindow());
    }

    /** A streaming z-score over a window shared with other detectors. */
    ZScore(PointWindow window) {
        super(window);
        baseline = new Run(window, null, moments);
    }

    /** z of {@code vs[to-1]} against {@code vs[from, to-1)}; NaN with fewer than {@link #MIN_HISTORY} points before it. */
    public static double zscore(double[] vs, int from, int to) {
        if (to - 1 - from < MIN_HISTORY) {
            return Double.NaN;
        }
        double mean = mean(vs, from, to - 1);
        return Tail.z(vs[to - 1] - mean, deviation(vs, from, to - 1, mean), Tail.smallestStep(vs, from, to - 1));
    }

    /** ln of the point's tail probability (see {@link Tail}); NaN with too little history. */
    public double logP(double[] vs, int from, int to) {
        if (to - 1 - from < MIN_HISTORY) {
            return Double.NaN;
        }
        double mean = mean(vs, from, to - 1);
        tail.judge(vs[to - 1] - mean, deviation(vs, from, to - 1, mean), Tail.smallestStep(vs, from, to - 1),
                vs, from, to - 1, mean);
        return tail.logP();
    }

    // Two passes (mean, then squared deviations from it): as stable as Welford for large values with a small
    // spread, without a division per point. The sum is compensated so that the streaming form, which adds and
    // removes the same values in another order, arrives at the same mean.
    private static double mean(double[] vs, int from, int to) {
        return CompensatedSum.of(vs, from, to) / (to - from);
    }

    private static double deviation(double[] vs, int from, int to, double mean) {
        double m2 = 0;
        for (int i = from; i < to; i++) {
            double d = vs[i] - mean;
            m2 += d * d;
        }
        return Math.sqrt(m2 / (to - from));
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return Scores.ofLogP(logP(vs, from, to));
    }

    @Override
    Tail judgeLatest() {
        return judgeLatest(null);
    }

    /**
     * {@link #judgeLatest()} with, when not null, the same baseline held sorted by another detector on the window
     * ({@link RobustZScore#sortedBaseline}): the rank guard is then two binary searches instead of a pass over the
     * baseline, with the same counts.
     */
    Tail judgeLatest(SortedValues sortedBaseline) {
        int from = window.from, to = window.to;
        if (to - 1 - from < MIN_HISTORY) {
            return tail.none();
        }
        if (!window.allFinite()) {
            logP(window.vs, from, to);
            return tail;
        }
        fit();
        double mean = moments.mean, dev = window.vs[to - 1] - mean;
        if (sortedBaseline != null) {
            tail.judge(dev, moments.deviation, baseline.resolution(), sortedBaseline, mean);
        } else {
            tail.judge(dev, moments.deviation, baseline.resolution(), window.vs, from, to - 1, mean);
        }
        return tail;
    }

    /**
     * The latest point's z without the rank guard's pass over the baseline, which only its logP needs: what
     * {@code zscore_over_time} asks of a rule's state at every evaluation (that pass was a fifth of a steady
     * rule-eval cycle's CPU). Equal to {@code judgeLatest().z()}.
     */
    @Override
    public double z() {
        int from = window.from, to = window.to;
        if (to - 1 - from < MIN_HISTORY) {
            return Double.NaN;
        }
        if (!window.allFinite()) {
            return zscore(window.vs, from, to);
        }
        fit();
        return Tail.z(window.vs[to - 1] - moments.mean, moments.deviation, baseline.resolution());
    }

    /** The moments (and resolution) of the baseline: the window's points before the latest, all finite. */
    private void fit() {
        baseline.moveTo(window.firstSeq(), window.lastSeq());
        moments.compute(window.vs, window.from, window.to - 1);
    }

    /** Running sums of a run's finite values: the plain sum (mean) and, around a pivot k, the first two moments. */
    static final class Moments {
        /** Below this ratio of second moment to sum of squares around the pivot, the sums are not trusted. */
        private static final double CANCELLATION = 1e-6;

        private final CompensatedSum sum = new CompensatedSum();
        private final CompensatedSum shifted = new CompensatedSum();
        private final CompensatedSum squares = new CompensatedSum();
        private double pivot;
        private long operations;
        double mean;
        double deviation;

        void clear() {
            sum.clear();
            shifted.clear();
            squares.clear();
            pivot = 0;
            operations = 0;
        }

        void add(double[] vs, int from, int to) {
            for (int i = from; i < to; i++) {
                if (Double.isFinite(vs[i])) {
                    double d = vs[i] - pivot;
                    sum.add(vs[i]);
                    shifted.add(d);
                    squares.add(d * d);
                    operations++;
                }
            }
        }

        void remove(double[] vs, int from, int to) {
            for (int i = from; i < to; i++) {
                if (Double.isFinite(vs[i])) {
                    double d = vs[i] - pivot;
                    sum.add(-vs[i]);
                    shifted.add(-d);
                    squares.add(-(d * d));
                    operations++;
                }
            }
        }

        /** Mean and deviation of vs[from, to), the run summed (all finite). */
        void compute(double[] vs, int from, int to) {
            int n = to - from;
            double q = squares.value();
            double p = shifted.value();
            mean = sum.value() / n;
            // Around the rounded mean, as the window form sums: sum (v - k - d)^2 with d = mean - k.
            double d = mean - pivot;
            double m2 = q - 2 * d * p + n * d * d;
            if (operations <= 2L * n + 64 && m2 > q * CANCELLATION) {
                deviation = Math.sqrt(m2 / n);
                return;
            }
            // Exactly as the window form, then the sums afresh around the mean (cancellation now minimal).
            mean = ZScore.mean(vs, from, to);
            deviation = ZScore.deviation(vs, from, to, mean);
            clear();
            pivot = mean;
            add(vs, from, to);
            operations = 0;
        }
    }
}
