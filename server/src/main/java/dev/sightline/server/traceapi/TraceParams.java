package dev.sightline.server.traceapi;

import dev.sightline.traces.TraceId;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * Request parameters of the trace query APIs, parsed as Jaeger's and Tempo's Go code parses them; every failure is a
 * {@link BadRequest} naming the parameter, worded as Jaeger words it ({@code unable to parse param 'X': ...}).
 */
final class TraceParams {
    private TraceParams() {
    }

    /** A 400 answer: the message names the parameter at fault. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }

        static BadRequest param(String name, String problem) {
            return new BadRequest("unable to parse param '" + name + "': " + problem);
        }
    }

    /** The first value of a query parameter, or "" when absent. */
    static String value(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        return v == null ? "" : v;
    }

    static List<String> values(RoutingContext ctx, String name) {
        return ctx.queryParam(name);
    }

    /** A decimal integer parameter, or {@code dflt} when absent or empty. */
    static long longParam(RoutingContext ctx, String name, long dflt) {
        String v = value(ctx, name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw BadRequest.param(name, "strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
        }
    }

    /** A positive integer parameter (limits), or {@code dflt} when absent. */
    static int positiveInt(RoutingContext ctx, String name, int dflt) {
        long v = longParam(ctx, name, dflt);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw BadRequest.param(name, "must be a positive integer, got " + v);
        }
        return (int) v;
    }

    /** A trace id path parameter as Jaeger and Tempo read it: 1 to 32 hex digits, left-padded with zeros. */
    static TraceId traceId(String name, String hex) {
        try {
            return TraceId.parse(hex);
        } catch (IllegalArgumentException e) {
            throw BadRequest.param(name, e.getMessage());
        }
    }

    /** A Go duration parameter in nanoseconds, or {@code dflt} when absent. */
    static long durationParam(RoutingContext ctx, String name, long dflt) {
        String v = value(ctx, name);
        return v.isEmpty() ? dflt : goDuration(name, v);
    }

    /**
     * Go's time.ParseDuration: an optional sign, then one or more decimal numbers (fraction allowed) each with a
     * unit of ns, us (µs, μs), ms, s, m, h, e.g. {@code 1.5s}, {@code 1h30m}, {@code 100ms}; {@code 0} alone. In
     * nanoseconds; overflow is an error as in Go.
     */
    static long goDuration(String name, String s) {
        String invalid = "time: invalid duration \"" + s + "\"";
        int i = 0;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (s.substring(i).equals("0")) {
            return 0;
        }
        if (i == s.length()) {
            throw BadRequest.param(name, invalid);
        }
        long total = 0;
        while (i < s.length()) {
            int numStart = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(numStart, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw BadRequest.param(name, invalid);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unit = switch (s.substring(unitStart, i)) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "" -> throw BadRequest.param(name, "time: missing unit in duration \"" + s + "\"");
                default -> throw BadRequest.param(name, "time: unknown unit \"" + s.substring(unitStart, i)
                        + "\" in duration \"" + s + "\"");
            };
            // Whole and fractional parts apart, so 1.000000001s stays exact in nanoseconds.
            int dot = number.indexOf('.');
            String whole = dot < 0 ? number : number.substring(0, dot);
            String frac = dot < 0 ? "" : number.substring(dot + 1);
            try {
                long part = Math.multiplyExact(whole.isEmpty() ? 0 : Long.parseLong(whole), unit);
                if (!frac.isEmpty()) {
                    part = Math.addExact(part, Math.round(Double.parseDouble("0." + frac) * unit));
                }
                total = Math.addExact(total, part);
            } catch (ArithmeticException | NumberFormatException e) {
                throw BadRequest.param(name, invalid);
            }
        }
        return negative ? -total : total;
    }
}
