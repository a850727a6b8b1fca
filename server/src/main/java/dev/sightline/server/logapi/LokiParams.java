package dev.sightline.server.logapi;

import dev.sightline.core.text.GoQuote;
import dev.sightline.core.text.PromDurations;
import dev.sightline.logs.LogSelection.Direction;
import dev.sightline.server.promapi.Params;
import dev.sightline.server.query.RangeLimits;
import io.vertx.ext.web.RoutingContext;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

/**
 * Request parameters of Loki's query API as Loki's pkg/loghttp reads them (r.Form: form body first, then the query
 * string): timestamps in unix seconds, nanoseconds, float seconds or RFC 3339; {@code since}; steps and intervals as
 * float seconds or Prometheus durations; {@code limit}, {@code direction}. Failures are {@link BadRequest}s worded as
 * Loki words them.
 */
final class LokiParams {
    static final int DEFAULT_LIMIT = 100;
    static final long SECOND = 1_000_000_000L;
    static final long HOUR = 3600 * SECOND;
    /** Loki's max_entries_limit_per_query default. */
    static final int MAX_ENTRIES = 5000;
    /** Loki's max_query_length default (30d1h). */
    static final long MAX_QUERY_LENGTH = 721 * HOUR;
    private final Params form;
    private final long nowNanos;
    /** limits.query_max_range and query_max_points_per_series. */
    private final RangeLimits ranges;

    LokiParams(RoutingContext ctx, long nowNanos, RangeLimits ranges) {
        this.form = Params.of(ctx.request().formAttributes(), ctx.queryParams());
        this.nowNanos = nowNanos;
        this.ranges = ranges;
    }

    /** A 400 answer with Loki's plain-text message. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    long now() {
        return nowNanos;
    }

    /** The first value, "" when absent. */
    String get(String name) {
        return form.get(name);
    }

    List<String> all(String name) {
        return form.all(name);
    }

    /** A required parameter's value. */
    String required(String name) {
        String v = get(name);
        if (v.isBlank()) {
            throw new BadRequest("missing required parameter '" + name + "'");
        }
        return v;
    }

    /**
     * Loki's parseTimestamp: with a dot, float seconds (the fraction rounded to milliseconds); an integer of at most
     * 10 digits, unix seconds; a longer one, unix nanoseconds; otherwise RFC 3339 with an optional fraction.
     */
    static long timestamp(String name, String value) {
        if (value.indexOf('.') >= 0) {
            try {
                double t = Double.parseDouble(value);
                if (Double.isFinite(t) && Math.abs(t) < 9.2e9) {
                    double whole = t < 0 ? Math.ceil(t) : Math.floor(t);
                    double frac = Math.rint((t - whole) * 1000) / 1000;
                    return (long) whole * SECOND + (long) (frac * SECOND);
                }
            } catch (NumberFormatException e) {
                // not a float: an RFC 3339 time below
            }
        }
        long n;
        try {
            n = Params.parseGoInt(value);
        } catch (IllegalArgumentException e) {
            try {
                OffsetDateTime t = Params.rfc3339(value);
                return Math.addExact(Math.multiplyExact(t.toEpochSecond(), SECOND), t.getNano());
            } catch (DateTimeException | ArithmeticException notTime) {
                throw new BadRequest("could not parse '" + name + "' parameter: strconv.ParseInt: parsing "
                        + GoQuote.quote(value) + ": invalid syntax");
            }
        }
        if (value.length() <= 10) {
            // Seconds past 2262 do not fit in nanoseconds: refused rather than wrapped to a negative time.
            try {
                return Math.multiplyExact(n, SECOND);
            } catch (ArithmeticException e) {
                throw new BadRequest("could not parse '" + name + "' parameter: " + value
                        + " seconds is out of the range of unix nanoseconds");
            }
        }
        return n;
    }

    /** A timestamp parameter, or {@code dflt} when absent. */
    long time(String name, long dflt) {
        String v = get(name);
        return v.isEmpty() ? dflt : timestamp(name, v);
    }

    /**
     * {@code [start, end]} as Loki's determineBounds: end defaults to now; start to end (or now, when end is in the
     * future) minus {@code since}, itself defaulting to {@code defaultSince}; an end before start is refused.
     */
    long[] bounds(long defaultSince) {
        long since = defaultSince;
        String s = get("since");
        if (!s.isEmpty()) {
            try {
                since = PromDurations.parseMillis(s) * 1_000_000L;
            } catch (IllegalArgumentException e) {
                throw new BadRequest("could not parse 'since' parameter: not a valid duration string: "
                        + GoQuote.quote(s));
            }
        }
        long end = time("end", nowNanos);
        long start = time("start", Math.min(end, nowNanos) - since);
        if (end < start) {
            throw new BadRequest("end timestamp must not be before or equal to start time");
        }
        return new long[]{start, end};
    }

    /** {@link #bounds} of at most {@link #MAX_QUERY_LENGTH} and limits.query_max_range. */
    long[] queryBounds(long defaultSince) {
        long[] b = bounds(defaultSince);
        if (b[1] - b[0] > MAX_QUERY_LENGTH) {
            throw new BadRequest("the query time range exceeds the limit (query length: " + hours(b[1] - b[0])
                    + ", limit: " + hours(MAX_QUERY_LENGTH) + ")");
        }
        String tooLong = ranges.rangeError(b[0], b[1]);
        if (tooLong != null) {
            throw new BadRequest(tooLong);
        }
        return b;
    }

    private static String hours(long nanos) {
        return String.format(Locale.ROOT, "%.1fh", nanos / (double) HOUR);
    }

    /** A positive integer parameter, {@code dflt} when absent. */
    int positive(String name, int dflt) {
        return integer(name, dflt, 1, name + " must be a positive value");
    }

    /** An integer parameter of at least {@code min}, {@code dflt} when absent. */
    int integer(String name, int dflt, int min, String tooSmall) {
        String v = get(name);
        if (v.isEmpty()) {
            return dflt;
        }
        long l;
        try {
            l = Params.parseGoInt(v);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
        if (l < min) {
            throw new BadRequest(tooSmall);
        }
        if (l > Integer.MAX_VALUE) {
            throw new BadRequest(name + " " + v + " is too large");
        }
        return (int) l;
    }

    /** {@code limit} (lines): default 100, at most {@link #MAX_ENTRIES}. */
    int limit() {
        int limit = positive("limit", DEFAULT_LIMIT);
        if (limit > MAX_ENTRIES) {
            throw new BadRequest("max entries limit per query exceeded, limit > max_entries_limit (" + limit + " > "
                    + MAX_ENTRIES + ")");
        }
        return limit;
    }

    /** {@code direction}: forward or backward in any case, backward by default. */
    Direction direction() {
        String v = get("direction");
        if (v.isEmpty()) {
            return Direction.BACKWARD;
        }
        try {
            return Direction.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid direction '" + v + "'");
        }
    }

    /**
     * {@code step} in nanoseconds: float seconds or a Prometheus duration; by default Loki's dynamic step, the range
     * over 250 in whole seconds and at least 1 s. Positive, and at most limits.query_max_points_per_series points.
     */
    long step(long start, long end) {
        String v = get("step");
        long step = v.isEmpty() ? Math.max((end - start) / SECOND / 250, 1) * SECOND : secondsOrDuration(v);
        if (step <= 0) {
            throw new BadRequest("zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if (ranges.tooManyPoints(start, end, step)) {
            // Loki's text, with the limit of limits.query_max_points_per_series.
            throw new BadRequest("exceeded maximum resolution of " + ranges.maxPointsText()
                    + " points per time series. Try increasing the value of the step parameter");
        }
        return step;
    }

    /** {@code interval} in nanoseconds, 0 when absent. */
    long interval() {
        String v = get("interval");
        long interval = v.isEmpty() ? 0 : secondsOrDuration(v);
        if (interval < 0) {
            throw new BadRequest("interval must be >= 0");
        }
        return interval;
    }

    private static long secondsOrDuration(String v) {
        try {
            return Params.parseDurationNanos(v);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }
}
