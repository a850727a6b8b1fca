package dev.sightline.promql.anomaly;

/**
 * The second layer: judges another detector's recent surprise against that detector's own history on this series,
 * as HTM's anomaly likelihood does. The inner detector's evidence for each point is -ln p; its mean over the last
 * {@code recent} points is compared with the same means earlier in the window (robust scale, rank and record
 * guards of {@link Tail}, only unusually high means count). A series on which the inner detector is always somewhat
 * surprised (a trend it does not model, a ragged seasonal shape) thus learns that this is normal, while a run of
 * points more surprising than usual stands out even when no single one is extreme. No score during a probation at
 * the start of a series (a duration, and at least {@link #MIN_MEANS} earlier means), while the history is too short
 * to say what is usual.
 */
public final class Likelihood implements StreamingDetector {
    /** Earlier means needed before one is judged, besides the probation. */
    static final int MIN_MEANS = 100;
    private final StreamingDetector inner;
    private final double[] recent;
    private int filled;
    private int next;
    private final long probationMs;
    private final RollingSample means;
    private long first = Long.MIN_VALUE;
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
        // A mean joins the history once its points have left the recent ones: an episode is judged against others.
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
        // A record among n earlier means has p about 1/(n+1): below 1% only once n reaches 100.
        if (t - first >= probationMs && means.size() >= MIN_MEANS) {
            logP = means.logP(mean, 0, true);
        }
        means.add(t, mean);
    }

    @Override
    public void evictThrough(long t) {
        inner.evictThrough(t);
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
        means.clear();
        filled = 0;
        next = 0;
        first = Long.MIN_VALUE;
        logP = Double.NaN;
    }
}
