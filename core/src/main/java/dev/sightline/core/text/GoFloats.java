package dev.sightline.core.text;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Go's strconv.FormatFloat(v, fmt, -1, 64) for the 'f', 'g' and 'e' formats, as Prometheus's JSON API, PromQL
 * printer, messages and OTLP translator write floats: the shortest digits that read back as the same double (the
 * closest such digits when several are as short), "+Inf", "-Inf", "NaN" and a signed zero.
 */
public final class GoFloats {
    private static final MathContext ONE_DIGIT_DOWN = new MathContext(1, RoundingMode.FLOOR);
    private static final MathContext ONE_DIGIT_UP = new MathContext(1, RoundingMode.CEILING);

    private GoFloats() {
    }

    /** FormatFloat(v, 'f', -1, 64): never an exponent (1e21 is "1000000000000000000000"). */
    public static String formatF(double v) {
        byte[] out = new byte[GoFloatBytes.MAX_F_BYTES];
        return new String(out, 0, new GoFloatBytes().formatF(v, out, 0), StandardCharsets.ISO_8859_1);
    }

    /** The 'f' form of a &gt; 0 computed exactly with BigDecimal: the reference, and the path for subnormals. */
    static String exactF(double a) {
        return shortest(a).toPlainString();
    }

    /**
     * FormatFloat(v, 'g', -1, 64), which is also Go's %v of a float64: the %e form when the decimal exponent is below -4
     * or at least 6 (1e+06, 1e-05).
     */
    public static String formatG(double v) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        BigDecimal d = shortest(Math.abs(v));
        int exp = exponent(d);
        String sign = v < 0 || (v == 0 && 1 / v < 0) ? "-" : "";
        if (v != 0 && (exp < -4 || exp >= 6)) {
            return sign + exponential(d, exp);
        }
        return sign + d.toPlainString();
    }

    /** FormatFloat(v, 'e', -1, 64): always the exponent form, at least two exponent digits (1e+00, 5e-324). */
    public static String formatE(double v) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        String sign = v < 0 || (v == 0 && 1 / v < 0) ? "-" : "";
        if (v == 0) {
            return sign + "0e+00";
        }
        BigDecimal d = shortest(Math.abs(v));
        return sign + exponential(d, exponent(d));
    }

    private static String special(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return null;
    }

    /**
     * The shortest decimal that reads back as {@code a} (a &gt;= 0), without trailing zeros. Double.toString gives
     * the shortest digits too (JDK 19+), except that it never gives fewer than two: where one digit reads back
     * (5e-324, 1e-323) Go prints that digit, the one closest to the exact value.
     */
    private static BigDecimal shortest(double a) {
        if (a == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal d = new BigDecimal(Double.toString(a)).stripTrailingZeros();
        if (d.precision() != 2) {
            return d;
        }
        BigDecimal exact = new BigDecimal(a);
        BigDecimal best = null;
        for (BigDecimal c : new BigDecimal[] {exact.round(ONE_DIGIT_DOWN), exact.round(ONE_DIGIT_UP)}) {
            if (Double.parseDouble(c.toString()) == a && (best == null || closer(c, best, exact))) {
                best = c;
            }
        }
        return best == null ? d : best.stripTrailingZeros();
    }

    /** Whether one-digit {@code c} is nearer to {@code exact} than {@code other}, the even digit on a tie. */
    private static boolean closer(BigDecimal c, BigDecimal other, BigDecimal exact) {
        int cmp = c.subtract(exact).abs().compareTo(other.subtract(exact).abs());
        return cmp < 0 || cmp == 0 && !c.unscaledValue().testBit(0);
    }

    /** Decimal exponent of the first digit. */
    private static int exponent(BigDecimal d) {
        return d.signum() == 0 ? 0 : d.precision() - 1 - d.scale();
    }

    private static String exponential(BigDecimal d, int exp) {
        String digits = d.unscaledValue().toString();
        StringBuilder sb = new StringBuilder(digits.length() + 6).append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        sb.append('e').append(exp < 0 ? '-' : '+');
        int ae = Math.abs(exp);
        if (ae < 10) {
            sb.append('0');
        }
        return sb.append(ae).toString();
    }
}
