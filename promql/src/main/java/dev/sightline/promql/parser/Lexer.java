package dev.sightline.promql.parser;

import dev.sightline.core.text.GoQuote;

import java.util.Locale;
import java.util.Map;

/**
 * PromQL lexer with Prometheus's lexing rules (promql/parser/lex.go): context-dependent keywords, braces where
 * keywords are plain identifiers, duration arithmetic inside brackets, Go string escapes. Produces one token per
 * call; after an ERROR token it only returns EOF.
 */
final class Lexer {
    private static final Map<String, TokenType> KEYWORDS = Map.ofEntries(
            Map.entry("and", TokenType.LAND), Map.entry("or", TokenType.LOR), Map.entry("unless", TokenType.LUNLESS),
            Map.entry("atan2", TokenType.ATAN2),
            Map.entry("sum", TokenType.SUM), Map.entry("avg", TokenType.AVG), Map.entry("count", TokenType.COUNT),
            Map.entry("min", TokenType.MIN), Map.entry("max", TokenType.MAX), Map.entry("group", TokenType.GROUP),
            Map.entry("stddev", TokenType.STDDEV), Map.entry("stdvar", TokenType.STDVAR),
            Map.entry("topk", TokenType.TOPK), Map.entry("bottomk", TokenType.BOTTOMK),
            Map.entry("count_values", TokenType.COUNT_VALUES), Map.entry("quantile", TokenType.QUANTILE),
            Map.entry("limitk", TokenType.LIMITK), Map.entry("limit_ratio", TokenType.LIMIT_RATIO),
            Map.entry("offset", TokenType.OFFSET), Map.entry("smoothed", TokenType.SMOOTHED),
            Map.entry("anchored", TokenType.ANCHORED), Map.entry("by", TokenType.BY),
            Map.entry("without", TokenType.WITHOUT), Map.entry("on", TokenType.ON),
            Map.entry("ignoring", TokenType.IGNORING), Map.entry("group_left", TokenType.GROUP_LEFT),
            Map.entry("group_right", TokenType.GROUP_RIGHT), Map.entry("fill", TokenType.FILL),
            Map.entry("fill_left", TokenType.FILL_LEFT), Map.entry("fill_right", TokenType.FILL_RIGHT),
            Map.entry("bool", TokenType.BOOL),
            Map.entry("start", TokenType.START), Map.entry("end", TokenType.END), Map.entry("step", TokenType.STEP),
            Map.entry("range", TokenType.RANGE),
            Map.entry("inf", TokenType.NUMBER), Map.entry("nan", TokenType.NUMBER));

    private final String input;
    private int pos;
    private int start;
    private boolean done;

    private int parenDepth;
    private boolean braceOpen;
    private boolean bracketOpen;
    private boolean gotColon;
    private boolean gotDuration;
    /**
     * Inside brackets, Prometheus's lexer returns to its statement rules after a number or duration and stays there
     * until ']' (which changes some error messages); this tracks that.
     */
    private boolean statementsInBracket;

    Lexer(String input) {
        this.input = input;
    }

    String input() {
        return input;
    }

    Token next() {
        if (done) {
            return new Token(TokenType.EOF, input.length(), "");
        }
        Token t = scan();
        if (t.type() == TokenType.ERROR || t.type() == TokenType.EOF) {
            done = true;
        }
        if (bracketOpen && (t.type() == TokenType.NUMBER || t.type() == TokenType.DURATION)) {
            statementsInBracket = true;
        }
        return t;
    }

    private Token scan() {
        while (true) {
            start = pos;
            if (braceOpen) {
                Token t = scanInsideBraces();
                if (t != null) {
                    return t;
                }
                continue;
            }
            if (bracketOpen && !statementsInBracket) {
                Token t = scanDurationExpr();
                if (t != null) {
                    return t;
                }
                continue;
            }
            if (input.startsWith("#", pos)) {
                return lineComment();
            }
            int r = nextRune();
            if (r == -1) {
                if (parenDepth != 0) {
                    return error("unclosed left parenthesis");
                }
                if (bracketOpen) {
                    return error("unclosed left bracket");
                }
                return emit(TokenType.EOF);
            }
            switch (r) {
                case ',' -> {
                    return emit(TokenType.COMMA);
                }
                case ' ', '\t', '\n', '\r' -> {
                    skipSpaces();
                    continue;
                }
                case '*' -> {
                    return emit(TokenType.MUL);
                }
                case '/' -> {
                    return emit(TokenType.DIV);
                }
                case '%' -> {
                    return emit(TokenType.MOD);
                }
                case '+' -> {
                    return emit(TokenType.ADD);
                }
                case '-' -> {
                    return emit(TokenType.SUB);
                }
                case '^' -> {
                    return emit(TokenType.POW);
                }
                case '=' -> {
                    int t = peekRune();
                    if (t == '=') {
                        pos++;
                        return emit(TokenType.EQLC);
                    }
                    if (t == '~') {
                        return error("unexpected character after '=': " + GoFmt.quoteRune(t));
                    }
                    return emit(TokenType.EQL);
                }
                case '!' -> {
                    int t = nextRune();
                    if (t != '=') {
                        return error("unexpected character after '!': " + GoFmt.quoteRune(t));
                    }
                    return emit(TokenType.NEQ);
                }
                case '<' -> {
                    if (peekRune() == '=') {
                        pos++;
                        return emit(TokenType.LTE);
                    }
                    if (peekRune() == '/') {
                        pos++;
                        return emit(TokenType.TRIM_UPPER);
                    }
                    return emit(TokenType.LSS);
                }
                case '>' -> {
                    if (peekRune() == '=') {
                        pos++;
                        return emit(TokenType.GTE);
                    }
                    if (peekRune() == '/') {
                        pos++;
                        return emit(TokenType.TRIM_LOWER);
                    }
                    return emit(TokenType.GTR);
                }
                case '"', '\'' -> {
                    return string((char) r);
                }
                case '`' -> {
                    return rawString();
                }
                case '(' -> {
                    parenDepth++;
                    return emit(TokenType.LEFT_PAREN);
                }
                case ')' -> {
                    Token t = emit(TokenType.RIGHT_PAREN);
                    if (--parenDepth < 0) {
                        return error("unexpected right parenthesis " + GoFmt.quoteRune(r));
                    }
                    return t;
                }
                case '{' -> {
                    braceOpen = true;
                    return emit(TokenType.LEFT_BRACE);
                }
                case '[' -> {
                    if (bracketOpen) {
                        return error("unexpected left bracket " + GoFmt.quoteRune(r));
                    }
                    gotColon = false;
                    gotDuration = false;
                    bracketOpen = true;
                    statementsInBracket = false;
                    return emit(TokenType.LEFT_BRACKET);
                }
                case ']' -> {
                    if (!bracketOpen) {
                        return error("unexpected right bracket " + GoFmt.quoteRune(r));
                    }
                    bracketOpen = false;
                    statementsInBracket = false;
                    return emit(TokenType.RIGHT_BRACKET);
                }
                case ':' -> {
                    if (!bracketOpen) {
                        pos = start;
                        return keywordOrIdentifier();
                    }
                    if (gotColon) {
                        return error("unexpected colon " + GoFmt.quoteRune(r));
                    }
                    gotColon = true;
                    return emit(TokenType.COLON);
                }
                case '@' -> {
                    return emit(TokenType.AT);
                }
                default -> {
                    if (isDigit(r) || (r == '.' && isDigit(peekRune()))) {
                        pos = start;
                        return numberOrDuration();
                    }
                    if (isAlpha(r) && bracketOpen) {
                        Token kw = durationKeyword();
                        if (kw != null) {
                            return kw;
                        }
                        return error("unexpected character: " + GoFmt.quoteRune(r) + ", expected "
                                + GoFmt.quoteRune(':'));
                    }
                    if (isAlpha(r)) {
                        pos = start;
                        return keywordOrIdentifier();
                    }
                    return error("unexpected character: " + GoFmt.quoteRune(r));
                }
            }
        }
    }

    /** Inside {...}: keywords are identifiers, only matcher syntax is allowed. Returns null after skipping. */
    private Token scanInsideBraces() {
        if (input.startsWith("#", pos)) {
            return lineComment();
        }
        int r = nextRune();
        switch (r) {
            case -1 -> {
                return error("unexpected end of input inside braces");
            }
            case ' ', '\t', '\n', '\r' -> {
                skipSpaces();
                return null;
            }
            case ',' -> {
                return emit(TokenType.COMMA);
            }
            case '"', '\'' -> {
                return string((char) r);
            }
            case '`' -> {
                return rawString();
            }
            case '=' -> {
                if (peekRune() == '~') {
                    pos++;
                    return emit(TokenType.EQL_REGEX);
                }
                return emit(TokenType.EQL);
            }
            case '!' -> {
                int nr = nextRune();
                if (nr == '~') {
                    return emit(TokenType.NEQ_REGEX);
                }
                if (nr == '=') {
                    return emit(TokenType.NEQ);
                }
                return error("unexpected character after '!' inside braces: " + GoFmt.quoteRune(nr));
            }
            case '{' -> {
                return error("unexpected left brace " + GoFmt.quoteRune(r));
            }
            case '}' -> {
                braceOpen = false;
                return emit(TokenType.RIGHT_BRACE);
            }
            default -> {
                if (isAlpha(r)) {
                    while (isAlphaNumeric(peekRune())) {
                        pos++;
                    }
                    return emit(TokenType.IDENTIFIER);
                }
                return error("unexpected character inside braces: " + GoFmt.quoteRune(r));
            }
        }
    }

    /** Inside [...]: duration arithmetic, step()/range()/min_of()/max_of(), ':' of subqueries. */
    private Token scanDurationExpr() {
        int r = nextRune();
        switch (r) {
            case -1 -> {
                return error("unexpected end of input in duration expression");
            }
            case ']' -> {
                bracketOpen = false;
                gotColon = false;
                return emit(TokenType.RIGHT_BRACKET);
            }
            case ':' -> {
                // Prometheus reports these right after the colon.
                start = pos;
                if (!gotDuration) {
                    return error("unexpected colon before duration in duration expression");
                }
                if (gotColon) {
                    return error("unexpected repeated colon in duration expression");
                }
                gotColon = true;
                start = pos - 1;
                return emit(TokenType.COLON);
            }
            case '(' -> {
                parenDepth++;
                return emit(TokenType.LEFT_PAREN);
            }
            case ')' -> {
                Token t = emit(TokenType.RIGHT_PAREN);
                if (--parenDepth < 0) {
                    return error("unexpected right parenthesis " + GoFmt.quoteRune(r));
                }
                return t;
            }
            case ' ', '\t', '\n', '\r' -> {
                skipSpaces();
                return null;
            }
            case '+' -> {
                return emit(TokenType.ADD);
            }
            case '-' -> {
                return emit(TokenType.SUB);
            }
            case '*' -> {
                return emit(TokenType.MUL);
            }
            case '/' -> {
                return emit(TokenType.DIV);
            }
            case '%' -> {
                return emit(TokenType.MOD);
            }
            case '^' -> {
                return emit(TokenType.POW);
            }
            case ',' -> {
                return emit(TokenType.COMMA);
            }
            default -> {
                if (isDigit(r) || (r == '.' && isDigit(peekRune()))) {
                    pos = start;
                    gotDuration = true;
                    return numberOrDuration();
                }
                if (isAlpha(r)) {
                    Token kw = durationKeyword();
                    if (kw != null) {
                        return kw;
                    }
                }
                return error("unexpected character in duration expression: " + GoFmt.quoteRune(r));
            }
        }
    }

    /** step, range, min_of, max_of (any case) inside brackets, or null with the position unchanged. */
    private Token durationKeyword() {
        int save = pos;
        while (isAlpha(peekRune())) {
            pos++;
        }
        TokenType t = switch (input.substring(start, pos).toLowerCase(Locale.ROOT)) {
            case "step" -> TokenType.STEP;
            case "range" -> TokenType.RANGE;
            case "min_of" -> TokenType.MIN_OF;
            case "max_of" -> TokenType.MAX_OF;
            default -> null;
        };
        if (t == null) {
            pos = save;
            return null;
        }
        gotDuration = true;
        return emit(t);
    }

    private Token lineComment() {
        while (pos < input.length() && input.charAt(pos) != '\n' && input.charAt(pos) != '\r') {
            pos++;
        }
        return emit(TokenType.COMMENT);
    }

    private Token numberOrDuration() {
        if (scanNumber(false)) {
            return emit(TokenType.NUMBER);
        }
        if (acceptRemainingDuration()) {
            pos--; // the non-alphanumeric rune that ended the duration
            if (pos < start) {
                pos = start;
            }
            return emit(TokenType.DURATION);
        }
        return error("bad number or duration syntax: " + GoQuote.quote(input.substring(start, Math.min(pos, input.length()))));
    }

    private boolean acceptRemainingDuration() {
        if (!accept("smhdwy")) {
            return false;
        }
        accept("s");
        while (accept("0123456789")) {
            while (accept("0123456789")) {
                // digits
            }
            if (!accept("smhdw")) {
                return false;
            }
            accept("s");
        }
        int r = nextRuneOrEofStep();
        return !isAlphaNumeric(r);
    }

    /** Like nextRune but always advances by one position, also at the end, so the caller can step back. */
    private int nextRuneOrEofStep() {
        if (pos >= input.length()) {
            pos++;
            return -1;
        }
        int r = input.codePointAt(pos);
        pos += 1; // callers step back by one char; only ASCII matters for the check
        return r;
    }

    /**
     * Scans a number (decimal, hex, float with exponent, with underscores between digits) as Prometheus's lexer
     * does; the text is validated again when converted. {@code seriesDesc} allows a following 'x' and forbids hex.
     */
    boolean scanNumber(boolean seriesDesc) {
        int initial = pos;
        String digits = "0123456789";
        if (!seriesDesc && accept("0")) {
            if (accept("xX")) {
                accept("_");
                digits = "0123456789abcdefABCDEF";
            }
        }
        accept(".");
        accept(digits);
        boolean dot = false;
        boolean exp = false;
        String all = digits + "._eE";
        while (pos < input.length() && all.indexOf(input.charAt(pos)) >= 0) {
            char c = input.charAt(pos);
            if (c == '.' && dot) {
                pos++;
                return false;
            }
            if ((c == 'e' || c == 'E') && exp && digits.length() == 10) {
                pos++;
                return false;
            }
            if (c == '.') {
                pos++;
                dot = true;
                if (accept("_.")) {
                    return false;
                }
                if (digits.length() > 10) {
                    return false;
                }
                continue;
            }
            if ((c == 'e' || c == 'E') && digits.length() == 10) {
                pos++;
                exp = true;
                accept("+-");
                if (accept("._eE") || pos >= input.length()) {
                    return false;
                }
                continue;
            }
            if (c == '_') {
                pos++;
                if (accept("._eE") || pos >= input.length()) {
                    return false;
                }
                continue;
            }
            while (pos < input.length() && digits.indexOf(input.charAt(pos)) >= 0) {
                pos++;
            }
        }
        if (pos == initial) {
            return false;
        }
        int r = peekRune();
        return (seriesDesc && r == 'x') || !isAlphaNumeric(r);
    }

    private Token keywordOrIdentifier() {
        while (pos < input.length() && (isAlphaNumeric(input.charAt(pos)) || input.charAt(pos) == ':')) {
            pos++;
        }
        String word = input.substring(start, pos);
        TokenType kw = KEYWORDS.get(word.toLowerCase(Locale.ROOT));
        if (kw != null) {
            // fill/fill_left/fill_right are keywords only before '(' so that metrics may carry these names.
            if ((kw == TokenType.FILL || kw == TokenType.FILL_LEFT || kw == TokenType.FILL_RIGHT)
                    && !followedByLeftParen()) {
                return emit(TokenType.IDENTIFIER);
            }
            return emit(kw);
        }
        return emit(word.indexOf(':') >= 0 ? TokenType.METRIC_IDENTIFIER : TokenType.IDENTIFIER);
    }

    /** Whether the next non-space character is '(' (used for keywords that are also valid names). */
    boolean followedByLeftParen() {
        int p = pos;
        while (p < input.length() && isSpace(input.charAt(p))) {
            p++;
        }
        return p < input.length() && input.charAt(p) == '(';
    }

    /** A quoted string; escapes are validated here and decoded by {@link GoFmt#unquote}. */
    private Token string(char quote) {
        while (true) {
            int r = nextRune();
            if (r == '\\') {
                Token err = escape(quote);
                if (err != null) {
                    return err;
                }
                continue;
            }
            if (r == 0xFFFD) {
                // What Go's decoder reports for bytes that are not UTF-8 (and for U+FFFD itself).
                return error("invalid UTF-8 rune");
            }
            if (r == -1 || r == '\n') {
                return error("unterminated quoted string");
            }
            if (r == quote) {
                return emit(TokenType.STRING);
            }
        }
    }

    private Token escape(char quote) {
        int ch = nextRune();
        int n;
        int base;
        int max;
        switch (ch) {
            case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\' -> {
                return null;
            }
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                n = 3;
                base = 8;
                max = 255;
            }
            case 'x' -> {
                ch = nextRune();
                n = 2;
                base = 16;
                max = 255;
            }
            case 'u' -> {
                ch = nextRune();
                n = 4;
                base = 16;
                max = Character.MAX_CODE_POINT;
            }
            case 'U' -> {
                ch = nextRune();
                n = 8;
                base = 16;
                max = Character.MAX_CODE_POINT;
            }
            case -1 -> {
                return error("escape sequence not terminated");
            }
            default -> {
                if (ch == quote) {
                    return null;
                }
                return error("unknown escape sequence " + GoFmt.runeU(ch));
            }
        }
        long x = 0;
        while (n > 0) {
            int d = Character.digit(ch, 16);
            if (ch > 127 || d < 0 || d >= base) {
                if (ch == -1) {
                    return error("escape sequence not terminated");
                }
                return error("illegal character " + GoFmt.runeU(ch) + " in escape sequence");
            }
            x = x * base + d;
            n--;
            if (n > 0) {
                ch = nextRune();
            }
        }
        if (x > max || (0xD800 <= x && x < 0xE000)) {
            return error("escape sequence is an invalid Unicode code point");
        }
        return null;
    }

    private Token rawString() {
        while (true) {
            int r = nextRune();
            if (r == 0xFFFD) {
                return error("invalid UTF-8 rune");
            }
            if (r == -1) {
                return error("unterminated raw string");
            }
            if (r == '`') {
                return emit(TokenType.STRING);
            }
        }
    }

    private void skipSpaces() {
        while (pos < input.length() && isSpace(input.charAt(pos))) {
            pos++;
        }
    }

    private Token emit(TokenType t) {
        Token tok = new Token(t, start, input.substring(start, Math.min(pos, input.length())));
        start = pos;
        return tok;
    }

    private Token error(String msg) {
        return new Token(TokenType.ERROR, start, msg);
    }

    private int nextRune() {
        if (pos >= input.length()) {
            return -1;
        }
        int r = input.codePointAt(pos);
        pos += Character.charCount(r);
        return r;
    }

    private int peekRune() {
        return pos >= input.length() ? -1 : input.codePointAt(pos);
    }

    private boolean accept(String valid) {
        if (pos < input.length() && valid.indexOf(input.charAt(pos)) >= 0) {
            pos++;
            return true;
        }
        return false;
    }

    static boolean isSpace(int r) {
        return r == ' ' || r == '\t' || r == '\n' || r == '\r';
    }

    static boolean isDigit(int r) {
        return r >= '0' && r <= '9';
    }

    static boolean isAlpha(int r) {
        return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
    }

    static boolean isAlphaNumeric(int r) {
        return isAlpha(r) || isDigit(r);
    }
}
