package dev.sightline.promql.anomaly;

/**
 * A window {@link Detector} run as a {@link StreamingDetector}: it keeps the window's points itself and judges the
 * latest by re-reading them, so the score is exactly the window detector's (no tolerance) and so is the cost, the
 * whole window per judged point. The bridge for detectors without a streaming form; the judgement is made when
 * {@link #logP} is asked for, not on every {@link #add}, so replaying a window costs one judgement.
 */
public final class WindowDetector implements StreamingDetector {
    /** ln p of the latest point of the window {@code ts[from, to)}, {@code vs[from, to)}; NaN when it cannot judge. */
    @FunctionalInterface
    public interface LogP {
        double logP(long[] ts, double[] vs, int from, int to);
    }

    private final LogP judge;
    private final WindowBuffer window = new WindowBuffer();

    public WindowDetector(LogP judge) {
        this.judge = judge;
    }

    /** A detector that only gives a score: its ln p is recovered from the score (exact below p = 1e-6). */
    public static WindowDetector ofScores(Detector d) {
        return new WindowDetector((ts, vs, from, to) -> Scores.logPOf(d.score(ts, vs, from, to)));
    }

    @Override
    public void add(long t, double v) {
        window.add(t, v);
    }

    @Override
    public void evictThrough(long t) {
        window.evictThrough(t);
    }

    @Override
    public double logP() {
        return window.size() == 0 ? Double.NaN : judge.logP(window.ts(), window.vs(), window.from(), window.to());
    }

    @Override
    public int size() {
        return window.size();
    }

    @Override
    public void clear() {
        window.clear();
    }
}
