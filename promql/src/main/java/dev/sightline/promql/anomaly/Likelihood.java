package dev.sightline.promql.anomaly;

/**
 * The second layer: judges another detector's surprise against that detector's own history on this series, as HTM's
 * anomaly likelihood does, but by rank rather than by a fitted Gaussian, so the result is calibrated whatever the
 * inner detector's scores look like on the series. The inner detector's evidence for a point is -ln p; two
 * statistics of it are ranked among the values they took earlier in the window: the point's own evidence (a single
 * extreme point) and its mean over the last {@code recent} points (a run of points more surprising than usual, none
 * of them extreme). Each gets the upper rank p-value {@code (k + 1) / (n + 1)}, exactly uniform when the series is
 * quiet (exchangeable), extended beyond the history's largest value by an exponential tail so that records keep
 * their order ({@link RollingSample#upperRankLogP}); the layer's p is twice the smaller (Bonferroni), so at most
 * 1% of quiet points reach p = 1% by construction. A series on which the inner detector is always somewhat surprised
 * (a trend it does not model, a ragged seasonal shape) thus learns that this is normal. The statistics join the
 * history {@code recent} points late: successive means share points, so a mean is judged against means that share
 * none with it, and an episode against other episodes rather than against its own start. No score during a
 * probation at the start of a series (a duration, and at least {@link #MIN_HISTORY} earlier statistics: a record
 * among fewer would be no 1% event).
 */
public final class Likelihood implements StreamingDetector {
    /** Earlier statistics needed before one is judged, besides the probation: then a record alone has p < 1%. */
    static final int MIN_HISTORY = 100;
    private static final double LOG_2 = Math.log(2);
    /**
     * Evidence within ln 10 ties (p within a factor 10): the inner detector's p for a usual event is not stable, it
     * falls as the inner window fills (a flat series' first move has p = 1 / (n + 1)), so each such event would
     * otherwise be a new record against the same events judged on a shorter window.
     */
    private static final double TOLERANCE = Math.log(10);
    private final StreamingDetector inner;
    private final double[] recent;
    private int filled;
    private int next;
    private final long probationMs;
    private final RollingSample points;
    private final RollingSample means;
    private long first = Long.MIN_VALUE;
    private double previousMean = Double.NaN;
    private double logP = Double.NaN;

    /** {@code recent}: points averaged; {@code probationMs}: how long after its first judged point it stays silent. */
    public Likelihood(StreamingDetector inner, int recent, long probationMs) {
        if (recent < 1) {
            throw new IllegalArgumentException("recent points must be at least 1, got " + recent);
        }
        if (probationMs < 0) {
            throw new IllegalArgumentException("probation must not be negative, got " + probationMs + "ms");
        }
        this.inner = inner;
        this.recent = new double[recent];
        this.probationMs = probationMs;
        this.points = new RollingSample(0, recent);
        this.means = new RollingSample(0, recent);
    }

    @Override
    public void add(long t, double v) {
        inner.add(t, v);
        logP = Double.NaN;
        double evidence = -inner.logP();
        if (Double.isNaN(evidence)) {
            return;
        }
        // A point with no tail (p = 0) would make the mean infinite for the next points: it counts as a record.
        evidence = Math.min(evidence, Double.MAX_VALUE / recent.length);
        filled = Math.min(filled + 1, recent.length);
        recent[next] = evidence;
        next = (next + 1) % recent.length;
        if (filled < recent.length) {
            return;
        }
        if (first == Long.MIN_VALUE) {
            first = t;
        }
        double sum = 0; // summed afresh: a running sum would drift and cannot take back a huge value exactly
        for (double e : recent) {
            sum += e;
        }
        double mean = sum / recent.length;
        if (t - first >= probationMs && means.size() >= MIN_HISTORY) {
            // A mean no higher than the one before adds no evidence (p = 1): the means that share one odd point
            // would otherwise all be judged on it, a run of alarms for one event. The tails fall off no faster than
            // those of calibrated evidence: Exp(1) for a point, for the mean of `recent` independent points a Gamma
            // whose tail decays at rate `recent` (and ties are that much closer).
            double r = recent.length;
            double lpMean = mean > previousMean ? means.upperRankLogP(mean, TOLERANCE / r, 1 / r) : 0;
            logP = Math.min(0, LOG_2 + Math.min(points.upperRankLogP(evidence, TOLERANCE, 1), lpMean));
        }
        points.add(t, evidence);
        means.add(t, mean);
        previousMean = mean;
    }

    @Override
    public void evictThrough(long t) {
        inner.evictThrough(t);
        points.evictThrough(t);
        means.evictThrough(t);
    }

    @Override
    public double logP() {
        return logP;
    }

    @Override
    public int size() {
        return inner.size();
    }

    @Override
    public void clear() {
        inner.clear();
        points.clear();
        means.clear();
        filled = 0;
        next = 0;
        first = Long.MIN_VALUE;
        previousMean = Double.NaN;
        logP = Double.NaN;
    }
}
