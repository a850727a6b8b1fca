package dev.sightline.promql.anomaly;

/**
 * Slow drifts: the gap between a short and a long exponentially weighted mean of the series, judged against the gaps
 * seen earlier in the window. A trend that sets in pulls the short mean away from the long one by slope x (long -
 * short time constant) and keeps it there, while a lone spike moves the short mean only by its share; the series'
 * usual gaps (daily ramps, noise) are in the history, so only a gap larger than usual is unusual.
 *
 * <p>The means are weighted by time ({@code 1 - exp(-dt / tau)} per point), so irregular sampling and gaps are
 * fine. A gap is judged (robust scale, rank and record guards of {@link Tail}, floored at the series' resolution)
 * against the gaps older than {@link #HOLD_BACK} short time constants, once those span a long one (the first long time
 * constant of gaps is not kept: the long mean is still forgetting its start). A gap no wider than the one before
 * adds no evidence and has p = 1.
 */
public final class Drift extends PointStream {
    static final int HOLD_BACK = 4;
    private final long shortMs;
    private final long longMs;
    private final RollingSample gaps;
    private final Resolution resolution = new Resolution();
    private double fast = Double.NaN;
    private double slow = Double.NaN;
    private double previousGap;
    private long first;
    private long last;

    public Drift(long shortMs, long longMs) {
        if (shortMs <= 0 || longMs <= shortMs) {
            throw new IllegalArgumentException("need 0 < short < long time constant, got short " + shortMs
                    + "ms and long " + longMs + "ms");
        }
        this.shortMs = shortMs;
        this.longMs = longMs;
        // A gap joins the history after HOLD_BACK short time constants: a trend is judged against the gaps before it.
        this.gaps = new RollingSample(HOLD_BACK * shortMs, 0);
    }

    @Override
    void accept(long t, double v) {
        resolution.add(v);
        if (Double.isNaN(fast)) {
            fast = v;
            slow = v;
            first = t;
        } else {
            double dt = t - last;
            fast += -Math.expm1(-dt / shortMs) * (v - fast);
            slow += -Math.expm1(-dt / longMs) * (v - slow);
        }
        last = t;
        double gap = fast - slow;
        // Gaps are kept once the long mean has forgotten its start (one time constant), and judged once they span
        // another (a day of them by default, so a daily cycle's gaps are all history). The scale is floored at the
        // series' resolution: a flat series that moves by one step does not drift.
        long age = t - first;
        if (age >= longMs) {
            // A gap that is not wider than the last adds no evidence (a spike's share decaying from the short mean).
            logP = age < 2 * longMs + HOLD_BACK * shortMs ? Double.NaN
                    : Math.abs(gap) <= Math.abs(previousGap) ? 0 : gaps.logP(gap, resolution.get(), false);
            gaps.add(t, gap);
            previousGap = gap;
        }
    }

    @Override
    void evict(long t) {
        gaps.evictThrough(t);
    }

    @Override
    void reset() {
        gaps.clear();
        resolution.clear();
        fast = Double.NaN;
        slow = Double.NaN;
        previousGap = 0;
    }
}
