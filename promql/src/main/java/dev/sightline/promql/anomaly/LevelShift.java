package dev.sightline.promql.anomaly;

/**
 * Level shifts: a two-sided CUSUM of each point's robust z against the level since the last shift, which fires
 * within a few points of a shift's onset and then adopts the new level instead of flagging every point after it.
 *
 * <p>With a season, the CUSUM reads the values less their phase's profile: each of {@link #BINS} bins of the season
 * learns (over about {@link #PROFILE_SEASONS} visits, winsorized) how far its points lie from the median of the last
 * season's values, and once two seasons were seen the profile is subtracted and the reference restarts. A daily
 * rhythm is then not a shift twice a day: on an integer gauge whose share of the upper of two values follows the
 * time of day, the raw CUSUM adopted "shifts" every morning and evening and scored up to 5.7% of quiet points >= 0.99.
 *
 * <p>The reference is the median and robust sigma (floored at the series' resolution, see {@link Tail}) of the
 * window's points since the last shift. Each point's z, clipped to +-{@link #CLIP} so that one spike is not a shift
 * and less the mean of the reference points' own z (0 on symmetric data; on a gauge between two steps z against the
 * median would average near k and S would wander off on a stable level), feeds {@code S+ = max(0, S+ + z - k)} and
 * {@code S- = max(0, S- - z - k)} with k = {@link #DRIFT}. Under a stable level S stays near 0; a shift of d sigmas
 * grows it by about d - k per point. p is the larger of exp(-2 k S / v) (the CUSUM's tail for Brownian steps of
 * variance v, the running mean of the clipped z^2, at least 1) and S's tail against the values S took earlier in the
 * window (rank and record guards of {@link Tail}, values within 2k of each other tied: finer differences are one
 * step's noise), so skewed or correlated series that keep S high (a trend is a shift after shift) stay calibrated; a
 * point that does not raise S adds no evidence and has p = 1. A point within half the series' step of the reference
 * counts as at it: on quantized series one step is not half a shift. When S passes the threshold the reference
 * restarts from the point where S last left 0 (the onset): the new level becomes normal.
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

    /** Bins of the season's profile (half an hour of a daily season). */
    static final int BINS = 48;
    /** Visits of a bin its profile averages over. */
    static final double PROFILE_SEASONS = 3;

    private final double threshold;
    /** The season's rhythm as deviations from the level (null without a season). */
    private final PhaseProfile profile;
    private final long seasonMs;
    /** The profile is subtracted once the series spans two seasons; the reference restarts then, deseasonalised. */
    private boolean seasonal;
    private long first = Long.MIN_VALUE;
    private long last;
    /** Running mean of the time between points, for the profile's weights. */
    private double stepMs;
    /**
     * The values of the last season, whose median is the level the profile's deviations are measured from: it holds
     * every phase once, so the rhythm does not move it, and on a trend it lags by a constant no bin sees more than
     * another.
     */
    private final RollingSample lastSeason = new RollingSample();
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

    /**
     * {@code threshold}: the CUSUM value (in sigmas) at which a shift is taken as real and the level adopted;
     * {@code seasonMs}: the season whose rhythm is not a shift ({@code <= 0}: none).
     */
    public LevelShift(double threshold, long seasonMs) {
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be positive and finite, got " + threshold);
        }
        if (seasonMs > 0 && seasonMs < BINS) {
            throw new IllegalArgumentException("season must be 0 (none) or at least " + BINS + " ms, got " + seasonMs);
        }
        this.threshold = threshold;
        this.seasonMs = seasonMs;
        this.profile = seasonMs > 0 ? new PhaseProfile(seasonMs, BINS, PROFILE_SEASONS) : null;
    }

    @Override
    void accept(long t, double v) {
        resolution.add(v);
        int bin = 0;
        double x = v;
        if (profile != null) {
            if (first == Long.MIN_VALUE) {
                first = t;
            } else {
                stepMs = stepMs == 0 ? t - last : stepMs + 0.01 * (t - last - stepMs);
            }
            last = t;
            lastSeason.evictThrough(t - seasonMs);
            lastSeason.add(t, v);
            if (!seasonal && t - first >= 2 * seasonMs) {
                // A whole season's profile learned: from here the reference holds values less their phase's
                // profile, and what the CUSUM read into the raw values' rhythm is forgotten.
                seasonal = true;
                reference.clear();
                up = 0;
                down = 0;
            }
            bin = profile.bin(t);
            double expected = profile.get(bin);
            x = seasonal ? v - expected : v;
            if (t - first >= seasonMs) {
                // Learned once the last season is all there (its median no longer moves with the phase), winsorized
                // at CLIP scales of the reference so a spike or a shift's first points barely move it.
                double limit = reference.size() >= MIN_REFERENCE
                        ? CLIP * Tail.scale(reference.sigma(), resolution.get()) : Double.POSITIVE_INFINITY;
                double deviation = v - lastSeason.median() - expected;
                profile.update(bin, expected + Math.max(-limit, Math.min(limit, deviation)), stepMs);
            }
        }
        if (reference.size() >= MIN_REFERENCE) {
            double q = resolution.get(), median = reference.median(), sigma = reference.sigma();
            // z less its mean over the reference: on a two-valued series (a quantized gauge between two steps) z
            // against the median averages near k, and S would wander off unbounded on a stable level.
            double nullMean = 0;
            for (int i = 0; i < reference.size(); i++) {
                nullMean += clippedZ(reference.value(i) - median, sigma, q);
            }
            double z = clippedZ(x - median, sigma, q) - nullMean / reference.size();
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
            // S values within 2k of each other tie: finer differences are one step's noise, and a trend's run after
            // run would otherwise make each run's top a rank record.
            double own = past.size() >= MIN_PAST ? past.logP(s, 2 * DRIFT, true) : Double.NaN;
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
        reference.add(t, x);
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
        if (profile != null) {
            profile.clear();
        }
        seasonal = false;
        first = Long.MIN_VALUE;
        stepMs = 0;
        lastSeason.clear();
    }
}
