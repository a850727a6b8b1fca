package dev.sightline.promql.anomaly;

/**
 * A detector whose state is one series' trailing window, kept up to date point by point, so a score costs the new
 * points and not a re-read of the whole window. {@code detect} feeds every row through one; rules keep one per
 * rule and series between evaluations (adding the points that arrived and evicting those that left the range); a
 * PromQL range function with no state to reuse builds one from the window's points. All three must give the score
 * {@link Detector#score} gives on the same window, within a tolerance the implementation states.
 *
 * <p>The window is the points added and not yet evicted; the point judged is the latest added, its baseline the
 * points before it in the window. Not thread-safe: one instance per series.
 */
public interface StreamingDetector {
    /** Appends the newest point; {@code t} in milliseconds, strictly after the previous point's. */
    void add(long t, double v);

    /** Drops every point with a timestamp {@code <= t}: the window's start moved past it. */
    void evictThrough(long t);

    /**
     * ln of the latest point's tail probability against its baseline (see {@link Scores}); NaN when the window is
     * empty or the baseline too short to judge it.
     */
    double logP();

    /** Points in the window. */
    int size();

    /** Forgets every point, as a new series (used after a gap or reset the caller cannot replay). */
    void clear();

    /**
     * Shrinks the state's arrays to the window (and a sixteenth more, room to slide): a full read grows them in
     * steps of half their size, and a rule keeps its state for as long as it runs.
     */
    default void trim() {
    }

    /** The score in [0,1] of {@link #logP()}, as {@link Detector#score} returns it. */
    default double score() {
        return Scores.ofLogP(logP());
    }
}
