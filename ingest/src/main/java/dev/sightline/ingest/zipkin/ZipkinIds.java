package dev.sightline.ingest.zipkin;

/**
 * Zipkin's hex ids: a trace id of up to 32 digits (a 64-bit id, 16 digits, has the high half zero), a span id of up
 * to 16; shorter ids are left-padded with zeros, as Zipkin pads them. Upper case is read too.
 */
final class ZipkinIds {
    private ZipkinIds() {
    }

    /** What is wrong with an id of at most {@code maxDigits}, or null when it is valid. */
    static String problem(String field, String hex, int maxDigits) {
        if (hex == null || hex.isEmpty()) {
            return field + " is missing";
        }
        if (hex.length() > maxDigits) {
            return field + " \"" + hex + "\" has " + hex.length() + " hex digits, want at most " + maxDigits;
        }
        boolean zero = true;
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (Character.digit(c, 16) < 0) {
                return field + " \"" + hex + "\" is not hex";
            }
            zero &= c == '0';
        }
        return zero ? field + " is all zero" : null;
    }

    /** The high 64 bits of a valid trace id. */
    static long traceIdHi(String hex) {
        return parse(hex, 0, Math.max(0, hex.length() - 16));
    }

    /** The low 64 bits of a valid trace id; a span id is its own low 64 bits. */
    static long low(String hex) {
        return parse(hex, Math.max(0, hex.length() - 16), hex.length());
    }

    private static long parse(String hex, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            v = (v << 4) | Character.digit(hex.charAt(i), 16);
        }
        return v;
    }
}
