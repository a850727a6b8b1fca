package dev.sightline.traces.traceql;

/** TraceQL, Tempo's trace query language: the entry point for parsing. */
public final class TraceQL {
    private TraceQL() {
    }

    /**
     * Parses a query; throws {@link TraceQLException} with the 1-based line and column and what was found for a
     * syntax error or a construct this engine does not implement.
     */
    public static TraceQLQuery parse(String query) {
        TraceQLQuery q = Parser.parse(query);
        Compiler.check(q);
        return q;
    }

    /**
     * A duration as Go's time.Duration.String() writes it, as Tempo prints durations in results: "0s", "1.5ms",
     * "2m3.5s", "1h0m0s".
     */
    public static String formatDuration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        // The magnitude as unsigned: Long.MIN_VALUE has no positive twin.
        long u = nanos < 0 ? -nanos : nanos;
        if (Long.compareUnsigned(u, 1_000L) < 0) {
            return sign + u + "ns";
        }
        if (Long.compareUnsigned(u, 1_000_000L) < 0) {
            return sign + decimal(u, 1_000L) + "\u00b5s";
        }
        if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
            return sign + decimal(u, 1_000_000L) + "ms";
        }
        long hours = Long.divideUnsigned(u, 3_600_000_000_000L);
        long rest = Long.remainderUnsigned(u, 3_600_000_000_000L);
        StringBuilder sb = new StringBuilder(sign);
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || rest >= 60_000_000_000L) {
            sb.append(rest / 60_000_000_000L).append('m');
        }
        return sb.append(decimal(rest % 60_000_000_000L, 1_000_000_000L)).append('s').toString();
    }

    /** {@code v / unit} in decimal, trailing zeros of the fraction dropped. */
    private static String decimal(long v, long unit) {
        long whole = v / unit;
        long frac = v % unit;
        if (frac == 0) {
            return Long.toString(whole);
        }
        String digits = Long.toString(unit + frac).substring(1).replaceAll("0+$", "");
        return whole + "." + digits;
    }
}
