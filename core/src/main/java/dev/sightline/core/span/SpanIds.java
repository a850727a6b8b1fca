package dev.sightline.core.span;

/**
 * Trace and span ids as W3C trace-context writes them: lowercase hex, 32 digits for a trace id (held as two longs,
 * high and low 8 bytes, big-endian), 16 for a span id (one long). An all-zero id is invalid; 0 as a parent span id
 * means "no parent".
 */
public final class SpanIds {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private SpanIds() {
    }

    public static boolean validTraceId(long hi, long lo) {
        return (hi | lo) != 0;
    }

    public static boolean validSpanId(long id) {
        return id != 0;
    }

    public static String traceIdHex(long hi, long lo) {
        char[] c = new char[32];
        hex(hi, c, 0);
        hex(lo, c, 16);
        return new String(c);
    }

    public static String spanIdHex(long id) {
        char[] c = new char[16];
        hex(id, c, 0);
        return new String(c);
    }

    private static void hex(long v, char[] c, int at) {
        for (int i = 15; i >= 0; i--) {
            c[at + i] = DIGITS[(int) (v & 0xf)];
            v >>>= 4;
        }
    }

    /** The high 8 bytes of a 32-digit trace id; throws naming the problem when it is not one. */
    public static long traceIdHi(CharSequence hex) {
        checkLength(hex, 32, "trace id");
        return parse(hex, 0, "trace id");
    }

    /** The low 8 bytes of a 32-digit trace id. */
    public static long traceIdLo(CharSequence hex) {
        checkLength(hex, 32, "trace id");
        return parse(hex, 16, "trace id");
    }

    public static long spanId(CharSequence hex) {
        checkLength(hex, 16, "span id");
        return parse(hex, 0, "span id");
    }

    private static void checkLength(CharSequence hex, int want, String what) {
        if (hex.length() != want) {
            throw new IllegalArgumentException(what + " \"" + hex + "\" has " + hex.length() + " hex digits, want " + want);
        }
    }

    /**
     * 16 hex digits from {@code at}. Upper case is accepted on input, as trace-context parsers are asked to be lenient
     * in what they read (ids are always written lower case).
     */
    static long parse(CharSequence hex, int at, String what) {
        long v = 0;
        for (int i = at; i < at + 16; i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException(what + " \"" + hex + "\" has a non-hex character at " + i);
            }
            v = (v << 4) | d;
        }
        return v;
    }

    /** 8 big-endian bytes at {@code off} as a long (the wire form of ids: OTLP's bytes fields). */
    public static long fromBytes(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }
}
