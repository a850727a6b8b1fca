package dev.sightline.promql.anomaly;

/**
 * Level shifts: a two-sided CUSUM of each point's robust z against the level since the last shift, which fires
 * within a few points of a shift's onset and then adopts the new level instead of flagging every point after it.
 *
 * <p>The reference is the median and robust sigma (floored at the series' resolution, see {@link Tail}) of the
 * window's points since the last shift. Each point's z, clipped to +-{@link #CLIP} so that one spike is not a shift
 * and less the mean of the reference points' own z (0 on symmetric data; on a gauge between two steps z against the
 * median would average near k and S would wander off on a stable level), feeds {@code S+ = max(0, S+ + z - k)} and {@code S- = max(0, S- - z - k)} with k = {@link #DRIFT}. Under a stable
 * level S stays near 0; a shift of d sigmas grows it by about d - k per point. p is the larger of exp(-2 k S / v)
 * (the CUSUM's tail for Brownian steps of variance v, the running mean of the clipped z^2, at least 1) and S's tail against the values S took earlier in the window (rank and record
 * guards of {@link Tail}), so skewed or correlated series that keep S high stay calibrated; a point that does not
 * raise S adds no evidence and has p = 1. A point within half the
 * series' step of the reference counts as at it: on quantized series one step is not half a shift. When S passes the
 * threshold the reference restarts from the point where S last left 0 (the onset): the new level becomes normal.
 */
public final class LevelShift extends PointStream {
    /** Allowed drift k of the CUSUM, in sigmas: half the smallest shift it is tuned for (1 sigma). */
    static final double DRIFT = 0.5;
    /** One point moves S by at most CLIP - k. */
    static final double CLIP = 4;
    /** Points the reference needs; fewer (at the start, just after a shift) give no judgement. */
    static final int MIN_REFERENCE = 12;
    /** Points a CUSUM value waits before it joins the values the next ones are judged against. */
    static final int HOLD_BACK = 32;
    /** Earlier CUSUM values needed before one is judged: fewer cannot say how high S usually goes on this series. */
    static final int MIN_PAST = 200;
    /** Points the step variance averages over, at most. */
    static final int STEP_MEMORY = 1000;

    private final double threshold;
    private final RollingSample reference = new RollingSample();
    /** The CUSUM's earlier values; a run joins them only once it is over, so it is judged against calm ones. */
    private final RollingSample past = new RollingSample(0, HOLD_BACK);
    private final Resolution resolution = new Resolution();
    /** Running mean of the clipped z^2 (the CUSUM's step variance; 1 for normal data, more for heavy tails). */
    private double stepVariance = 1;
    private int steps;
    private double up;
    private double down;
    private long upOnset;
    private long downOnset;

    /** {@code threshold}: the CUSUM value (in sigmas) at which a shift is taken as real and the level adopted. */
    public LevelShift(double threshold) {
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be positive and finite, got " + threshold);
        }
        this.threshold = threshold;
    }

    @Override
    void accept(long t, double v) {
        resolution.add(v);
        if (reference.size() >= MIN_REFERENCE) {
            double q = resolution.get(), median = reference.median(), sigma = reference.sigma();
            // z less its mean over the reference: on a two-valued series (a quantized gauge between two steps) z
            // against the median averages near k, and S would wander off unbounded on a stable level.
            double nullMean = 0;
            for (int i = 0; i < reference.size(); i++) {
                nullMean += clippedZ(reference.value(i) - median, sigma, q);
            }
            double z = clippedZ(v - median, sigma, q) - nullMean / reference.size();
            steps = Math.min(steps + 1, STEP_MEMORY);
            stepVariance += (z * z - stepVariance) / steps;
            if (up == 0) {
                upOnset = t;
            }
            if (down == 0) {
                downOnset = t;
            }
            double before = Math.max(up, down);
            up = Math.max(0, up + z - DRIFT);
            down = Math.max(0, down - z - DRIFT);
            double s = Math.max(up, down);
            double own = past.size() >= MIN_PAST ? past.logP(s, 0, true) : Double.NaN;
            // Only a point that adds to the evidence is news: while S decays after an excursion, p is 1.
            double brownian = -2 * DRIFT * s / Math.max(1, stepVariance);
            logP = Double.isNaN(own) ? Double.NaN : s <= before ? 0 : Math.max(brownian, own);
            past.add(t, s);
            if (s > threshold) {
                long onset = up >= down ? upOnset : downOnset;
                while (reference.size() > 0 && reference.time(0) < onset) {
                    reference.removeOldest();
                }
                up = 0;
                down = 0;
            }
        }
        reference.add(t, v);
    }

    /** The robust z of a deviation, within half the step of the reference counting as at it, clipped to +-CLIP. */
    private static double clippedZ(double dev, double sigma, double q) {
        double z = Tail.z(Math.copySign(Math.max(0, Math.abs(dev) - q / 2), dev), sigma, q);
        return Math.max(-CLIP, Math.min(CLIP, z));
    }

    @Override
    void evict(long t) {
        reference.evictThrough(t);
        past.evictThrough(t);
    }

    @Override
    void reset() {
        reference.clear();
        past.clear();
        resolution.clear();
        up = 0;
        down = 0;
        stepVariance = 1;
        steps = 0;
    }
}
