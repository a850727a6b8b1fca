package dev.sightline.promql.anomaly;

/**
 * Fuses the point detectors by taking the largest of their scores: z-score, robust z-score and, when a season is
 * given and the window holds enough earlier seasons, the seasonal baseline. All scores share one scale
 * ({@link Scores}), so the max means "the most surprised detector" and a threshold keeps its meaning; a noisy-or
 * would instead rise with the number of detectors even on quiet data. Bimodality is not fused: it judges the
 * window's distribution, not the latest point, and a level shift keeps every window spanning it bimodal.
 */
public final class CombinedDetector implements Detector {
    private final ZScore zscore = new ZScore();
    private final RobustZScore robust = new RobustZScore();
    private final SeasonalBaseline seasonal;

    /** {@code seasonMs <= 0}: no seasonal member. */
    public CombinedDetector(long seasonMs) {
        this.seasonal = seasonMs > 0 ? new SeasonalBaseline(seasonMs) : null;
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        double s = maxIgnoringNaN(zscore.score(ts, vs, from, to), robust.score(ts, vs, from, to));
        return seasonal == null ? s : maxIgnoringNaN(s, seasonal.score(ts, vs, from, to));
    }

    private static double maxIgnoringNaN(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }
}
