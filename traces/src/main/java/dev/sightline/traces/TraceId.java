package dev.sightline.traces;

import dev.sightline.core.span.SpanIds;

/** A 16-byte trace id as two big-endian longs; never all zero. */
public record TraceId(long hi, long lo) implements Comparable<TraceId> {
    public TraceId {
        if (!SpanIds.validTraceId(hi, lo)) {
            throw new IllegalArgumentException("a trace id is not all zero");
        }
    }

    /**
     * Parses lowercase or uppercase hex of up to 32 digits; shorter ids (Zipkin's 64-bit ones, Jaeger's unpadded
     * ones) are left-padded with zeros, as Jaeger and Tempo read them. Throws naming the problem otherwise.
     */
    public static TraceId parse(String hex) {
        if (hex.isEmpty() || hex.length() > 32) {
            throw new IllegalArgumentException("trace id \"" + hex + "\": expected 1 to 32 hex digits");
        }
        String padded = "0".repeat(32 - hex.length()) + hex;
        return new TraceId(SpanIds.traceIdHi(padded), SpanIds.traceIdLo(padded));
    }

    public String hex() {
        return SpanIds.traceIdHex(hi, lo);
    }

    @Override
    public int compareTo(TraceId o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public String toString() {
        return hex();
    }
}
