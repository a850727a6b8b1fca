package dev.sightline.promql.anomaly;

/**
 * Fuses the point detectors: z-score, robust z-score and, when a season is given and the window holds enough
 * earlier seasons, the seasonal baseline, by the harmonic mean of their tail probabilities (HMP,
 * {@code L / sum(1/p_i)} over the L members that have one). The HMP lies between the smallest p and L times it: a
 * point one member finds extreme stays extreme, and points several find unusual rank above those only one does,
 * while a maximum of scores would add every member's false alarms. The HMP stays a valid p-value for dependent
 * tests like these (all judge the same point), which Fisher's method does not. Bimodality is not fused: it judges
 * the window's distribution, not the latest point, and a level shift keeps every window spanning it bimodal.
 *
 * <p>As a {@link StreamingDetector} its members' streaming forms share one window of points.
 */
public final class CombinedDetector extends WindowedStream implements Detector {
    private final ZScore zscore;
    private final RobustZScore robust;
    private final SeasonalBaseline seasonal;

    /** {@code seasonMs <= 0}: no seasonal member. */
    public CombinedDetector(long seasonMs) {
        super(new PointWindow());
        zscore = new ZScore(window);
        robust = new RobustZScore(window);
        seasonal = seasonMs > 0 ? new SeasonalBaseline(seasonMs, seasonMs / 48, window) : null;
    }

    /** ln of the harmonic mean of the members' tail probabilities; NaN when no member has enough history. */
    public double logP(long[] ts, double[] vs, int from, int to) {
        return harmonicMeanLogP(zscore.logP(vs, from, to), robust.logP(vs, from, to),
                seasonal == null ? Double.NaN : seasonal.logP(ts, vs, from, to));
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return Scores.ofLogP(logP(ts, vs, from, to));
    }

    @Override
    public double logP() {
        return harmonicMeanLogP(zscore.logP(), robust.logP(), seasonal == null ? Double.NaN : seasonal.logP());
    }

    /** ln(L / sum exp(-lp_i)) over the non-NaN lp_i, summed relative to the largest 1/p so nothing overflows. */
    static double harmonicMeanLogP(double a, double b, double c) {
        double top = Math.max(nanAsMinusInf(-a), Math.max(nanAsMinusInf(-b), nanAsMinusInf(-c)));
        if (top == Double.NEGATIVE_INFINITY) {
            return Double.NaN;
        }
        if (top == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        int members = (Double.isNaN(a) ? 0 : 1) + (Double.isNaN(b) ? 0 : 1) + (Double.isNaN(c) ? 0 : 1);
        double sum = relativeInverse(a, top) + relativeInverse(b, top) + relativeInverse(c, top);
        return Math.min(0, Math.log(members) - top - Math.log(sum));
    }

    /** 1/p relative to exp(top); 0 for a member without a p. */
    private static double relativeInverse(double lp, double top) {
        return Double.isNaN(lp) ? 0 : Math.exp(-lp - top);
    }

    private static double nanAsMinusInf(double x) {
        return Double.isNaN(x) ? Double.NEGATIVE_INFINITY : x;
    }
}
