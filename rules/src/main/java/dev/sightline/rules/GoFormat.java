package dev.sightline.rules;
import dev.sightline.core.text.GoFloats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's fmt float verbs with a precision (%.Ng, %.Ne, %.Nf) as Prometheus's templates print numbers, rounding the exact
 * binary value; the shortest forms (%v, %g) are core.text.GoFloats.
 */
public final class GoFormat {
    private GoFormat() {
    }

    /** {@code %.Ng}; prec -1 = shortest representation. */
    static String g(double x, int prec) {
        if (prec < 0) {
            return GoFloats.formatG(x);
        }
        String special = special(x);
        if (special != null) {
            return special;
        }
        String sign = (x < 0 || (x == 0 && 1 / x < 0)) ? "-" : "";
        double a = Math.abs(x);
        if (a == 0) {
            return sign + "0";
        }
        BigDecimal d = new BigDecimal(a).round(new MathContext(Math.max(prec, 1), RoundingMode.HALF_EVEN));
        d = d.stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int nd = digits.length();
        int dp = nd - d.scale();
        int eprec = Math.max(prec, 1);
        int exp = dp - 1;
        if (exp < -4 || exp >= eprec) {
            String mant = nd > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        if (dp <= 0) {
            return sign + "0." + "0".repeat(-dp) + digits;
        }
        if (dp >= nd) {
            return sign + digits + "0".repeat(dp - nd);
        }
        return sign + digits.substring(0, dp) + "." + digits.substring(dp);
    }

    /** {@code %.Nf}. */
    static String f(double x, int prec) {
        String special = special(x);
        if (special != null) {
            return special;
        }
        return new BigDecimal(x).setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** {@code %.Ne}. */
    static String e(double x, int prec) {
        String special = special(x);
        if (special != null) {
            return special;
        }
        if (x == 0) {
            return (1 / x < 0 ? "-" : "") + "0" + (prec > 0 ? "." + "0".repeat(prec) : "") + "e+00";
        }
        BigDecimal d = new BigDecimal(Math.abs(x)).round(new MathContext(prec + 1, RoundingMode.HALF_EVEN));
        String digits = d.unscaledValue().toString();
        digits = (digits + "0".repeat(prec + 1)).substring(0, prec + 1);
        int exp = d.precision() - d.scale() - 1;
        String mant = prec > 0 ? digits.charAt(0) + "." + digits.substring(1) : digits;
        return (x < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    private static String special(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "+Inf" : "-Inf";
        }
        return null;
    }
}
