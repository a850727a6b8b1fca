package dev.sightline.core.text;

/**
 * Prometheus's duration text (prometheus/common model.ParseDuration and model.Duration.String): number-unit pairs
 * such as {@code 500ms}, {@code 15s}, {@code 1h30m}, {@code 2d}, {@code 1w}, {@code 1y}, units y (365d), w, d, h, m,
 * s, ms each at most once and from the largest down, a bare {@code 0}; no sign, no fractions. Like Go's
 * time.Duration the value is at most 2^63-1 nanoseconds (about 292 years).
 */
public final class PromDurations {
    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
    private static final long[] UNIT_MS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1};
    private static final String UNIT_LIST = "y, w, d, h, m, s, ms";

    private PromDurations() {
    }

    /**
     * Parses a duration to milliseconds.
     *
     * @throws InvalidDuration with Prometheus's message ("empty duration string", "not a valid duration string:
     *                         \"1m5\"", "unknown unit \"x\" in duration \"1x\"", "duration out of range")
     */
    public static long parseMillis(String s) {
        if (s.equals("0")) {
            return 0;
        }
        if (s.isEmpty()) {
            throw new InvalidDuration("empty duration string", "empty string");
        }
        String invalid = "not a valid duration string: " + GoQuote.quote(s);
        long ns = 0; // unsigned, as Go sums it: never wraps, because each term is below 2^63
        int lastUnit = -1;
        int i = 0;
        while (i < s.length()) {
            int numStart = i;
            while (i < s.length() && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == numStart) {
                throw new InvalidDuration(invalid, "expected a number at position " + (numStart + 1));
            }
            long v;
            try {
                v = Long.parseUnsignedLong(s, numStart, i, 10);
            } catch (NumberFormatException e) {
                throw new InvalidDuration(invalid, "duration out of range");
            }
            int unitStart = i;
            while (i < s.length() && !isDigit(s.charAt(i))) {
                i++;
            }
            int unit = unit(s, unitStart, i);
            if (unit < 0) {
                String message = i == unitStart ? invalid
                        : "unknown unit " + GoQuote.quote(s.substring(unitStart, i)) + " in duration " + GoQuote.quote(s);
                throw new InvalidDuration(message, "unknown or missing unit at position " + (unitStart + 1)
                        + " (use " + UNIT_LIST + ")");
            }
            if (unit <= lastUnit) {
                throw new InvalidDuration(invalid, "units must appear once each, from largest to smallest");
            }
            lastUnit = unit;
            long unitNs = UNIT_MS[unit] * 1_000_000;
            if (Long.compareUnsigned(v, Long.divideUnsigned(Long.MIN_VALUE, unitNs)) > 0) {
                throw new InvalidDuration("duration out of range", "duration out of range");
            }
            ns += v * unitNs;
            if (ns < 0) {
                throw new InvalidDuration("duration out of range", "duration out of range");
            }
        }
        return ns / 1_000_000;
    }

    /**
     * Formats milliseconds as Prometheus prints a duration: largest units first, years and weeks only where they
     * divide the rest exactly (90d, not 12w6d), "0s" for zero. Like Go, a negative duration prints as "" (callers
     * that allow negative durations print the sign and the magnitude).
     */
    public static String format(long ms) {
        if (ms == 0) {
            return "0s";
        }
        StringBuilder r = new StringBuilder();
        long rest = ms;
        for (int u = 0; u < UNITS.length; u++) {
            long mult = UNIT_MS[u];
            // Only y and w (u < 2) insist on an exact multiple.
            if (u < 2 && rest % mult != 0) {
                continue;
            }
            long v = rest / mult;
            if (v > 0) {
                r.append(v).append(UNITS[u]);
                rest -= v * mult;
            }
        }
        return r.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int unit(String s, int from, int to) {
        for (int u = 0; u < UNITS.length; u++) {
            if (UNITS[u].length() == to - from && s.startsWith(UNITS[u], from)) {
                return u;
            }
        }
        return -1;
    }

    /**
     * A duration Prometheus would reject. {@link #getMessage()} is Prometheus's text; {@link #explanation()} says
     * what is wrong with the position (1-based), for configuration errors that point at the text.
     */
    public static final class InvalidDuration extends IllegalArgumentException {
        private final String explanation;

        InvalidDuration(String message, String explanation) {
            super(message);
            this.explanation = explanation;
        }

        public String explanation() {
            return explanation;
        }
    }
}
