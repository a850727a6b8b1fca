package dev.sightline.promql.anomaly;

/**
 * Scores the latest point of a window of one series. The window is {@code ts[from, to)} (milliseconds, ascending)
 * with values {@code vs[from, to)}; the point scored is the last one, and only it and the points before it are
 * read, so a score never depends on the future. The PromQL functions pass a range selector's window, the
 * {@code detect} command a trailing lookback window of the CSV rows read so far: both run this same code.
 * Implementations keep scratch buffers, so an instance is not thread-safe; use one per evaluation.
 */
public interface Detector {
    /** Points a baseline needs before a statistic is computed; with fewer the result is NaN. */
    int MIN_HISTORY = 5;

    /** The score in [0,1] of point {@code to - 1}; NaN when there is not enough history to judge it. */
    double score(long[] ts, double[] vs, int from, int to);
}
