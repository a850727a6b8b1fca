package dev.sightline.server.query;

import dev.sightline.core.text.PromDurations;

import java.util.Locale;

/**
 * What one range query may ask for: a time range (end - start) of at most {@code maxRangeNanos} (0: any, as
 * Prometheus), and at most {@code maxPointsPerSeries} steps per series (Prometheus refuses more than 11,000). Every
 * range endpoint checks it the same way: PromQL, LogQL and TraceQL metrics query_range.
 */
public record RangeLimits(long maxRangeNanos, long maxPointsPerSeries) {
    public static final long DEFAULT_MAX_POINTS = 11_000;
    public static final RangeLimits DEFAULT = new RangeLimits(0, DEFAULT_MAX_POINTS);

    public RangeLimits {
        if (maxRangeNanos < 0 || maxPointsPerSeries <= 0) {
            throw new IllegalArgumentException("range limits: the range must not be negative, the points must be positive");
        }
    }

    /** Why this range is refused (naming limits.query_max_range), or null when it is within the limit. */
    public String rangeError(long startNanos, long endNanos) {
        long length = saturatingSub(endNanos, startNanos);
        if (maxRangeNanos == 0 || length <= maxRangeNanos) {
            return null;
        }
        return "the query time range exceeds the limit (query length: " + PromDurations.format(length / 1_000_000)
                + ", limit: " + PromDurations.format(maxRangeNanos / 1_000_000) + "; limits.query_max_range)";
    }

    /** Whether {@code (end - start) / step} is over the points limit (the step is positive). */
    public boolean tooManyPoints(long startNanos, long endNanos, long stepNanos) {
        return saturatingSub(endNanos, startNanos) / stepNanos > maxPointsPerSeries;
    }

    /** The points limit as Prometheus writes it in its message: "11,000". */
    public String maxPointsText() {
        return String.format(Locale.ROOT, "%,d", maxPointsPerSeries);
    }

    /** Go's time.Sub saturates: so does this. */
    private static long saturatingSub(long end, long start) {
        long d = end - start;
        return ((end ^ start) & (end ^ d)) < 0 ? (end < start ? Long.MIN_VALUE : Long.MAX_VALUE) : d;
    }
}
