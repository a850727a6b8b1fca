package dev.sightline.promql.parser;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.text.GoQuote;
import dev.sightline.core.text.PromDurations;
import dev.sightline.promql.ast.PositionRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parser for series descriptions of test-script {@code load} lines (Prometheus's ParseSeriesDesc):
 * {@code metric{a="b"} 1+2x3 _ _x2 stale -2x2 {{schema:0 sum:5 count:4 buckets:[1 2 1]}} {{...}}+{{...}}x3}.
 * {@code a+bxN} expands to the N+1 values a, a+b, ..., a+N*b; {@code axN} to N+1 copies; {@code _xN} to N
 * omitted values.
 */
final class SeriesDescParser {
    private final String in;
    private int pos;

    SeriesDescParser(String input) {
        this.in = input;
    }

    SeriesDesc parse() throws ParseException {
        Labels labels = parseMetric();
        List<SequenceValue> values = new ArrayList<>();
        while (true) {
            skipSpaces();
            if (pos >= in.length()) {
                break;
            }
            parseItem(values);
            if (pos < in.length() && !Lexer.isSpace(in.charAt(pos))) {
                throw error(pos, "unexpected " + describe(pos) + " in series values");
            }
        }
        return new SeriesDesc(labels, values);
    }

    // ---- metric ----

    private Labels parseMetric() throws ParseException {
        skipSpaces();
        Labels.Builder b = Labels.builder();
        int start = pos;
        while (pos < in.length() && (Lexer.isAlphaNumeric(in.charAt(pos)) || in.charAt(pos) == ':')) {
            pos++;
        }
        if (pos > start) {
            if (Lexer.isDigit(in.charAt(start))) {
                throw error(start, "unexpected " + describe(start) + ", expected metric name");
            }
            b.set(Labels.METRIC_NAME, in.substring(start, pos));
        }
        if (pos < in.length() && in.charAt(pos) == '{') {
            pos++;
            while (true) {
                skipSpaces();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                String name = labelName();
                skipSpaces();
                if (peek() != '=') {
                    throw error(pos, "unexpected " + describe(pos) + " in label set, expected \"=\"");
                }
                pos++;
                skipSpaces();
                if (peek() != '"' && peek() != '\'' && peek() != '`') {
                    throw error(pos, "unexpected " + describe(pos) + " in label set, expected string");
                }
                b.set(name, quoted());
                skipSpaces();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error(pos, "unexpected " + describe(pos) + " in label set, expected \",\" or \"}\"");
                }
            }
        } else if (pos == start) {
            throw error(pos, "unexpected " + describe(pos) + ", expected metric name or label set");
        }
        return b.build();
    }

    private String labelName() throws ParseException {
        int c = peek();
        if (c == '"' || c == '\'' || c == '`') {
            return quoted();
        }
        int start = pos;
        while (pos < in.length() && Lexer.isAlphaNumeric(in.charAt(pos))) {
            pos++;
        }
        if (pos == start || Lexer.isDigit(in.charAt(start))) {
            throw error(start, "unexpected " + describe(start) + " in label set, expected identifier or \"}\"");
        }
        return in.substring(start, pos);
    }

    /** A quoted string starting at pos, validated with the expression lexer's escape rules. */
    private String quoted() throws ParseException {
        int start = pos;
        char q = in.charAt(pos);
        int i = pos + 1;
        while (i < in.length() && in.charAt(i) != q) {
            if (in.charAt(i) == '\\' && q != '`') {
                i++;
            }
            i++;
        }
        if (i >= in.length()) {
            throw error(start, "unterminated quoted string");
        }
        String tokenText = in.substring(start, i + 1);
        Lexer check = new Lexer(tokenText);
        Token t = check.next();
        if (t.type() == TokenType.ERROR) {
            throw error(start, t.val());
        }
        pos = i + 1;
        return GoFmt.unquote(tokenText);
    }

    // ---- values ----

    private void parseItem(List<SequenceValue> out) throws ParseException {
        int start = pos;
        if (in.startsWith("{{", pos)) {
            HistogramValue h = histogram();
            if (peek() == 'x') {
                pos++;
                long n = uint();
                SequenceValue v = SequenceValue.of(h.h, h.hintSet);
                for (long i = 0; i <= n; i++) {
                    out.add(v);
                }
            } else if ((peek() == '+' || peek() == '-') && in.startsWith("{{", pos + 1)) {
                boolean add = in.charAt(pos) == '+';
                pos++;
                HistogramValue inc = histogram();
                if (peek() != 'x') {
                    throw error(pos, "unexpected " + describe(pos) + " in series values, expected \"x\"");
                }
                pos++;
                long n = uint();
                Histogram cur = h.h;
                out.add(SequenceValue.of(cur, inc.hintSet));
                for (long i = 1; i <= n; i++) {
                    if (cur.schema > inc.h.schema) {
                        throw error(start, "error combining histograms: cannot merge from schema " + inc.h.schema
                                + " to " + cur.schema);
                    }
                    try {
                        cur = HistogramMath.combine(cur, inc.h, add);
                    } catch (IllegalArgumentException e) {
                        throw error(start, e.getMessage());
                    }
                    out.add(SequenceValue.of(cur, inc.hintSet));
                }
            } else {
                out.add(SequenceValue.of(h.h, h.hintSet));
            }
            return;
        }
        if (peek() == '_') {
            pos++;
            if (peek() == 'x') {
                pos++;
                long n = uint();
                for (long i = 0; i < n; i++) {
                    out.add(SequenceValue.OMITTED);
                }
            } else {
                out.add(SequenceValue.OMITTED);
            }
            return;
        }
        double a;
        if (in.startsWith("stale", pos) && (pos + 5 >= in.length() || !Lexer.isAlphaNumeric(in.charAt(pos + 5))
                || in.charAt(pos + 5) == 'x')) {
            pos += 5;
            a = Staleness.STALE_NAN;
        } else {
            a = signedNumber(true);
        }
        if (peek() == 'x') {
            pos++;
            long n = uint();
            for (long i = 0; i <= n; i++) {
                out.add(SequenceValue.of(a));
            }
            return;
        }
        if (peek() == '+' || peek() == '-') {
            double b = signedNumber(false);
            if (peek() != 'x') {
                throw error(pos, "unexpected " + describe(pos) + " in series values, expected \"x\"");
            }
            pos++;
            long n = uint();
            double v = a;
            for (long i = 0; i <= n; i++) {
                out.add(SequenceValue.of(v));
                v += b;
            }
            return;
        }
        out.add(SequenceValue.of(a));
    }

    /** [+-] number (decimal, float, exponent, Inf, NaN, or a duration in seconds). */
    private double signedNumber(boolean signOptional) throws ParseException {
        int start = pos;
        double sign = 1;
        if (peek() == '+' || peek() == '-') {
            sign = in.charAt(pos) == '-' ? -1 : 1;
            pos++;
        } else if (!signOptional) {
            throw error(pos, "unexpected " + describe(pos) + " in series values");
        }
        int numStart = pos;
        if (pos < in.length() && Lexer.isAlpha(in.charAt(pos))) {
            while (pos < in.length() && Lexer.isAlpha(in.charAt(pos))) {
                pos++;
            }
            String w = in.substring(numStart, pos).toLowerCase(Locale.ROOT);
            if (w.equals("inf")) {
                return sign * Double.POSITIVE_INFINITY;
            }
            if (w.equals("nan")) {
                return Double.NaN;
            }
            throw error(start, "unexpected identifier " + GoQuote.quote(in.substring(numStart, pos))
                    + " in series values, expected number or \"stale\"");
        }
        while (pos < in.length()) {
            char c = in.charAt(pos);
            if (Lexer.isDigit(c) || c == '.' || c == '_') {
                pos++;
            } else if ((c == 'e' || c == 'E') && pos > numStart) {
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
            } else {
                break;
            }
        }
        String text = in.substring(numStart, pos);
        if (text.isEmpty()) {
            throw error(pos, "unexpected " + describe(pos) + " in series values, expected number or \"stale\"");
        }
        // A duration such as 1m is a number of seconds here too.
        if (pos < in.length() && "smhdwy".indexOf(in.charAt(pos)) >= 0) {
            int d = pos;
            while (d < in.length() && (Lexer.isAlphaNumeric(in.charAt(d))) && in.charAt(d) != 'x') {
                d++;
            }
            try {
                double s = PromDurations.parseMillis(in.substring(numStart, d)) / 1000.0;
                pos = d;
                return sign * s;
            } catch (IllegalArgumentException e) {
                throw error(numStart, e.getMessage());
            }
        }
        try {
            return sign * GoFmt.parseNumber(text);
        } catch (NumberFormatException e) {
            throw error(numStart, "error parsing number: " + e.getMessage());
        }
    }

    private long uint() throws ParseException {
        int start = pos;
        while (pos < in.length() && Lexer.isDigit(in.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error(pos, "unexpected " + describe(pos) + " in series values, expected repetition count");
        }
        try {
            return Long.parseLong(in.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error(start, "invalid repetition in series values: strconv.ParseUint: parsing "
                    + GoQuote.quote(in.substring(start, pos)) + ": value out of range");
        }
    }

    private record HistogramValue(Histogram h, boolean hintSet) {
    }

    private HistogramValue histogram() throws ParseException {
        int start = pos;
        pos += 2;
        Map<String, Object> desc = new HashMap<>();
        while (true) {
            skipSpaces();
            if (in.startsWith("}}", pos)) {
                pos += 2;
                break;
            }
            if (pos >= in.length()) {
                throw error(start, "histogram description incomplete unexpected: end of input");
            }
            int keyStart = pos;
            while (pos < in.length() && Lexer.isAlpha(in.charAt(pos))) {
                pos++;
            }
            String key = in.substring(keyStart, pos).toLowerCase(Locale.ROOT);
            if (peek() != ':') {
                throw error(keyStart, key.isEmpty()
                        ? "histogram description incomplete unexpected: " + GoFmt.quoteRune(in.codePointAt(keyStart))
                        : "bad histogram descriptor found: " + GoQuote.quote(in.substring(keyStart, pos)));
            }
            pos++;
            Object value = switch (key) {
                case "schema", "offset", "n_offset" -> (long) signedNumber(true);
                case "sum", "count", "z_bucket", "z_bucket_w" -> signedNumber(true);
                case "buckets", "n_buckets", "custom_values" -> bucketList();
                case "counter_reset_hint" -> {
                    int s = pos;
                    while (pos < in.length() && Lexer.isAlpha(in.charAt(pos))) {
                        pos++;
                    }
                    yield switch (in.substring(s, pos).toLowerCase(Locale.ROOT)) {
                        case "unknown" -> Histogram.CounterResetHint.UNKNOWN;
                        case "reset" -> Histogram.CounterResetHint.COUNTER_RESET;
                        case "not_reset" -> Histogram.CounterResetHint.NOT_COUNTER_RESET;
                        case "gauge" -> Histogram.CounterResetHint.GAUGE;
                        default -> throw error(s, "error parsing counter_reset_hint: unknown value "
                                + in.substring(s, pos));
                    };
                }
                default -> throw error(keyStart, "bad histogram descriptor found: " + GoQuote.quote(key));
            };
            if (desc.put(key, value) != null) {
                throw error(keyStart, "duplicate key \"" + key + "\" in histogram");
            }
        }
        return new HistogramValue(build(desc), desc.containsKey("counter_reset_hint"));
    }

    private double[] bucketList() throws ParseException {
        if (peek() != '[') {
            throw error(pos, "unexpected " + describe(pos) + " in histogram description, expected \"[\"");
        }
        pos++;
        List<Double> vals = new ArrayList<>();
        while (true) {
            skipSpaces();
            if (peek() == ']') {
                pos++;
                break;
            }
            if (pos >= in.length()) {
                throw error(pos, "unexpected end of input in histogram description");
            }
            vals.add(signedNumber(true));
        }
        double[] r = new double[vals.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = vals.get(i);
        }
        return r;
    }

    private static Histogram build(Map<String, Object> d) {
        int schema = ((Long) d.getOrDefault("schema", 0L)).intValue();
        double sum = (Double) d.getOrDefault("sum", 0.0);
        double count = (Double) d.getOrDefault("count", 0.0);
        double zeroCount = (Double) d.getOrDefault("z_bucket", 0.0);
        double zeroThreshold = (Double) d.getOrDefault("z_bucket_w", 0.0);
        double[] custom = (double[]) d.get("custom_values");
        Histogram.CounterResetHint hint = (Histogram.CounterResetHint) d.getOrDefault("counter_reset_hint",
                Histogram.CounterResetHint.UNKNOWN);
        double[] pos = (double[]) d.getOrDefault("buckets", new double[0]);
        int posOffset = ((Long) d.getOrDefault("offset", 0L)).intValue();
        double[] neg = (double[]) d.getOrDefault("n_buckets", new double[0]);
        int negOffset = ((Long) d.getOrDefault("n_offset", 0L)).intValue();
        return new Histogram(hint, schema, zeroThreshold, zeroCount, count, sum,
                pos.length > 0 ? new int[] {posOffset} : null, pos.length > 0 ? new int[] {pos.length} : null, pos,
                neg.length > 0 ? new int[] {negOffset} : null, neg.length > 0 ? new int[] {neg.length} : null, neg,
                custom);
    }

    // ---- helpers ----

    private int peek() {
        return pos < in.length() ? in.charAt(pos) : -1;
    }

    private void skipSpaces() {
        while (pos < in.length() && Lexer.isSpace(in.charAt(pos))) {
            pos++;
        }
    }

    private String describe(int p) {
        if (p >= in.length()) {
            return "end of input";
        }
        return "character " + GoFmt.quoteRune(in.codePointAt(p));
    }

    private ParseException error(int p, String msg) {
        return new ParseException(new PositionRange(p, in.length()), msg, in);
    }
}
