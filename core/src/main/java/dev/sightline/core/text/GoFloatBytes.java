package dev.sightline.core.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;

/**
 * Go's strconv.FormatFloat(v, 'f' or 'e', -1, 64) written as ASCII bytes straight into a caller's array, for encoders
 * that write millions of values (the query API's JSON): nothing is allocated per value. The shortest digits that read
 * back come from a Schubfach-style search (R. Giulietti, "The Schubfach way to render doubles", 2020): the value and
 * the two ends of its rounding interval scaled by a 126-bit power of ten, then one or two candidates of 16-17 or one
 * digit fewer tried against the ends, the closer one taken when both read back, as Go does. Subnormals, whose
 * interval can hold much shorter decimals than that, take GoFloats' exact path. One instance per thread.
 */
public final class GoFloatBytes {
    /** Room {@link #formatF} needs: a sign, "0." and the 324 fraction digits of 5e-324 (the widest is 327 bytes). */
    public static final int MAX_F_BYTES = 330;
    /** Room {@link #formatE} and {@link #formatJsonValue} need: a sign, 17 digits, a point and "e+308". */
    public static final int MAX_E_BYTES = 25;
    /** Room {@link #writeLong} needs: a sign and 19 digits. */
    public static final int MAX_LONG_BYTES = 20;

    private static final double TWO_53 = 0x1p53;
    private static final long[] POW10 = new long[19];
    /** "00" to "99": digits are written two at a time. */
    private static final byte[] PAIRS = new byte[200];

    /** The decimal exponents e = -k the search scales by: those of every normal double. */
    private static final int E_MIN = -292;
    private static final int E_MAX = 324;
    /** 10^e as g * 2^(P2[e] - 125) rounded up, g in [2^125, 2^126) kept as two 63-bit halves, P2[e] = floor(log2 10^e). */
    private static final long[] G1 = new long[E_MAX - E_MIN + 1];
    private static final long[] G0 = new long[E_MAX - E_MIN + 1];
    private static final int[] P2 = new int[E_MAX - E_MIN + 1];
    private static final long MASK_63 = (1L << 63) - 1;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        POW10[0] = 1;
        for (int k = 1; k < POW10.length; k++) {
            POW10[k] = POW10[k - 1] * 10;
        }
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        // Computed once, exactly, rather than kept as a 617-entry literal table.
        for (int e = E_MIN; e <= E_MAX; e++) {
            BigInteger ten = BigInteger.TEN.pow(Math.abs(e));
            int p = e >= 0 ? ten.bitLength() - 1 : -ten.bitLength(); // 10^-e is never a power of two for e < 0
            BigInteger g = e >= 0
                    ? (125 - p >= 0 ? ten.shiftLeft(125 - p) : ten.shiftRight(p - 125))
                    : BigInteger.ONE.shiftLeft(125 - p).divide(ten);
            g = g.add(BigInteger.ONE);
            G1[e - E_MIN] = g.shiftRight(63).longValueExact();
            G0[e - E_MIN] = g.longValue() & MASK_63;
            P2[e - E_MIN] = p;
        }
    }

    private static final byte[] NAN = {'N', 'a', 'N'};
    private static final byte[] POS_INF = {'+', 'I', 'n', 'f'};
    private static final byte[] NEG_INF = {'-', 'I', 'n', 'f'};

    /** The last {@link #shortest}: the value is digits * 10^exp10, digits without trailing zeros. */
    private long digits;
    private int exp10;

    /**
     * Writes FormatFloat(v, 'f', -1, 64) at {@code pos} ({@link #MAX_F_BYTES} of room needed) and returns the end:
     * never an exponent (1e21 is "1000000000000000000000").
     */
    public int formatF(double v, byte[] out, int pos) {
        if (!Double.isFinite(v)) {
            return special(v, out, pos);
        }
        pos = sign(v, out, pos);
        double a = Math.abs(v);
        if (a < TWO_53 && a == Math.rint(a)) {
            // Every integer up to 2^53 is a double, so no shorter decimal (a multiple of 10) reads back as this one.
            return writeLong((long) a, out, pos);
        }
        if (a < Double.MIN_NORMAL) {
            return put(GoFloats.exactF(a), out, pos);
        }
        shortest(a);
        long d = digits;
        int e = exp10;
        int n = digitCount(d);
        if (e >= 0) {
            pos = writeDigits(d, n, out, pos);
            for (int i = 0; i < e; i++) {
                out[pos++] = '0';
            }
            return pos;
        }
        int before = n + e;
        if (before <= 0) {
            out[pos++] = '0';
            out[pos++] = '.';
            for (int i = before; i < 0; i++) {
                out[pos++] = '0';
            }
            return writeDigits(d, n, out, pos);
        }
        // All digits one place to the right, then those before the point moved back in front of it: cheaper than
        // cutting d with a division by 10^-e.
        int end = writeDigits(d, n, out, pos + 1);
        for (int i = 0; i < before; i++) {
            out[pos + i] = out[pos + i + 1];
        }
        out[pos + before] = '.';
        return end;
    }

    /** Writes FormatFloat(v, 'e', -1, 64) at {@code pos} ({@link #MAX_E_BYTES} of room needed), e.g. 1.5e-07, 1e+21. */
    public int formatE(double v, byte[] out, int pos) {
        if (!Double.isFinite(v)) {
            return special(v, out, pos);
        }
        pos = sign(v, out, pos);
        double a = Math.abs(v);
        if (a == 0) {
            return put("0e+00", out, pos);
        }
        if (a < Double.MIN_NORMAL) {
            return put(GoFloats.formatE(a), out, pos);
        }
        shortest(a);
        long d = digits;
        int n = digitCount(d);
        // The digits one place to the right, then the first moved in front of the point.
        int end = writeDigits(d, n, out, pos + 1);
        out[pos] = out[pos + 1];
        if (n > 1) {
            out[pos + 1] = '.';
        } else {
            end--;
        }
        int x = exp10 + n - 1;
        out[end++] = 'e';
        out[end++] = (byte) (x < 0 ? '-' : '+');
        x = Math.abs(x);
        if (x >= 100) {
            out[end++] = (byte) ('0' + x / 100);
            x %= 100;
        }
        out[end++] = PAIRS[2 * x];
        out[end++] = PAIRS[2 * x + 1];
        return end;
    }

    /**
     * A sample value as Prometheus's JSON API writes it (jsonutil.MarshalValue, after jsoniter): the 'e' form when
     * the magnitude is below 1e-6 or at least 1e21, else the 'f' form. Scalars are the exception, always 'f'.
     */
    public int formatJsonValue(double v, byte[] out, int pos) {
        double a = Math.abs(v);
        return a != 0 && (a < 1e-6 || a >= 1e21) ? formatE(v, out, pos) : formatF(v, out, pos);
    }

    /**
     * Sets {@link #digits} and {@link #exp10} to the shortest decimal that reads back as normal {@code a} &gt; 0, the
     * one closest to it among those as short (the even one on a tie). With a = c * 2^q and k = floor(log10 of the
     * smaller gap end), s = floor(a * 10^-k) has 16 or 17 digits; the interval of values that round to a is narrower
     * than 10^(k+1), so a shortest decimal is s or s + 1 at that length or a multiple of 10 next to it.
     */
    private void shortest(double a) {
        long bits = Double.doubleToRawLongBits(a);
        int be = (int) (bits >>> 52);
        long t = bits & ((1L << 52) - 1);
        int q = be - 1075;
        long c = t | 1L << 52;
        // Exact ends are included when c is even (a tie on parsing goes to the even significand).
        int odd = (int) c & 1;
        long cb = c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        if (t != 0 || be == 1) {
            cbl = cb - 2;
            k = flog10pow2(q);
        } else {
            // A power of two: the gap below is half the gap above.
            cbl = cb - 1;
            k = flog10ThreeQuartersPow2(q);
        }
        int i = -k - E_MIN;
        int h = q + P2[i] + 2;
        long g1 = G1[i];
        long g0 = G0[i];
        // 4 * a * 10^-k and the ends, rounded to odd so that an inexact value never compares equal to an integer.
        long vb = scaled(g1, g0, cb << h);
        long vbl = scaled(g1, g0, cbl << h);
        long vbr = scaled(g1, g0, cbr << h);
        long s = vb >> 2;
        long sp10 = s / 10 * 10;
        long tp10 = sp10 + 10;
        boolean upin = vbl + odd <= sp10 << 2;
        boolean wpin = (tp10 << 2) + odd <= vbr;
        if (upin != wpin) {
            set(upin ? sp10 : tp10, k);
            return;
        }
        long s1 = s + 1;
        boolean uin = vbl + odd <= s << 2;
        boolean win = (s1 << 2) + odd <= vbr;
        if (uin != win) {
            set(uin ? s : s1, k);
            return;
        }
        long cmp = vb - (s + s1 << 1);
        set(cmp < 0 || cmp == 0 && (s & 1) == 0 ? s : s1, k);
    }

    /** Keeps d * 10^e with d's trailing zeros (at most 16 of 17 digits) stripped 16, 8, 4, 2, then 1 at a time. */
    private void set(long d, int e) {
        if (d % 10 != 0) {
            // Most 16-17 digit results: no zero to strip, so none of the wider tests below.
            digits = d;
            exp10 = e;
            return;
        }
        if (d % 10_000_000_000_000_000L == 0) {
            d /= 10_000_000_000_000_000L;
            e += 16;
        }
        if (d % 100_000_000 == 0) {
            d /= 100_000_000;
            e += 8;
        }
        if (d % 10_000 == 0) {
            d /= 10_000;
            e += 4;
        }
        if (d % 100 == 0) {
            d /= 100;
            e += 2;
        }
        if (d % 10 == 0) {
            d /= 10;
            e++;
        }
        digits = d;
        exp10 = e;
    }

    /** g * cp / 2^127 for g = g1 * 2^63 + g0, rounded to odd: the floor, with the low bit set when inexact. */
    private static long scaled(long g1, long g0, long cp) {
        long x1 = Math.multiplyHigh(g0, cp);
        long y0 = g1 * cp;
        long y1 = Math.multiplyHigh(g1, cp);
        long z = (y0 >>> 1) + x1;
        long high = y1 + (z >>> 63);
        return high | ((z & MASK_63) + MASK_63) >>> 63;
    }

    /** floor(log10(2^q)) for |q| up to a few thousand. */
    static int flog10pow2(int q) {
        return (int) (q * 661_971_961_083L >> 41);
    }

    /** floor(log10(3/4 * 2^q)) for |q| up to a few thousand. */
    static int flog10ThreeQuartersPow2(int q) {
        return (int) (q * 661_971_961_083L - 274_743_187_321L >> 41);
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
        return writeDigits(v, digitCount(v), out, pos);
    }

    /** The {@code n} lowest decimal digits of {@code v} &gt;= 0, zero-padded, at {@code pos}; returns the end. */
    private static int writeDigits(long v, int n, byte[] out, int pos) {
        int end = pos + n;
        int i = end;
        while (i - pos >= 8) {
            i -= 8;
            LONGS.set(out, i, eightDigits((int) (v % 100_000_000)));
            v /= 100_000_000;
        }
        int rest = (int) v;
        while (i - pos >= 2) {
            int r = rest % 100 * 2;
            rest /= 100;
            out[--i] = PAIRS[r + 1];
            out[--i] = PAIRS[r];
        }
        if (i > pos) {
            out[--i] = (byte) ('0' + rest);
        }
        return end;
    }

    /**
     * The 8 ASCII digits of 0 &lt;= x &lt; 10^8 as one little-endian long (the first digit in the lowest byte), split
     * in lanes: two 4-digit halves, then four pairs, then eight digits, each step a multiply-shift division in every
     * lane at once (10486 / 2^20 is exact division by 100 below 10^4, 103 / 2^10 by 10 below 100).
     */
    private static long eightDigits(int x) {
        long halves = x / 10_000 | (long) (x % 10_000) << 32;
        long hundreds = (halves * 10486 >>> 20) & 0x0000_007F_0000_007FL;
        long pairs = hundreds | (halves - hundreds * 100) << 16;
        long tens = (pairs * 103 >>> 10) & 0x000F_000F_000F_000FL;
        return (tens | (pairs - tens * 10) << 8) + 0x3030_3030_3030_3030L;
    }

    /** Decimal digits of v &gt;= 0: log10 from the bit length (1233 / 4096 ~ log10 2), then one comparison. */
    private static int digitCount(long v) {
        int n = (64 - Long.numberOfLeadingZeros(v)) * 1233 >>> 12;
        return n < 19 && v >= POW10[n] ? n + 1 : Math.max(n, 1);
    }

    /** A '-' for a negative v, -0 included. */
    private static int sign(double v, byte[] out, int pos) {
        if (v < 0 || v == 0 && 1 / v < 0) {
            out[pos++] = '-';
        }
        return pos;
    }

    private static int special(double v, byte[] out, int pos) {
        return put(Double.isNaN(v) ? NAN : v > 0 ? POS_INF : NEG_INF, out, pos);
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
