package dev.sightline.promql.parser;
import dev.sightline.core.text.GoQuote;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/** Go formatting and literal conversion rules that Prometheus's messages and literals depend on. */
final class GoFmt {
    private GoFmt() {
    }

    /** Go's %q of a rune: 'a', '\n', '\x00'; end of input (-1) prints as the replacement character like Go. */
    static String quoteRune(int r) {
        if (r < 0) {
            r = 0xFFFD;
        }
        if (r == '\'') {
            return "'\\''";
        }
        if (r == '"') {
            return "'\"'";
        }
        String q = GoQuote.quote(new String(Character.toChars(r)));
        return "'" + q.substring(1, q.length() - 1) + "'";
    }

    /** Go's %#U: U+0041 'A' (the quoted form only for printable runes). */
    static String runeU(int r) {
        if (r < 0) {
            return "U+FFFFFFFFFFFFFFFF";
        }
        String hex = String.format("U+%04X", r);
        String q = GoQuote.quote(new String(Character.toChars(r)));
        boolean printable = !q.contains("\\") || r == '\\' || r == '"';
        return printable ? hex + " '" + new String(Character.toChars(r)) + "'" : hex;
    }

    /**
     * Decodes a lexed string token (with its quotes) like Prometheus's strutil.Unquote. Escapes that produce bytes
     * ({@code \xNN}, octal) are decoded as UTF-8 where the bytes form valid UTF-8, and otherwise kept as lone
     * surrogates U+DC00+byte (see StringLiteral).
     */
    static String unquote(String s) {
        char q = s.charAt(0);
        String body = s.substring(1, s.length() - 1);
        if (q == '`') {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < body.length(); ) {
            char c = body.charAt(i);
            if (c != '\\') {
                flushBytes(bytes, out);
                out.append(c);
                i++;
                continue;
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> appendChar(bytes, out, 7);
                case 'b' -> appendChar(bytes, out, '\b');
                case 'f' -> appendChar(bytes, out, '\f');
                case 'n' -> appendChar(bytes, out, '\n');
                case 'r' -> appendChar(bytes, out, '\r');
                case 't' -> appendChar(bytes, out, '\t');
                case 'v' -> appendChar(bytes, out, 11);
                case 'x' -> {
                    bytes.write(Integer.parseInt(body.substring(i, i + 2), 16));
                    i += 2;
                }
                case 'u' -> {
                    appendChar(bytes, out, Integer.parseInt(body.substring(i, i + 4), 16));
                    i += 4;
                }
                case 'U' -> {
                    appendChar(bytes, out, Integer.parseInt(body.substring(i, i + 8), 16));
                    i += 8;
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    bytes.write(Integer.parseInt(body.substring(i - 1, i + 2), 8));
                    i += 2;
                }
                default -> appendChar(bytes, out, e); // \\, \' and \"
            }
        }
        flushBytes(bytes, out);
        return out.toString();
    }

    private static void appendChar(java.io.ByteArrayOutputStream bytes, StringBuilder out, int cp) {
        flushBytes(bytes, out);
        out.appendCodePoint(cp);
    }

    private static void flushBytes(java.io.ByteArrayOutputStream bytes, StringBuilder out) {
        if (bytes.size() == 0) {
            return;
        }
        byte[] b = bytes.toByteArray();
        bytes.reset();
        int i = 0;
        while (i < b.length) {
            int len = utf8SeqLen(b, i);
            if (len > 0) {
                out.append(new String(b, i, len, java.nio.charset.StandardCharsets.UTF_8));
                i += len;
            } else {
                out.append((char) (0xDC00 + (b[i] & 0xff)));
                i++;
            }
        }
    }

    /** Length of a valid UTF-8 sequence at b[i], or 0 if invalid. */
    private static int utf8SeqLen(byte[] b, int i) {
        int c = b[i] & 0xff;
        int n;
        int min;
        if (c < 0x80) {
            return 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            min = 0x10000;
        } else {
            return 0;
        }
        if (i + n > b.length) {
            return 0;
        }
        int cp = c & (0x7F >> n);
        for (int k = 1; k < n; k++) {
            int cc = b[i + k] & 0xff;
            if ((cc & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        return n;
    }

    /**
     * Prometheus's parser.number(): strconv.ParseInt(s, 0, 64), falling back to strconv.ParseFloat(s, 64).
     *
     * @throws NumberFormatException with Go's error text when neither accepts it
     */
    static double parseNumber(String s) {
        Long l = parseGoInt(s);
        if (l != null) {
            return l;
        }
        return parseGoFloat(s);
    }

    private static Long parseGoInt(String s) {
        String t = s;
        boolean neg = false;
        if (t.startsWith("+") || t.startsWith("-")) {
            neg = t.charAt(0) == '-';
            t = t.substring(1);
        }
        int base = 10;
        boolean prefixed = false;
        if (t.length() > 1 && t.charAt(0) == '0') {
            char p = Character.toLowerCase(t.charAt(1));
            if (p == 'x') {
                base = 16;
                t = t.substring(2);
                prefixed = true;
            } else if (p == 'o') {
                base = 8;
                t = t.substring(2);
                prefixed = true;
            } else if (p == 'b') {
                base = 2;
                t = t.substring(2);
                prefixed = true;
            } else {
                base = 8;
                t = t.substring(1);
                prefixed = true;
            }
        }
        if (!underscoresOk(t, prefixed)) {
            return null;
        }
        t = t.replace("_", "");
        if (t.isEmpty() || significantLength(t) > MAX_INT_DIGITS[base]) {
            // Too long for 63 bits: not converted, as BigInteger's parse is quadratic in the digits (a second for 64 KiB).
            return null;
        }
        try {
            BigInteger v = new BigInteger(t, base);
            if (neg) {
                v = v.negate();
            }
            if (v.bitLength() > 63) {
                return null;
            }
            return v.longValue();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The most digits (leading zeros aside) a value of 63 bits has, by base. */
    private static final int[] MAX_INT_DIGITS = {0, 0, 63, 0, 0, 0, 0, 0, 21, 0, 19, 0, 0, 0, 0, 0, 16};

    private static int significantLength(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.length() - i;
    }

    /**
     * Significant digits kept of a longer decimal: 767 are enough to round any double correctly, so the rest only
     * matter as one sticky non-zero digit.
     */
    private static final int MAX_FLOAT_DIGITS = 800;

    /**
     * {@code s} (a sign, digits with at most one '.', an exponent) with the digits past the 800th significant one
     * folded into one sticky digit: BigDecimal's conversion is quadratic in the digits (a 64 KiB literal took 2.5 s) and
     * the double it rounds to is the same. {@code s} itself when it is short or of another shape (BigDecimal judges it).
     */
    static String foldDigits(String s) {
        if (s.length() <= MAX_FLOAT_DIGITS) {
            return s;
        }
        int e = 0;
        while (e < s.length() && s.charAt(e) != 'e' && s.charAt(e) != 'E') {
            e++;
        }
        long exponent = 0;
        if (e < s.length()) {
            String x = s.substring(e + 1);
            String digits = x.startsWith("+") || x.startsWith("-") ? x.substring(1) : x;
            if (digits.isEmpty() || significantLength(digits) > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return s;
            }
            exponent = Long.parseLong(x);
        }
        int sign = s.startsWith("+") || s.startsWith("-") ? 1 : 0;
        StringBuilder kept = new StringBuilder(MAX_FLOAT_DIGITS + 1);
        long point = 0; // where the decimal point is, counted in significant digits from the first one
        boolean dot = false, sticky = false;
        for (int i = sign; i < e; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (dot) {
                    return s;
                }
                dot = true;
            } else if (c < '0' || c > '9') {
                return s;
            } else if (kept.isEmpty() && c == '0') {
                point -= dot ? 1 : 0;
            } else {
                if (kept.length() < MAX_FLOAT_DIGITS) {
                    kept.append(c);
                } else {
                    sticky |= c != '0';
                }
                point += dot ? 0 : 1;
            }
        }
        if (kept.isEmpty()) {
            return s;
        }
        return s.substring(0, sign) + "0." + kept + (sticky ? "1" : "") + "E" + (point + exponent);
    }

    /** Go allows '_' only between digits (or right after a base prefix). */
    private static boolean underscoresOk(String t, boolean prefixed) {
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) != '_') {
                continue;
            }
            boolean prevOk = i == 0 ? prefixed : Character.digit(t.charAt(i - 1), 16) >= 0;
            boolean nextOk = i + 1 < t.length() && Character.digit(t.charAt(i + 1), 16) >= 0;
            if (!prevOk || !nextOk) {
                return false;
            }
        }
        return true;
    }

    private static double parseGoFloat(String s) {
        String t = s;
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        boolean neg = lower.startsWith("-");
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        boolean hex = unsigned.startsWith("0x");
        if (!underscoresOk(hex ? unsigned.substring(2) : unsigned, hex)) {
            throw new NumberFormatException("strconv.ParseFloat: parsing " + GoQuote.quote(s) + ": invalid syntax");
        }
        String clean = t.replace("_", "");
        try {
            if (hex) {
                if (!unsigned.contains("p")) {
                    throw new NumberFormatException();
                }
                return Double.parseDouble(clean);
            }
            for (int i = 0; i < clean.length(); i++) {
                char c = clean.charAt(i);
                if (!(Character.isDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                    throw new NumberFormatException();
                }
            }
            BigDecimal bd = new BigDecimal(foldDigits(clean.endsWith(".") ? clean + "0" : clean.startsWith(".") ? "0" + clean
                    : clean.startsWith("-.") ? "-0" + clean.substring(1) : clean));
            double d = bd.doubleValue();
            if (Double.isInfinite(d)) {
                throw new NumberFormatException("strconv.ParseFloat: parsing " + GoQuote.quote(s) + ": value out of range");
            }
            return d;
        } catch (NumberFormatException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("strconv")) {
                throw e;
            }
            throw new NumberFormatException("strconv.ParseFloat: parsing " + GoQuote.quote(s) + ": invalid syntax");
        }
    }

    /** Go's %f (6 decimals; +Inf, -Inf, NaN). */
    static String formatF(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    }
}
