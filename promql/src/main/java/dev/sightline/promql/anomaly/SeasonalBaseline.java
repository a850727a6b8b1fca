package dev.sightline.promql.anomaly;

/**
 * A seasonal baseline from same-phase medians: the expected value of the latest point (time t) is the median of
 * the earlier points in the window whose time is within {@code tolerance} of t - k * season (k = 1, 2, ...), and its
 * deviation the robust sigma of those same points (see {@link RobustSpread}), floored at their resolution. The band
 * is expected +- n sigma (n = {@link #BAND_SIGMAS} by default) and the statistic the robust z of the latest point
 * against it.
 *
 * <p>Chosen over Holt-Winters because it needs no regular sampling (scrape jitter, gaps, restarts are fine), has
 * no state to carry between evaluations (a rule and a back-test see the same numbers) and a past incident at the
 * same hour is outvoted by the other seasons instead of being smoothed into the forecast. It does not follow a
 * trend within the window; a trend shows up as a growing score, which is usually what one wants to know.
 *
 * <p>As a {@link StreamingDetector} it keeps one {@link Run} per earlier season, the points of its same-phase window,
 * all feeding one sorted multiset: as the latest point moves on, each phase window slides forward by as much, a point
 * entering or leaving costs an insertion or removal, and the median, MAD and rank guard are read off the multiset
 * (see {@link RobustZScore}). The results are the window form's doubles.
 */
public final class SeasonalBaseline extends LatestPointStream implements Detector {
    public static final double BAND_SIGMAS = 3;
    /** Earlier seasons that must have points near the same phase; with one, the "median" is a single day's value. */
    public static final int MIN_SEASONS = 2;

    private final long seasonMs;
    private final long toleranceMs;
    private final RobustSpread spread = new RobustSpread();
    private double expected = Double.NaN;
    private double sigma = Double.NaN;
    private final SortedValues sorted = new SortedValues();
    /** runs[k]: the points near the latest point's time minus (k + 1) seasons. */
    private Run[] runs = new Run[0];

    /** Tolerance season/48: +-30 minutes for a daily season, +-3.5 hours for a weekly one. */
    public SeasonalBaseline(long seasonMs) {
        this(seasonMs, seasonMs / 48);
    }

    public SeasonalBaseline(long seasonMs, long toleranceMs) {
        this(seasonMs, toleranceMs, new PointWindow());
    }

    /** A streaming seasonal baseline over a window shared with other detectors. */
    SeasonalBaseline(long seasonMs, long toleranceMs, PointWindow window) {
        super(window);
        if (seasonMs <= 0) {
            throw new IllegalArgumentException("season must be positive, got " + seasonMs + "ms");
        }
        if (toleranceMs < 0 || 2 * toleranceMs >= seasonMs) {
            throw new IllegalArgumentException("tolerance must be >= 0 and less than half the season, got "
                    + toleranceMs + "ms for a season of " + seasonMs + "ms");
        }
        this.seasonMs = seasonMs;
        this.toleranceMs = toleranceMs;
    }

    /**
     * Fits the baseline of point {@code to - 1} from the points before it; false, with NaN expected value and
     * sigma, when fewer than {@link #MIN_SEASONS} earlier seasons or fewer than {@link #MIN_HISTORY} points match.
     */
    public boolean fit(long[] ts, double[] vs, int from, int to) {
        expected = Double.NaN;
        sigma = Double.NaN;
        int last = to - 1;
        if (last <= from) {
            return false;
        }
        spread.clear();
        int seasons = 0;
        long t = ts[last];
        int hi = last; // points at or after the current phase window are never needed again
        for (long c = t - seasonMs; c + toleranceMs >= ts[from]; c -= seasonMs) {
            int a = PointWindow.firstAtOrAfter(ts, from, hi, c - toleranceMs);
            int b = PointWindow.firstAtOrAfter(ts, a, hi, c + toleranceMs + 1);
            if (b > a) {
                seasons++;
                spread.addAll(vs, a, b);
            }
            hi = a;
        }
        if (seasons < MIN_SEASONS || spread.size() < MIN_HISTORY) {
            return false;
        }
        spread.compute();
        expected = spread.median();
        sigma = spread.sigma();
        return true;
    }

    public double expected() {
        return expected;
    }

    public double sigma() {
        return sigma;
    }

    public double lower(double sigmas) {
        return expected - sigmas * sigma;
    }

    public double upper(double sigmas) {
        return expected + sigmas * sigma;
    }

    /** Robust z of x against the fitted baseline (NaN when the fit failed). */
    public double zscore(double x) {
        return judge(x).z();
    }

    /** The score of x against the fitted baseline (see {@link Tail}; NaN when the fit failed). */
    public double score(double x) {
        return judge(x).score();
    }

    /** ln of the tail probability of the latest point (see {@link Tail}); NaN when the baseline cannot be fitted. */
    public double logP(long[] ts, double[] vs, int from, int to) {
        return fit(ts, vs, from, to) ? judge(vs[to - 1]).logP() : Double.NaN;
    }

    private Tail judge(double x) {
        return Double.isNaN(expected) ? spread.none() : spread.judge(x);
    }

    @Override
    public double score(long[] ts, double[] vs, int from, int to) {
        return Scores.ofLogP(logP(ts, vs, from, to));
    }


    @Override
    Tail judgeLatest() {
        return fitLatest() ? judge(window.vs[window.to - 1]) : spread.none();
    }

    /**
     * {@link #fit} of the latest point in the streaming window: the same expected value, sigma and judgement, from
     * the runs kept between calls. {@link #expected}, {@link #sigma}, {@link #zscore} and {@link #score} then refer
     * to it.
     */
    public boolean fitLatest() {
        int from = window.from, to = window.to;
        if (!window.allFinite() || to - 1 <= from) {
            return fit(window.longTimes(), window.vs, from, to);
        }
        expected = Double.NaN;
        sigma = Double.NaN;
        long t = window.time(to - 1);
        int seasons = 0;
        long points = 0;
        double resolution = Double.POSITIVE_INFINITY;
        int k = 0;
        for (long c = t - seasonMs; c + toleranceMs >= window.time(from); c -= seasonMs, k++) {
            Run r = run(k);
            r.moveTo(window.firstAtOrAfter(c - toleranceMs), window.firstAtOrAfter(c + toleranceMs + 1));
            if (r.size() > 0) {
                seasons++;
                points += r.size();
                double q = r.resolution();
                if (q > 0) {
                    resolution = Math.min(resolution, q);
                }
            }
        }
        for (; k < runs.length; k++) {
            runs[k].clear();
        }
        if (seasons < MIN_SEASONS || points < MIN_HISTORY) {
            return false;
        }
        spread.compute(sorted, resolution == Double.POSITIVE_INFINITY ? 0 : resolution);
        expected = spread.median();
        sigma = spread.sigma();
        return true;
    }

    private Run run(int k) {
        if (k == runs.length) {
            runs = java.util.Arrays.copyOf(runs, k + 1);
            runs[k] = new Run(window, sorted, null);
        }
        return runs[k];
    }

    @Override
    public void trim() {
        super.trim();
        sorted.trim();
    }
}
