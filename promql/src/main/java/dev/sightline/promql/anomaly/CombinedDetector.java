package dev.sightline.promql.anomaly;

/**
 * Fuses the detectors by the harmonic mean of their tail probabilities (HMP, {@code L / sum(1/p_i)} over the L
 * members that have one): the z-score, the robust z-score and, when a season is given, the seasonal baseline (once
 * the window holds enough earlier seasons), judged on the window; and, streaming, the seasonal decomposition
 * ({@link SeasonalDecomposition}, whose daily and weekly seasons are found from the data; it is left out with the
 * season, so {@code season 0} means a judgement without seasons). The HMP lies between
 * the smallest p and L times it: a point one member finds extreme stays extreme, and points several find unusual
 * rank above those only one does, while a maximum of scores would add every member's false alarms. The HMP stays a
 * valid p-value for dependent tests like these (all judge the same point), which Fisher's method does not.
 * Bimodality is not fused: it judges the window's distribution, not the latest point, and a level shift keeps
 * every window spanning it bimodal.
 *
 * <p>Streaming, the z-score, robust z-score and seasonal baseline share one window of points (a point is held once)
 * and the decomposition keeps its own state. On a window ({@link #logP(long[], double[], int, int)}, the PromQL
 * function's path without state to reuse) the three window members judge the window directly and the decomposition
 * is fed the window afresh, so the two paths agree for a state that holds just the window.
 */
public final class CombinedDetector extends WindowedStream implements Detector {
    private final ZScore zscore;
    private final RobustZScore robust;
    private final SeasonalBaseline seasonal;
    /** Members with state of their own beyond the shared window: the decomposition (none without a season). */
    private final StreamingDetector[] members;
    private final double[] logPs;

    /** {@code seasonMs <= 0}: no seasonal member (neither the seasonal baseline nor the decomposition). */
    public CombinedDetector(long seasonMs) {
        super(new PointWindow());
        zscore = new ZScore(window);
        robust = new RobustZScore(window);
        seasonal = seasonMs > 0 ? new SeasonalBaseline(seasonMs, seasonMs / 48, window) : null;
        // Of the streaming detectors only the decomposition helps on the labelled corpora (docs/anomaly.md).
        members = seasonMs > 0 ? new StreamingDetector[]{new SeasonalDecomposition()} : new StreamingDetector[0];
        logPs = new double[3 + members.length];
    }

    @Override
    public void add(long t, double v) {
        super.add(t, v);
        for (StreamingDetector m : members) {
            m.add(t, v);
        }
    }

    @Override
    public void evictThrough(long t) {
        super.evictThrough(t);
        for (StreamingDetector m : members) {
            m.evictThrough(t);
        }
    }

    @Override
    public void trim() {
        robust.trim();
        if (seasonal != null) {
            seasonal.trim();
        }
        for (StreamingDetector m : members) {
            m.trim();
        }
    }

    @Override
    public void clear() {
        super.clear();
        for (StreamingDetector m : members) {
            m.clear();
        }
    }

    /** ln of the harmonic mean of the members' tail probabilities for the latest point; NaN when none has one. */
    @Override
    public double logP() {
        // The z-score's rank guard counts in the robust member's sorted copy of the same baseline: a pass over a
        // week of points per score was a third of a steady rule-eval cycle's CPU.
        logPs[0] = zscore.judgeLatest(robust.sortedBaseline()).logP();
        logPs[1] = robust.logP();
        logPs[2] = seasonal == null ? Double.NaN : seasonal.logP();
        for (int i = 0; i < members.length; i++) {
            logPs[3 + i] = members[i].logP();
        }
        return harmonicMeanLogP(logPs, logPs.length);
    }

    /** ln p of the latest point of the window {@code ts[from, to)}; the decomposition is fed the window afresh. */
    public double logP(long[] ts, double[] vs, int from, int to) {
        if (to <= from) {
            return Double.NaN;
        }
        logPs[0] = zscore.logP(vs, from, to);
        logPs[1] = robust.logP(vs, from, to);
        logPs[2] = seasonal == null ? Double.NaN : seasonal.logP(ts, vs, from, to);
        for (int i = 0; i < members.length; i++) {
            StreamingDetector m = members[i];
            m.clear();
            for (int j = from; j < to; j++) {
                m.add(ts[j], vs[j]);
            }
            logPs[3 + i] = m.logP();
        }
        return harmonicMeanLogP(logPs, logPs.length);
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return Scores.ofLogP(logP(ts, vs, from, to));
    }

    /** ln(L / sum exp(-lp_i)) over the non-NaN lp[0, n), summed relative to the largest 1/p so nothing overflows. */
    static double harmonicMeanLogP(double[] lp, int n) {
        double top = Double.NEGATIVE_INFINITY;
        int members = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(lp[i])) {
                top = Math.max(top, -lp[i]);
                members++;
            }
        }
        if (members == 0) {
            return Double.NaN;
        }
        if (top == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(lp[i])) {
                sum += Math.exp(-lp[i] - top);
            }
        }
        return Math.min(0, Math.log(members) - top - Math.log(sum));
    }
}
