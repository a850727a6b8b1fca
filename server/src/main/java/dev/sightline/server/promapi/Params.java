package dev.sightline.server.promapi;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.text.GoQuote;
import dev.sightline.core.text.PromDurations;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Request parameters as Prometheus's API reads them (r.ParseForm: form body values first, then the query string)
 * and its parsers for times, durations, limits and match[] selectors, with its error texts.
 */
public final class Params {
    /** Prometheus's MinTime/MaxTime (the widest times Go can format), in milliseconds: "all time" for metadata queries. */
    static final long MIN_TIME_MS = (Long.MIN_VALUE / 1000 + 62135596801L) * 1000;
    static final long MAX_TIME_MS = (Long.MAX_VALUE / 1000 - 62135596801L) * 1000 + 999;
    // Go's time parser handles only 4-digit years, so Prometheus accepts its own bounds as literal strings.
    private static final String MIN_TIME_FORMATTED = "-292273086-05-16T16:47:06Z";
    private static final String MAX_TIME_FORMATTED = "292277025-08-18T07:12:54.999999999Z";

    /** What Go's strconv.ParseFloat accepts in decimal (hex floats and digit separators aside). */
    private static final Pattern GO_FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(?i:inf|infinity|nan)");
    private static final Pattern GO_INT = Pattern.compile("[+-]?\\d+");
    /** Go's time.RFC3339Nano as time.Parse reads it: seconds required, 1-9 fraction digits optional, Z or ±hh:mm. */
    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter().withResolverStyle(ResolverStyle.STRICT);

    private final Map<String, List<String>> values;

    private Params(Map<String, List<String>> values) {
        this.values = values;
    }

    /** Body values come first so that, as in Go, a parameter in both places takes the body's value. */
    public static Params of(Iterable<Map.Entry<String, String>> body, Iterable<Map.Entry<String, String>> query) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : body) {
            m.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        }
        for (Map.Entry<String, String> e : query) {
            m.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        }
        return new Params(m);
    }

    /** Go's r.FormValue: the first value, or "" when absent. */
    public String get(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** Milliseconds of {@code name}, or {@code dflt} when absent (Prometheus's parseTimeParam). */
    long time(String name, long dflt) throws ApiError {
        String v = get(name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            return parseTimeMs(v);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidParam(name, "invalid time value for '" + name + "': " + e.getMessage());
        }
    }

    /** A required time (query_range's start and end), errors without parseTimeParam's wrapping as Prometheus. */
    long requiredTime(String name) throws ApiError {
        try {
            return parseTimeMs(get(name));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidParam(name, e.getMessage());
        }
    }

    long limit() throws ApiError {
        String s = get("limit");
        if (s.isEmpty()) {
            return 0;
        }
        try {
            long l = parseGoInt(s);
            if (l < 0) {
                throw new IllegalArgumentException("limit must be non-negative");
            }
            return l;
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidParam("limit", e.getMessage());
        }
    }

    /** The match[] selectors, each a set of matchers; at least one matcher of each must not match "". */
    List<List<LabelMatcher>> matchers() throws ApiError {
        List<List<LabelMatcher>> sets = new ArrayList<>();
        for (String s : all("match[]")) {
            try {
                sets.add(PromQLParser.parseMetricSelector(s));
            } catch (ParseException e) {
                throw ApiError.invalidParam("match[]", e.getMessage());
            }
        }
        for (List<LabelMatcher> set : sets) {
            if (set.stream().allMatch(LabelMatcher::matchesEmpty)) {
                throw ApiError.invalidParam("match[]", "match[] must contain at least one non-empty matcher");
            }
        }
        return sets;
    }

    /**
     * Prometheus's parseTime: unix seconds as a float (rounded to milliseconds) or RFC 3339 with optional fraction.
     * The float path replicates Go's time.Unix and timestamp.FromTime arithmetic, truncations included.
     */
    static long parseTimeMs(String s) {
        if (GO_FLOAT.matcher(s).matches()) {
            double t = Double.parseDouble(s.replaceAll("(?i)inf(inity)?", "Infinity").replaceAll("(?i)nan", "NaN"));
            if (Double.isFinite(t) && Math.abs(t) < 9.2e15) {
                double whole = t < 0 ? Math.ceil(t) : Math.floor(t); // math.Modf: integer part toward zero
                double frac = goRound((t - whole) * 1000) / 1000;
                long sec = (long) whole;
                long nsec = (long) (frac * 1e9);
                sec += Math.floorDiv(nsec, 1_000_000_000L);
                nsec = Math.floorMod(nsec, 1_000_000_000L);
                return sec * 1000 + nsec / 1_000_000;
            }
        }
        if (s.equals(MIN_TIME_FORMATTED)) {
            return MIN_TIME_MS;
        }
        if (s.equals(MAX_TIME_FORMATTED)) {
            return MAX_TIME_MS;
        }
        try {
            OffsetDateTime odt = rfc3339(s);
            return Math.addExact(Math.multiplyExact(odt.toEpochSecond(), 1000L), odt.getNano() / 1_000_000);
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("cannot parse " + GoQuote.quote(s) + " to a valid timestamp");
        }
    }

    /** Go's time.Parse(time.RFC3339Nano, s). @throws DateTimeException when it does not parse */
    public static OffsetDateTime rfc3339(String s) {
        return OffsetDateTime.parse(s, RFC3339);
    }

    /** Prometheus's parseDuration: float seconds or a Prometheus duration string; returns nanoseconds. */
    public static long parseDurationNanos(String s) {
        if (GO_FLOAT.matcher(s).matches()) {
            double d = Double.parseDouble(s.replaceAll("(?i)inf(inity)?", "Infinity").replaceAll("(?i)nan", "NaN"));
            double ns = d * 1e9;
            if (Double.isNaN(ns) || ns > 0x1p63 || ns < -0x1p63) {
                throw new IllegalArgumentException("cannot parse " + GoQuote.quote(s) + " to a valid duration. It overflows int64");
            }
            return (long) ns;
        }
        try {
            // At most 2^63-1 ns, so whole milliseconds fit back into nanoseconds.
            return PromDurations.parseMillis(s) * 1_000_000L;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot parse " + GoQuote.quote(s) + " to a valid duration");
        }
    }

    /** Go's strconv.Atoi on a 64-bit platform, with its error texts. */
    public static long parseGoInt(String s) {
        if (!GO_INT.matcher(s).matches()) {
            throw new IllegalArgumentException("strconv.Atoi: parsing " + GoQuote.quote(s) + ": invalid syntax");
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.Atoi: parsing " + GoQuote.quote(s) + ": value out of range");
        }
    }

    /** Go's math.Round: half away from zero. */
    private static double goRound(double x) {
        return Math.copySign(Math.floor(Math.abs(x) + 0.5), x);
    }
}
