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

    private static final double TWO_53 = 0x1p53;
    /** Bound on a * 10^k for {@link #fewDigits}, where its argument about one candidate holds. */
    private static final double FEW_LIMIT = 0x1p50;
    /** The powers of ten a double holds exactly. */
    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int k = 1; k < POW10.length; k++) {
            POW10[k] = POW10[k - 1] * 10;
        }
    }

    private static final byte[] NAN = {'N', 'a', 'N'};
    private static final byte[] POS_INF = {'+', 'I', 'n', 'f'};
    private static final byte[] NEG_INF = {'-', 'I', 'n', 'f'};

    private final StringBuilder text = new StringBuilder(32);
    private final byte[] digits = new byte[32];

    /**
     * Writes FormatFloat(v, 'f', -1, 64) at {@code pos} ({@link #MAX_F_BYTES} of room needed) and returns the end.
     * Integers below 2^53 print as they are, and values with few decimals (gauges, rates of integer counters, averages
     * of them) take {@link #fewDigits}; other normal doubles take their shortest digits from the JDK's
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
        if (a < TWO_53 && a == Math.rint(a)) {
            // Every integer up to 2^53 is a double, so no shorter decimal (a multiple of 10) reads back as this one.
            return writeLong((long) a, out, pos);
        }
        if (a < Double.MIN_NORMAL) {
            return put(GoFloats.exactF(a), out, pos);
        }
        int end = fewDigits(a, out, pos);
        if (end >= 0) {
            return end;
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

    /**
     * The shortest digits of a normal non-integer {@code a} when they are m / 10^k with m below 2^50 and k at most 22,
     * written at {@code pos}; -1 otherwise. At the largest such k (a * 10^k below 2^50), a decimal m / 10^k that reads
     * back lies within a's half-ulp, a * 10^k * 2^-53 &lt; 1/8 of a * 10^k, and the double product misses that by at
     * most 1/16: so rint(product) is the only candidate, and m / 10^k, the correctly rounded quotient of two exact
     * doubles, is what parsing the decimal gives. A shorter answer at a smaller k would be the same m with trailing
     * zeros, which are then stripped; none at the largest k means none at any.
     */
    static int fewDigits(double a, byte[] out, int pos) {
        // log10(2) ~ 0.30103: a guess at the largest k, off by at most one, which the exact comparisons settle.
        int k = Math.clamp((long) ((49 - Math.getExponent(a)) * 0.30103), 0, POW10.length - 1);
        while (k > 0 && a * POW10[k] >= FEW_LIMIT) {
            k--;
        }
        while (k + 1 < POW10.length && a * POW10[k + 1] < FEW_LIMIT) {
            k++;
        }
        if (k == 0) {
            return -1; // a is not an integer, so it needs at least one decimal
        }
        double t = a * POW10[k];
        double m = Math.rint(t);
        // A decimal that reads back is within a * 10^k * 2^-53 of the exact product, which t misses by as much again:
        // most values of 16 or 17 digits fail this before the division (1% margin for the bound's own rounding).
        if (Math.abs(t - m) > t * 0x1.03p-52 || m / POW10[k] != a) {
            return -1;
        }
        long digits = (long) m;
        while (digits % 10 == 0) {
            digits /= 10;
            k--;
        }
        int n = digitCount(digits);
        if (n <= k) {
            out[pos++] = '0';
            out[pos++] = '.';
            for (int i = n; i < k; i++) {
                out[pos++] = '0';
            }
            return writeLong(digits, out, pos);
        }
        int end = pos + n + 1;
        int i = end;
        for (int f = 0; f < k; f++) {
            out[--i] = (byte) ('0' + digits % 10);
            digits /= 10;
        }
        out[--i] = '.';
        do {
            out[--i] = (byte) ('0' + digits % 10);
            digits /= 10;
        } while (i > pos);
        return end;
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
