package dev.sightline.core.text;

/**
 * {@link GoFloats#formatF} written as ASCII bytes straight into a caller's array, for encoders that write millions of
 * values (the query API's JSON): nothing is allocated per value. One instance per thread; it keeps a scratch builder.
 */
public final class GoFloatBytes {
    /** Room {@link #formatF} needs: a sign, "0." and the 324 fraction digits of 5e-324 (the widest is 327 bytes). */
    public static final int MAX_F_BYTES = 330;
    /** Room {@link #writeLong} needs: a sign and 19 digits. */
    public static final int MAX_LONG_BYTES = 20;

    private static final byte[] NAN = {'N', 'a', 'N'};
    private static final byte[] POS_INF = {'+', 'I', 'n', 'f'};
    private static final byte[] NEG_INF = {'-', 'I', 'n', 'f'};

    private final StringBuilder text = new StringBuilder(32);
    private final byte[] digits = new byte[32];

    /**
     * Writes FormatFloat(v, 'f', -1, 64) at {@code pos} ({@link #MAX_F_BYTES} of room needed) and returns the end.
     * Integers below 1e15 print as they are; other normal doubles take their shortest digits from the JDK's
     * Double.toString algorithm (StringBuilder.append writes them without a String), which are Go's: for normal
     * doubles only one decimal of the shortest length reads back. Subnormals, where the JDK prints two digits and Go
     * one, take GoFloats' exact path.
     */
    public int formatF(double v, byte[] out, int pos) {
        if (Double.isNaN(v)) {
            return put(NAN, out, pos);
        }
        if (Double.isInfinite(v)) {
            return put(v > 0 ? POS_INF : NEG_INF, out, pos);
        }
        if (v < 0 || v == 0 && 1 / v < 0) {
            out[pos++] = '-';
        }
        double a = Math.abs(v);
        if (a == Math.rint(a) && a < 1e15) {
            return writeLong((long) a, out, pos);
        }
        if (a < Double.MIN_NORMAL) {
            return put(GoFloats.exactF(a), out, pos);
        }
        StringBuilder sb = text;
        sb.setLength(0);
        sb.append(a); // "123.456", "0.00123" or "1.2345E-5": at most 17 significant digits
        // The digits without the point, and how many stand before the point once the exponent is applied.
        int n = 0;
        int point = -1;
        int exp = 0;
        for (int i = 0; i < sb.length(); i++) {
            char c = sb.charAt(i);
            if (c == '.') {
                point = n;
            } else if (c == 'E') {
                exp = Integer.parseInt(sb, i + 1, sb.length(), 10);
                break;
            } else {
                digits[n++] = (byte) c;
            }
        }
        int from = 0;
        while (digits[from] == '0') {
            from++;
        }
        int to = n;
        while (digits[to - 1] == '0') {
            to--;
        }
        int before = point + exp - from;
        if (before <= 0) {
            out[pos++] = '0';
            out[pos++] = '.';
            for (int i = before; i < 0; i++) {
                out[pos++] = '0';
            }
            System.arraycopy(digits, from, out, pos, to - from);
            return pos + to - from;
        }
        if (before >= to - from) {
            System.arraycopy(digits, from, out, pos, to - from);
            pos += to - from;
            for (int i = to - from; i < before; i++) {
                out[pos++] = '0';
            }
            return pos;
        }
        System.arraycopy(digits, from, out, pos, before);
        pos += before;
        out[pos++] = '.';
        System.arraycopy(digits, from + before, out, pos, to - from - before);
        return pos + to - from - before;
    }

    /** Writes {@code v} in decimal at {@code pos} ({@link #MAX_LONG_BYTES} of room needed) and returns the end. */
    public static int writeLong(long v, byte[] out, int pos) {
        if (v < 0) {
            out[pos++] = '-';
            if (v == Long.MIN_VALUE) {
                return put("9223372036854775808", out, pos);
            }
            v = -v;
        }
        int end = pos + digitCount(v);
        int i = end;
        do {
            out[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        return end;
    }

    private static int digitCount(long v) {
        int n = 1;
        for (long p = 10; n < 19 && v >= p; p *= 10) {
            n++;
        }
        return n;
    }

    private static int put(byte[] b, byte[] out, int pos) {
        System.arraycopy(b, 0, out, pos, b.length);
        return pos + b.length;
    }

    private static int put(String s, byte[] out, int pos) {
        for (int i = 0; i < s.length(); i++) {
            out[pos++] = (byte) s.charAt(i);
        }
        return pos;
    }
}
