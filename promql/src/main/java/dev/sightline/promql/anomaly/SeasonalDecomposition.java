package dev.sightline.promql.anomaly;

import java.util.Arrays;

/**
 * A robust seasonal decomposition (STL-like, streaming): value = level + daily profile + weekly profile + residual,
 * each season used only when the data show it, and the residual judged against the residuals earlier in the window.
 *
 * <p>The level is an exponentially weighted mean (time constant {@link #LEVEL_DAYS} days) of the value without its
 * seasons, carried forward along a slope smoothed the same way over {@link #SLOPE_DAYS} days (Holt's linear
 * method: a steady trend leaves no lag, so its residuals do not grow while the level catches up);
 * the daily profile has 48 half-hour bins, the weekly one 168 hourly bins (UTC), each an exponentially
 * weighted mean over about {@link #PROFILE_SEASONS} seasons of what the level and the other profile leave. Three
 * models run side by side (level only; + daily; + daily + weekly), each with a running mean absolute error; a
 * season is found when its model has seen one whole season and errs at most {@link #GAIN} times the simpler
 * models, and the point's residual is taken from the best model found. Updates are winsorized at
 * {@link #CLIP} sigmas of that model's error, so an incident does not become part of the profile. p is the
 * residual's tail against the same model's residuals in the window older than 2 hours, once those span a day
 * (median, robust sigma floored at the series' resolution, rank and record guards, see {@link Tail}). The level, profiles and errors are state beyond the
 * window (exponentially forgotten); the residuals are the window's.
 */
public final class SeasonalDecomposition extends PointStream {
    static final long DAY = 86_400_000L;
    static final long WEEK = 7 * DAY;
    static final int DAY_BINS = 48;
    static final int WEEK_BINS = 168;
    static final double LEVEL_DAYS = 1;
    static final double SLOPE_DAYS = 3;
    static final double PROFILE_SEASONS = 3;
    static final double ERROR_DAYS = 3;
    static final double GAIN = 0.85;
    static final double CLIP = 4;
    /** A normal's sigma from its mean absolute deviation. */
    static final double MEAN_AD_SCALE = Math.sqrt(Math.PI / 2);

    /** Residuals join the history this long after their point: an incident of a few hours is judged against calm ones. */
    static final long HOLD_BACK = 2 * 3_600_000L;
    /**
     * Each model's residuals, a column each (their times held once): a point is judged against the residuals of the
     * model that judges it.
     */
    private final RollingSample residuals = new RollingSample(3, HOLD_BACK, 0);
    private final double[] row = new double[3];
    private int model;
    private final Resolution resolution = new Resolution();
    private final PhaseProfile day = new PhaseProfile(DAY, DAY_BINS, PROFILE_SEASONS);
    private final PhaseProfile week = new PhaseProfile(WEEK, WEEK_BINS, PROFILE_SEASONS);
    /** Running mean absolute error of the models: level only, + daily, + daily and weekly. */
    private final double[] error = new double[3];
    private double level = Double.NaN;
    /** The level's trend per millisecond. */
    private double slope;
    /** Running mean of the time between points, for the profiles' weights. */
    private double step;
    private long first;
    private long last;
    /** The latest point's residual, NaN when it has none; judged when its logP is first asked for. */
    private double residual = Double.NaN;

    @Override
    void accept(long t, double v) {
        resolution.add(v);
        if (Double.isNaN(level)) {
            level = v;
            first = t;
            last = t;
            return;
        }
        double dt = t - last;
        step = step == 0 ? dt : step + 0.01 * (dt - step);
        last = t;

        int d = day.bin(t);
        int w = week.bin(t);
        double daily = day.get(d), weekly = week.get(w);
        double previous = level;
        level += slope * dt;
        double r0 = v - level, r1 = r0 - daily, r2 = r1 - weekly;
        model = 0;
        if (t - first >= WEEK && error[2] <= GAIN * Math.min(error[0], error[1])) {
            model = 2;
        } else if (t - first >= DAY && error[1] <= GAIN * error[0]) {
            model = 1;
        }
        double r = model == 0 ? r0 : model == 1 ? r1 : r2;
        // Judged when asked for (a replayed window asks once); held back, r is not part of its own baseline. Not
        // judged until the history spans a day: before, it holds part of a daily cycle that no model follows yet.
        residual = t - first >= DAY + HOLD_BACK ? r : Double.NaN;
        judgeLater();
        row[0] = r0;
        row[1] = r1;
        row[2] = r2;
        residuals.add(t, row);

        double weight = -Math.expm1(-dt / (ERROR_DAYS * DAY));
        error[0] += weight * (Math.abs(r0) - error[0]);
        error[1] += weight * (Math.abs(r1) - error[1]);
        error[2] += weight * (Math.abs(r2) - error[2]);

        // Winsorize the update at CLIP sigmas of the chosen model's error around the full model's prediction; until
        // that error has seen a few points, not at all.
        double scale = residuals.column(model).size() >= Detector.MIN_HISTORY ? CLIP * MEAN_AD_SCALE * error[model]
                : Double.POSITIVE_INFINITY;
        double predicted = level + daily + weekly;
        double x = scale > 0 ? predicted + Math.max(-scale, Math.min(scale, v - predicted)) : predicted;
        level += -Math.expm1(-dt / (LEVEL_DAYS * DAY)) * (x - daily - weekly - level);
        if (dt > 0) {
            slope += -Math.expm1(-dt / (SLOPE_DAYS * DAY)) * ((level - previous) / dt - slope);
        }
        day.update(d, x - level - weekly, step);
        week.update(w, x - level - day.get(d), step);
    }

    @Override
    void trimState() {
        residuals.trim();
    }

    @Override
    void evict(long t) {
        residuals.evictThrough(t);
    }

    @Override
    double judge() {
        return residuals.column(model).logP(residual, resolution.get(), false);
    }

    @Override
    void reset() {
        residuals.clear();
        resolution.clear();
        day.clear();
        week.clear();
        Arrays.fill(error, 0);
        level = Double.NaN;
        slope = 0;
        step = 0;
        residual = Double.NaN;
    }
}
