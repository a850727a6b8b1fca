package dev.sightline.traces.traceql;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits TraceQL text into tokens as Tempo's lexer does: an attribute after {@code .}, {@code span.} or
 * {@code resource.} runs until a space or one of {@code {}()=~!<>&|^,} (so {@code http.status-code} is one name) and
 * may hold quoted parts ({@code span."a b"}); numbers followed by a unit are durations ({@code 100ms}, {@code 1.5s},
 * {@code 1h30m}); strings are Go strings ({@code "..."} with escapes, {@code `raw`}).
 */
final class Lexer {
    enum Kind {
        EOF, LBRACE, RBRACE, LPAREN, RPAREN, COMMA, PIPE, AND, OR, NOT, EQ, NEQ, RE, NRE, GT, GTE, LT, LTE,
        DESC, ANCE, TILDE, NOT_CHILD, NOT_PARENT, NOT_DESC, NOT_ANCE,
        UNION_CHILD, UNION_PARENT, UNION_DESC, UNION_ANCE, UNION_SIBL,
        ADD, SUB, MUL, DIV, MOD, POW, STRING, INT, FLOAT, DURATION, IDENT,
        /** A scoped or unscoped attribute: value is an {@link Ast.AttrRef}. */
        ATTRIBUTE,
        /** {@code scope:name}, as {@code span:duration}: text is the whole. */
        SCOPED_INTRINSIC
    }

    record Token(Kind kind, String text, Object value, int pos) {
    }

    // Longest first, so "!>>" wins over "!>" and "!".
    private static final String[] OPERATORS = {
        "!>>", "!<<", "&>>", "&<<",
        "!=", "=~", "!~", ">=", "<=", "&&", "||", ">>", "<<", "!>", "!<", "&>", "&<", "&~",
        "{", "}", "(", ")", ",", "|", "!", "=", ">", "<", "~", "+", "-", "*", "/", "%", "^"
    };
    private static final Kind[] OPERATOR_KINDS = {
        Kind.NOT_DESC, Kind.NOT_ANCE, Kind.UNION_DESC, Kind.UNION_ANCE,
        Kind.NEQ, Kind.RE, Kind.NRE, Kind.GTE, Kind.LTE, Kind.AND, Kind.OR, Kind.DESC, Kind.ANCE, Kind.NOT_CHILD,
        Kind.NOT_PARENT, Kind.UNION_CHILD, Kind.UNION_PARENT, Kind.UNION_SIBL,
        Kind.LBRACE, Kind.RBRACE, Kind.LPAREN, Kind.RPAREN, Kind.COMMA, Kind.PIPE, Kind.NOT, Kind.EQ, Kind.GT,
        Kind.LT, Kind.TILDE, Kind.ADD, Kind.SUB, Kind.MUL, Kind.DIV, Kind.MOD, Kind.POW
    };
    private static final Set<String> UNSUPPORTED_ATTRIBUTE_SCOPES = Set.of("parent");
    private static final Set<String> INTRINSIC_SCOPES = Set.of("span", "trace", "event", "link", "instrumentation");

    private final String src;
    private int pos;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String src) {
        Lexer l = new Lexer(src);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = l.next();
            out.add(t);
        } while (t.kind != Kind.EOF);
        return out;
    }

    /** A parse error at a character offset of {@code src}, with its line and column. */
    static TraceQLException error(String src, int offset, String message) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < offset && i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new TraceQLException(message, line, col);
    }

    private TraceQLException error(int offset, String message) {
        return error(src, offset, message);
    }

    private Token next() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            pos++;
        }
        int start = pos;
        if (pos >= src.length()) {
            return new Token(Kind.EOF, "", null, start);
        }
        char c = src.charAt(pos);
        if (c == '"' || c == '`') {
            return new Token(Kind.STRING, null, readString(), start);
        }
        if (isDigit(c) || c == '.' && pos + 1 < src.length() && isDigit(src.charAt(pos + 1))) {
            return readNumber();
        }
        if (c == '.') {
            pos++;
            return new Token(Kind.ATTRIBUTE, ".", new Ast.AttrRef(Ast.AttrScope.ANY, readAttributeName(start)), start);
        }
        if (Character.isLetter(c) || c == '_') {
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
            String word = src.substring(start, pos);
            Ast.AttrScope scope = switch (word) {
                case "span" -> Ast.AttrScope.SPAN;
                case "resource" -> Ast.AttrScope.RESOURCE;
                case "instrumentation" -> Ast.AttrScope.INSTRUMENTATION;
                case "event" -> Ast.AttrScope.EVENT;
                case "link" -> Ast.AttrScope.LINK;
                default -> null;
            };
            if (pos < src.length() && src.charAt(pos) == '.' && scope != null) {
                pos++;
                return new Token(Kind.ATTRIBUTE, word + ".", new Ast.AttrRef(scope, readAttributeName(start)), start);
            }
            if (pos < src.length() && src.charAt(pos) == '.' && UNSUPPORTED_ATTRIBUTE_SCOPES.contains(word)) {
                throw error(start, "unsupported construct \"" + word + ".\": attributes of the " + word
                        + " scope are not implemented");
            }
            if (pos < src.length() && src.charAt(pos) == ':' && INTRINSIC_SCOPES.contains(word)) {
                pos++;
                int nameStart = pos;
                while (pos < src.length() && Character.isLetterOrDigit(src.charAt(pos))) {
                    pos++;
                }
                if (pos == nameStart) {
                    throw error(nameStart, "expected an intrinsic name after \"" + word + ":\"");
                }
                String text = src.substring(start, pos);
                return new Token(Kind.SCOPED_INTRINSIC, text, null, start);
            }
            return new Token(Kind.IDENT, word, null, start);
        }
        for (int i = 0; i < OPERATORS.length; i++) {
            if (src.startsWith(OPERATORS[i], pos)) {
                pos += OPERATORS[i].length();
                return new Token(OPERATOR_KINDS[i], OPERATORS[i], null, start);
            }
        }
        throw error(start, "unexpected character '" + c + "'");
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Tempo's rule: an attribute name ends at a space or one of these; everything else belongs to it. */
    private static boolean isAttributeChar(char c) {
        return !Character.isWhitespace(c) && "{}()=~!<>&|^,".indexOf(c) < 0;
    }

    private String readAttributeName(int tokenStart) {
        StringBuilder sb = new StringBuilder();
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '"') {
                pos++;
                boolean closed = false;
                while (pos < src.length()) {
                    char q = src.charAt(pos++);
                    if (q == '"') {
                        closed = true;
                        break;
                    }
                    if (q == '\\') {
                        if (pos < src.length() && (src.charAt(pos) == '"' || src.charAt(pos) == '\\')) {
                            sb.append(src.charAt(pos++));
                            continue;
                        }
                        throw error(pos - 1, "invalid escape sequence in a quoted attribute name (only \\\" and \\\\)");
                    }
                    sb.append(q);
                }
                if (!closed) {
                    throw error(tokenStart, "unterminated quoted attribute name");
                }
            } else if (isAttributeChar(c)) {
                sb.append(c);
                pos++;
            } else {
                break;
            }
        }
        if (sb.isEmpty()) {
            throw error(tokenStart, "expected an attribute name after \"" + src.substring(tokenStart, pos) + "\"");
        }
        return sb.toString();
    }

    private String readString() {
        int start = pos;
        char quote = src.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < src.length()) {
            char c = src.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (quote == '"' && c == '\n') {
                break;
            }
            if (c != '\\' || quote == '`') {
                sb.append(c);
                continue;
            }
            if (pos >= src.length()) {
                break;
            }
            int escAt = pos - 1;
            char e = src.charAt(pos++);
            switch (e) {
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case '\\' -> sb.append('\\');
                case '"' -> sb.append('"');
                case 'x' -> sb.append((char) hex(escAt, 2));
                case 'u' -> sb.append((char) hex(escAt, 4));
                case 'U' -> sb.appendCodePoint(hex(escAt, 8));
                default -> {
                    if (e >= '0' && e <= '7' && pos + 1 < src.length()) {
                        String oct = src.substring(pos - 1, pos + 2);
                        if (oct.chars().allMatch(d -> d >= '0' && d <= '7')) {
                            pos += 2;
                            sb.append((char) Integer.parseInt(oct, 8));
                            break;
                        }
                    }
                    throw error(escAt, "invalid escape sequence \\" + e + " in a string");
                }
            }
        }
        throw error(start, "unterminated string");
    }

    private int hex(int escAt, int digits) {
        if (pos + digits > src.length()) {
            throw error(escAt, "invalid escape sequence in a string: expected " + digits + " hex digits");
        }
        try {
            int v = Integer.parseUnsignedInt(src.substring(pos, pos + digits), 16);
            if (!Character.isValidCodePoint(v)) {
                throw error(escAt, "invalid escape sequence in a string: not a code point");
            }
            pos += digits;
            return v;
        } catch (NumberFormatException e) {
            throw error(escAt, "invalid escape sequence in a string: expected " + digits + " hex digits");
        }
    }

    private Token readNumber() {
        int start = pos;
        while (pos < src.length() && isDigit(src.charAt(pos))) {
            pos++;
        }
        boolean isFloat = false;
        if (pos < src.length() && src.charAt(pos) == '.' && pos + 1 < src.length() && isDigit(src.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            while (pos < src.length() && isDigit(src.charAt(pos))) {
                pos++;
            }
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int p = pos + 1;
            if (p < src.length() && (src.charAt(p) == '+' || src.charAt(p) == '-')) {
                p++;
            }
            if (p < src.length() && isDigit(src.charAt(p))) {
                isFloat = true;
                pos = p;
                while (pos < src.length() && isDigit(src.charAt(pos))) {
                    pos++;
                }
            }
        }
        if (pos < src.length() && "nuµmshdwy".indexOf(src.charAt(pos)) >= 0) {
            // A unit follows: the whole run of digits, dots and units is one duration, as Tempo scans it.
            pos = start;
            while (pos < src.length() && (isDigit(src.charAt(pos)) || src.charAt(pos) == '.'
                    || "nuµmshdwy".indexOf(src.charAt(pos)) >= 0)) {
                pos++;
            }
            String text = src.substring(start, pos);
            return new Token(Kind.DURATION, text, parseDuration(text, start), start);
        }
        String text = src.substring(start, pos);
        if (isFloat) {
            return new Token(Kind.FLOAT, text, Double.parseDouble(text), start);
        }
        try {
            return new Token(Kind.INT, text, Long.parseLong(text), start);
        } catch (NumberFormatException e) {
            throw error(start, "integer " + text + " out of range");
        }
    }

    private static final String[] UNITS = {"ns", "us", "µs", "ms", "s", "m", "h", "d", "w", "y"};
    private static final long[] UNIT_NANOS = {1L, 1_000L, 1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L,
        3_600_000_000_000L, 86_400_000_000_000L, 7 * 86_400_000_000_000L, 365 * 86_400_000_000_000L};

    /** Go's and Prometheus's duration forms: one or more (number, unit) pairs, fractions allowed. */
    private long parseDuration(String text, int at) {
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < text.length()) {
            int numStart = i;
            while (i < text.length() && (isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                i++;
            }
            if (i == numStart || i == text.length()) {
                throw error(at, "invalid duration \"" + text + "\"");
            }
            BigDecimal n;
            try {
                n = new BigDecimal(text.substring(numStart, i));
            } catch (NumberFormatException e) {
                throw error(at, "invalid duration \"" + text + "\"");
            }
            int unit = -1;
            for (int u = 0; u < UNITS.length; u++) {
                // "ms" before "m" and "s": longest unit that matches and is not followed by another unit letter.
                if (text.startsWith(UNITS[u], i) && (unit < 0 || UNITS[u].length() > UNITS[unit].length())) {
                    unit = u;
                }
            }
            if (unit < 0) {
                throw error(at, "invalid duration \"" + text + "\": unknown unit");
            }
            i += UNITS[unit].length();
            total = total.add(n.multiply(BigDecimal.valueOf(UNIT_NANOS[unit])));
        }
        try {
            return total.setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
        } catch (ArithmeticException e) {
            throw error(at, "duration \"" + text + "\" out of range");
        }
    }
}
