package dev.sightline.logs.logql;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.text.PromDurations;
import dev.sightline.core.text.Regex;
import dev.sightline.logs.FieldCondition;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogFields;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A hand-written recursive-descent parser for LogQL. Errors name the position as Loki does:
 * {@code parse error at line 1, col 23: syntax error: unexpected IDENTIFIER, expecting STRING}. What LogQL has and
 * this engine does not is rejected with {@code not implemented: <name>}.
 */
final class LogQlParser {
    /** Loki's range aggregations that take a log range with no unwrap. */
    private static final Set<String> LOG_RANGE_OPS = Set.of("count_over_time", "rate", "bytes_over_time",
            "bytes_rate", "absent_over_time");
    /** Loki's range aggregations over unwrapped values. */
    private static final Set<String> UNWRAP_OPS = Set.of("rate", "rate_counter", "sum_over_time", "avg_over_time",
            "min_over_time", "max_over_time", "stdvar_over_time", "stddev_over_time", "quantile_over_time",
            "first_over_time", "last_over_time", "absent_over_time");
    private static final Set<String> VECTOR_OPS = Set.of("sum", "avg", "min", "max", "count", "topk", "bottomk",
            "stddev", "stdvar", "sort", "sort_desc");
    /** LogQL functions and operators this engine does not implement: named in the error. */
    private static final Set<String> NOT_IMPLEMENTED = Set.of("label_replace", "count_values", "approx_topk",
            "quantile", "distinct", "absent");

    enum Kind { IDENT, STRING, NUMBER, DURATION, BYTES, OP, EOF }

    /** A token: its text as written, the unquoted string or the number (durations in nanoseconds, bytes as bytes). */
    record Token(Kind kind, String text, String string, double number, int offset) {
        boolean is(String op) {
            return (kind == Kind.OP || kind == Kind.IDENT) && text.equals(op);
        }

        String describe() {
            return switch (kind) {
                case EOF -> "end of input";
                case STRING -> "STRING " + text;
                case IDENT -> "IDENTIFIER " + text;
                case NUMBER -> "NUMBER " + text;
                case DURATION -> "DURATION " + text;
                case BYTES -> "BYTES " + text;
                case OP -> "\"" + text + "\"";
            };
        }
    }

    private final String query;
    private final List<Token> tokens;
    private int next;
    private int depth;
    /**
     * The binary operations built here whose both sides are scalars: remembered so that telling a scalar costs O(1)
     * (walking a chain such as {@code x > 0 > 0 > ...} on every operator was quadratic: 23 KB took over 5 s).
     */
    private final Set<Ast.MetricExpr> scalarOps = Collections.newSetFromMap(new IdentityHashMap<>());

    private LogQlParser(String query) {
        this.query = query;
        this.tokens = lex(query);
    }

    /** @throws LogQlException naming the position of what does not parse or the feature not implemented */
    static Ast.Expr parse(String query) {
        LogQlParser p = new LogQlParser(query);
        Ast.Expr e = p.expr();
        if (p.peek().kind() != Kind.EOF) {
            throw p.unexpected(p.peek(), "end of query");
        }
        return e;
    }

    // ---- errors

    private LogQlException error(int offset, String message) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < offset && i < query.length(); i++) {
            if (query.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new LogQlException("parse error at line " + line + ", col " + col + ": " + message);
    }

    private LogQlException unexpected(Token t, String expecting) {
        return error(t.offset(), "syntax error: unexpected " + t.describe() + ", expecting " + expecting);
    }

    private LogQlException notImplemented(Token t, String what) {
        return error(t.offset(), "not implemented: " + what);
    }

    // ---- lexer

    private static final String[] OPS = {"|=", "|~", "|>", "!=", "!~", "!>", "=~", "==", ">=", "<=", "--", "{", "}",
            "(", ")", "[", "]", ",", "|", "=", ">", "<", "+", "-", "*", "/", "%", "^", ":"};

    private List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i < n && s.charAt(i) == '#') { // a comment runs to the end of the line
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (i >= n) {
                out.add(new Token(Kind.EOF, "", null, 0, n));
                return out;
            }
            char c = s.charAt(i);
            int start = i;
            if (c == '"' || c == '`') {
                int[] end = new int[1];
                String v;
                try {
                    v = unquote(s, i, e -> end[0] = e);
                } catch (IllegalArgumentException e) {
                    throw error(start, e.getMessage());
                }
                i = end[0];
                out.add(new Token(Kind.STRING, s.substring(start, i), v, 0, start));
            } else if (Character.isDigit(c) || c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1))) {
                while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == 'µ'
                        || (s.charAt(i) == '+' || s.charAt(i) == '-') && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')
                        && i + 1 < n && Character.isDigit(s.charAt(i + 1)) && Character.isDigit(s.charAt(start)))) {
                    i++;
                }
                out.add(number(s.substring(start, i), start));
            } else if (Character.isLetter(c) || c == '_') {
                while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Kind.IDENT, s.substring(start, i), null, 0, start));
            } else {
                String op = null;
                for (String o : OPS) {
                    if (s.startsWith(o, i)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw error(start, "syntax error: unexpected character '" + c + "'");
                }
                i += op.length();
                out.add(new Token(Kind.OP, op, null, 0, start));
            }
        }
    }

    /** A number, a duration (Go's or Prometheus's units) or a byte size, in that order of preference. */
    private Token number(String text, int offset) {
        double v = LogFields.number(text);
        if (!Double.isNaN(v)) {
            return new Token(Kind.NUMBER, text, null, v, offset);
        }
        try {
            return new Token(Kind.DURATION, text, null, PromDurations.parseMillis(text) * 1e6, offset);
        } catch (IllegalArgumentException e) {
            double seconds = LogFields.durationSeconds(text);
            if (!Double.isNaN(seconds)) {
                return new Token(Kind.DURATION, text, null, Math.rint(seconds * 1e9), offset);
            }
        }
        double bytes = LogFields.bytes(text);
        if (!Double.isNaN(bytes)) {
            return new Token(Kind.BYTES, text, null, bytes, offset);
        }
        throw error(offset, "syntax error: \"" + text + "\" is not a number, a duration or a byte size");
    }

    /**
     * A Go string literal at {@code start} (double-quoted with escapes, or a raw backtick string); {@code end}
     * receives the offset after it.
     *
     * @throws IllegalArgumentException for an unterminated string or a bad escape
     */
    static String unquote(String s, int start, IntConsumer end) {
        char q = s.charAt(start);
        StringBuilder sb = new StringBuilder();
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == q) {
                end.accept(i);
                return sb.toString();
            }
            if (c == '\\' && q == '"') {
                if (i >= s.length()) {
                    break;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'a' -> sb.append('\u0007');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'v' -> sb.append('\u000b');
                    case '\\', '"', '\'' -> sb.append(e);
                    case 'x', 'u', 'U' -> {
                        int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                        if (i + len > s.length()) {
                            throw new IllegalArgumentException("invalid escape \\" + e + " in string");
                        }
                        try {
                            sb.appendCodePoint(Integer.parseInt(s.substring(i, i + len), 16));
                        } catch (IllegalArgumentException ex) {
                            throw new IllegalArgumentException("invalid escape \\" + e + s.substring(i, i + len)
                                    + " in string");
                        }
                        i += len;
                    }
                    default -> {
                        if (e >= '0' && e <= '7' && i + 2 <= s.length()) {
                            sb.append((char) Integer.parseInt(s.substring(i - 1, i + 2), 8));
                            i += 2;
                        } else {
                            throw new IllegalArgumentException("invalid escape \\" + e + " in string (use \\\\ for a"
                                    + " backslash, or a backtick string)");
                        }
                    }
                }
            } else if (c == '\n' && q == '"') {
                break;
            } else {
                sb.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }

    // ---- token access

    private Token peek() {
        return tokens.get(next);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(next + ahead, tokens.size() - 1));
    }

    private Token take() {
        Token t = tokens.get(next);
        if (t.kind() != Kind.EOF) {
            next++;
        }
        return t;
    }

    private boolean accept(String op) {
        if (peek().is(op)) {
            next++;
            return true;
        }
        return false;
    }

    private Token expect(String op) {
        Token t = peek();
        if (!t.is(op)) {
            throw unexpected(t, "\"" + op + "\"");
        }
        return take();
    }

    private Token expect(Kind kind) {
        Token t = peek();
        if (t.kind() != kind) {
            throw unexpected(t, kind.name());
        }
        return take();
    }

    // ---- expressions

    private static final List<Set<String>> LEVELS = List.of(Set.of("or"), Set.of("and", "unless"),
            Set.of("==", "!=", ">", ">=", "<", "<="), Set.of("+", "-"), Set.of("*", "/", "%"));

    private Ast.Expr expr() {
        return binary(0);
    }

    private Ast.Expr binary(int level) {
        if (level == LEVELS.size()) {
            return unary();
        }
        Ast.Expr lhs = binary(level + 1);
        while (LEVELS.get(level).contains(peek().text()) && peek().kind() != Kind.STRING) {
            Token op = take();
            lhs = binaryOp(op, lhs, () -> binary(level + 1));
        }
        return lhs;
    }

    private Ast.Expr binaryOp(Token op, Ast.Expr lhs, java.util.function.Supplier<Ast.Expr> rhsParser) {
        boolean comparison = LEVELS.get(2).contains(op.text());
        boolean set = LEVELS.get(0).contains(op.text()) || LEVELS.get(1).contains(op.text());
        boolean bool = false;
        if (peek().is("bool")) {
            if (!comparison) {
                throw error(peek().offset(), "bool modifier can only be used on comparison operators");
            }
            take();
            bool = true;
        }
        Ast.Matching matching = null;
        if (peek().is("on") || peek().is("ignoring")) {
            boolean on = take().text().equals("on");
            matching = new Ast.Matching(on, labelList());
        }
        if (peek().is("group_left") || peek().is("group_right")) {
            throw notImplemented(peek(), peek().text() + " (many-to-one matching)");
        }
        Token rhsStart = peek();
        Ast.Expr rhs = rhsParser.get();
        Ast.MetricExpr l = metric(lhs, op);
        Ast.MetricExpr r = metric(rhs, rhsStart);
        boolean scalars = isScalar(l) && isScalar(r);
        if (set && (isScalar(l) || isScalar(r))) {
            throw error(op.offset(), "set operator " + op.text() + " not allowed in binary scalar expression");
        }
        if (comparison && scalars && !bool) {
            throw error(op.offset(), "comparisons between scalars must use BOOL modifier");
        }
        return binOp(op.text(), l, r, bool, matching);
    }

    private Ast.BinOp binOp(String op, Ast.MetricExpr l, Ast.MetricExpr r, boolean bool, Ast.Matching matching) {
        Ast.BinOp b = new Ast.BinOp(op, l, r, bool, matching);
        if (isScalar(l) && isScalar(r)) {
            scalarOps.add(b);
        }
        return b;
    }

    private boolean isScalar(Ast.MetricExpr e) {
        return e instanceof Ast.NumberLit || scalarOps.contains(e);
    }

    private Ast.MetricExpr metric(Ast.Expr e, Token at) {
        if (e instanceof Ast.MetricExpr m) {
            return m;
        }
        throw error(at.offset(), "a log query cannot be an operand of a binary operation; use a metric query such "
                + "as count_over_time({...}[5m])");
    }

    /** Nesting (parentheses, signs, aggregations) deeper than this is refused: about 550 levels overflowed a 1 MiB stack. */
    static final int MAX_DEPTH = 128;

    private Ast.Expr unary() {
        // Every level of an expression's nesting passes here.
        enter();
        try {
            return signedOrPower();
        } finally {
            depth--;
        }
    }

    /** One level deeper (the caller goes back up with depth--), refused past {@link #MAX_DEPTH}. */
    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error(peek().offset(), "expression nesting too deep (more than " + MAX_DEPTH + " levels)");
        }
    }

    private Ast.Expr signedOrPower() {
        if (peek().is("-") || peek().is("+")) {
            Token sign = take();
            Ast.MetricExpr e = metric(unary(), sign);
            if (sign.text().equals("+")) {
                return e;
            }
            return e instanceof Ast.NumberLit n ? new Ast.NumberLit(-n.value())
                    : binOp("*", e, new Ast.NumberLit(-1), false, null);
        }
        Ast.Expr base = primary();
        if (peek().is("^")) {
            Token op = take();
            return binaryOp(op, base, this::unary);
        }
        return base;
    }

    private Ast.Expr primary() {
        Token t = peek();
        switch (t.kind()) {
            case NUMBER -> {
                take();
                return new Ast.NumberLit(t.number());
            }
            case OP -> {
                if (t.is("(")) {
                    take();
                    Ast.Expr e = expr();
                    expect(")");
                    return e;
                }
                if (t.is("{")) {
                    Ast.LogExpr log = logExpr(false);
                    if (peek().is("[")) {
                        throw error(peek().offset(), "a log range such as [5m] needs a range aggregation, e.g. "
                                + "count_over_time({...}[5m])");
                    }
                    if (peek().is("|") && peek(1).is("unwrap")) {
                        throw error(peek(1).offset(), "unwrap is only allowed inside a range aggregation");
                    }
                    return log;
                }
                throw unexpected(t, "a query");
            }
            case IDENT -> {
                String name = t.text();
                if (LOG_RANGE_OPS.contains(name) || UNWRAP_OPS.contains(name)) {
                    take();
                    return rangeAgg(t);
                }
                if (VECTOR_OPS.contains(name)) {
                    take();
                    return vectorAgg(t);
                }
                if (name.equals("vector")) {
                    take();
                    expect("(");
                    boolean neg = accept("-");
                    double x = expect(Kind.NUMBER).number();
                    expect(")");
                    return new Ast.VectorLit(neg ? -x : x);
                }
                if (NOT_IMPLEMENTED.contains(name) || name.endsWith("_over_time")) {
                    throw notImplemented(t, name);
                }
                throw unexpected(t, "a query");
            }
            default -> throw unexpected(t, "a query");
        }
    }

    private Ast.RangeAgg rangeAgg(Token opToken) {
        String op = opToken.text();
        expect("(");
        double param = Double.NaN;
        if (op.equals("quantile_over_time")) {
            param = expect(Kind.NUMBER).number();
            expect(",");
        }
        Ast.LogRange range = logRange();
        expect(")");
        Ast.Grouping grouping = grouping();
        if (range.unwrap() != null && !UNWRAP_OPS.contains(op)) {
            throw error(opToken.offset(), "invalid aggregation " + op + " with unwrap");
        }
        if (range.unwrap() == null && !LOG_RANGE_OPS.contains(op)) {
            throw error(opToken.offset(), "invalid aggregation " + op + " without unwrap");
        }
        if (grouping != null && (range.unwrap() == null || op.equals("absent_over_time"))) {
            throw error(opToken.offset(), "grouping not allowed for " + op + " aggregation");
        }
        return new Ast.RangeAgg(op, range, param, grouping);
    }

    private Ast.LogRange logRange() {
        if (!peek().is("{")) {
            throw unexpected(peek(), "a log stream selector \"{\"");
        }
        Ast.LogExpr log = logExpr(true);
        long range = -1;
        if (peek().is("[")) {
            range = rangeDuration();
            // Loki also takes the range right after the selector: {..}[5m] | json
            List<Pipeline.Stage> more = pipeline(true);
            if (!more.isEmpty()) {
                more.addAll(0, log.stages());
                log = new Ast.LogExpr(log.matchers(), more);
            }
        }
        Ast.Unwrap unwrap = null;
        if (peek().is("|") && peek(1).is("unwrap")) {
            take();
            take();
            unwrap = unwrap();
        }
        if (range < 0) {
            if (!peek().is("[")) {
                throw unexpected(peek(), "a range such as [5m]");
            }
            range = rangeDuration();
        }
        long offset = 0;
        if (peek().is("offset")) {
            take();
            Token d = expect(Kind.DURATION);
            offset = (long) d.number();
        }
        return new Ast.LogRange(log, unwrap, range, offset);
    }

    private long rangeDuration() {
        expect("[");
        Token d = peek();
        if (d.kind() != Kind.DURATION) {
            throw unexpected(d, "a range duration such as 5m");
        }
        take();
        if (peek().is(":")) {
            throw notImplemented(peek(), "subqueries ([range:step])");
        }
        expect("]");
        if (d.number() <= 0) {
            throw error(d.offset(), "range must be positive, got " + d.text());
        }
        return (long) d.number();
    }

    private Ast.Unwrap unwrap() {
        Ast.Conversion conversion = Ast.Conversion.NUMBER;
        Token t = expect(Kind.IDENT);
        String label = t.text();
        if (peek().is("(")) {
            conversion = switch (t.text()) {
                case "duration", "duration_seconds" -> Ast.Conversion.DURATION;
                case "bytes" -> Ast.Conversion.BYTES;
                default -> throw error(t.offset(), "unknown unwrap conversion " + t.text()
                        + "(): use duration(), duration_seconds() or bytes()");
            };
            take();
            label = expect(Kind.IDENT).text();
            expect(")");
        }
        List<Pipeline.Stage> after = new ArrayList<>();
        while (peek().is("|")) {
            Token bar = take();
            if (!(peek().kind() == Kind.IDENT && isLabelFilterStart()) && !peek().is("(")) {
                throw error(bar.offset(), "only label filters may follow unwrap, got " + peek().describe());
            }
            after.add(new Pipeline.LabelFilterStage(labelFilterOr()));
        }
        return new Ast.Unwrap(label, conversion, after);
    }

    private Ast.Grouping grouping() {
        if (peek().is("by") || peek().is("without")) {
            boolean without = take().text().equals("without");
            return new Ast.Grouping(without, labelList());
        }
        return null;
    }

    private List<String> labelList() {
        expect("(");
        List<String> names = new ArrayList<>();
        if (!peek().is(")")) {
            do {
                names.add(expect(Kind.IDENT).text());
            } while (accept(","));
        }
        expect(")");
        return names;
    }

    private Ast.VectorAgg vectorAgg(Token opToken) {
        String op = opToken.text();
        Ast.Grouping grouping = grouping();
        expect("(");
        double param = Double.NaN;
        if (op.equals("topk") || op.equals("bottomk")) {
            Token k = expect(Kind.NUMBER);
            if (k.number() < 1 || k.number() != Math.rint(k.number())) {
                throw error(k.offset(), op + ": k must be a positive integer, got " + k.text());
            }
            param = k.number();
            expect(",");
        }
        Token innerStart = peek();
        Ast.MetricExpr inner = metric(expr(), innerStart);
        expect(")");
        Ast.Grouping after = grouping();
        if (after != null) {
            if (grouping != null) {
                throw error(opToken.offset(), op + ": grouping given twice");
            }
            grouping = after;
        }
        if (grouping != null && (op.equals("sort") || op.equals("sort_desc"))) {
            throw error(opToken.offset(), op + " does not take by/without");
        }
        return new Ast.VectorAgg(op, inner, param, grouping);
    }

    // ---- log queries

    private Ast.LogExpr logExpr(boolean inRange) {
        Token open = expect("{");
        List<LabelMatcher> matchers = new ArrayList<>();
        if (!peek().is("}")) {
            do {
                matchers.add(matcher());
            } while (accept(","));
        }
        expect("}");
        boolean selective = false;
        for (LabelMatcher m : matchers) {
            selective |= !m.matchesEmpty();
        }
        if (!selective) {
            throw error(open.offset(), "queries require at least one regexp or equality matcher that does not have "
                    + "an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
                    + "app=~\".+\" will");
        }
        List<Pipeline.Stage> stages = inRange && peek().is("[") ? List.of() : pipeline(inRange);
        return new Ast.LogExpr(matchers, stages);
    }

    private LabelMatcher matcher() {
        Token name = expect(Kind.IDENT);
        Token op = peek();
        LabelMatcher.Type type = switch (op.text()) {
            case "=" -> LabelMatcher.Type.EQ;
            case "!=" -> LabelMatcher.Type.NEQ;
            case "=~" -> LabelMatcher.Type.RE;
            case "!~" -> LabelMatcher.Type.NRE;
            default -> throw unexpected(op, "one of = != =~ !~");
        };
        take();
        Token value = expect(Kind.STRING);
        try {
            return new LabelMatcher(type, name.text(), value.string());
        } catch (IllegalArgumentException e) {
            throw error(value.offset(), e.getMessage());
        }
    }

    private List<Pipeline.Stage> pipeline(boolean inRange) {
        List<Pipeline.Stage> stages = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.is("|=") || t.is("!=") || t.is("|~") || t.is("!~")) {
                take();
                stages.add(lineFilter(t));
            } else if (t.is("|>") || t.is("!>")) {
                throw notImplemented(t, "pattern line filter " + t.text());
            } else if (t.is("|")) {
                if (peek(1).is("unwrap")) {
                    if (!inRange) {
                        throw error(peek(1).offset(), "unwrap is only allowed inside a range aggregation");
                    }
                    return stages;
                }
                take();
                stages.add(stage());
            } else {
                return stages;
            }
        }
    }

    private Pipeline.Stage lineFilter(Token op) {
        LineFilter.Op kind = switch (op.text()) {
            case "|=" -> LineFilter.Op.CONTAINS;
            case "!=" -> LineFilter.Op.NOT_CONTAINS;
            case "|~" -> LineFilter.Op.REGEX;
            default -> LineFilter.Op.NOT_REGEX;
        };
        List<String> values = new ArrayList<>();
        do {
            if (peek().is("ip") && peek(1).is("(")) {
                throw notImplemented(peek(), "ip() line filter");
            }
            Token v = expect(Kind.STRING);
            values.add(v.string());
            if (kind == LineFilter.Op.REGEX || kind == LineFilter.Op.NOT_REGEX) {
                compile(v, v.string());
            }
        } while (peek().is("or") && peek(1).kind() == Kind.STRING && take() != null);
        return new Pipeline.LineFilterStage(new LineFilter(kind, values));
    }

    private Pattern compile(Token at, String regex) {
        try {
            return Regex.compile(regex, 0);
        } catch (PatternSyntaxException e) {
            throw error(at.offset(), "invalid regular expression " + at.text() + ": " + e.getDescription());
        }
    }

    private Pipeline.Stage stage() {
        Token t = peek();
        if (t.is("(")) {
            return new Pipeline.LabelFilterStage(labelFilterOr());
        }
        if (t.kind() != Kind.IDENT) {
            throw unexpected(t, "a parser, a label filter or a formatting stage");
        }
        if (isLabelFilterStart()) {
            return new Pipeline.LabelFilterStage(labelFilterOr());
        }
        take();
        return switch (t.text()) {
            case "json" -> json();
            case "logfmt" -> logfmt();
            case "regexp" -> regexp();
            case "pattern" -> pattern();
            case "unpack" -> new Pipeline.UnpackParser();
            case "decolorize" -> new Pipeline.Decolorize();
            case "line_format" -> new Pipeline.LineFormat(template(expect(Kind.STRING)));
            case "label_format" -> labelFormat();
            case "drop" -> dropKeep(false);
            case "keep" -> dropKeep(true);
            case "distinct" -> throw notImplemented(t, "distinct");
            default -> throw error(t.offset(), "syntax error: unexpected IDENTIFIER " + t.text()
                    + ", expecting a parser (json, logfmt, regexp, pattern, unpack), a label filter, line_format, "
                    + "label_format, drop, keep or decolorize");
        };
    }

    private boolean isLabelFilterStart() {
        Token op = peek(1);
        return peek().kind() == Kind.IDENT && op.kind() == Kind.OP && Set.of("=", "!=", "=~", "!~", "==", ">", ">=",
                "<", "<=").contains(op.text());
    }

    private Template template(Token t) {
        try {
            return Template.parse(t.string());
        } catch (IllegalArgumentException e) {
            throw error(t.offset(), e.getMessage());
        }
    }

    /** Parameters {@code a="path", b} of json and logfmt; empty when none follow. */
    private List<Token[]> extractionParams() {
        List<Token[]> params = new ArrayList<>();
        if (peek().kind() != Kind.IDENT || peek().is("or") || peek().is("offset")) {
            return params;
        }
        do {
            Token name = expect(Kind.IDENT);
            Token path = name;
            if (accept("=")) {
                path = expect(Kind.STRING);
            }
            params.add(new Token[] {name, path});
        } while (accept(","));
        return params;
    }

    private Pipeline.Stage json() {
        List<Token[]> params = extractionParams();
        if (params.isEmpty()) {
            return new Pipeline.FieldsParser(FieldCondition.Parser.JSON);
        }
        List<String> labels = new ArrayList<>();
        List<List<Pipeline.PathElement>> paths = new ArrayList<>();
        for (Token[] p : params) {
            labels.add(p[0].text());
            paths.add(jsonPath(p[1]));
        }
        return new Pipeline.JsonExtract(labels, paths);
    }

    /** {@code a.b[0]["c d"]}: keys, indexes and quoted keys. */
    private List<Pipeline.PathElement> jsonPath(Token t) {
        String s = t.kind() == Kind.STRING ? t.string() : t.text();
        List<Pipeline.PathElement> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '.') {
                i++;
                continue;
            }
            if (c == '[') {
                int close = s.indexOf(']', i);
                if (close < 0) {
                    throw error(t.offset(), "invalid JSON path " + t.text() + ": unclosed [");
                }
                String inner = s.substring(i + 1, close).strip();
                if (inner.startsWith("\"") || inner.startsWith("'")) {
                    if (inner.length() < 2 || inner.charAt(inner.length() - 1) != inner.charAt(0)) {
                        throw error(t.offset(), "invalid JSON path " + t.text() + ": unclosed quote");
                    }
                    out.add(new Pipeline.PathElement(inner.substring(1, inner.length() - 1), -1));
                } else {
                    try {
                        out.add(new Pipeline.PathElement(null, Integer.parseInt(inner)));
                    } catch (NumberFormatException e) {
                        throw error(t.offset(), "invalid JSON path " + t.text() + ": index \"" + inner
                                + "\" is not a number");
                    }
                }
                i = close + 1;
                continue;
            }
            int start = i;
            while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != '[') {
                i++;
            }
            out.add(new Pipeline.PathElement(s.substring(start, i), -1));
        }
        if (out.isEmpty()) {
            throw error(t.offset(), "invalid JSON path " + t.text() + ": empty");
        }
        return out;
    }

    private Pipeline.Stage logfmt() {
        while (peek().is("--")) {
            Token dash = take();
            Token flag = expect(Kind.IDENT);
            if (flag.text().equals("strict") || flag.text().equals("keep") && peek().is("-")) {
                String name = flag.text().equals("strict") ? "--strict" : "--keep-empty";
                throw notImplemented(dash, "logfmt " + name);
            }
            throw error(dash.offset(), "unknown logfmt flag --" + flag.text());
        }
        List<Token[]> params = extractionParams();
        if (params.isEmpty()) {
            return new Pipeline.FieldsParser(FieldCondition.Parser.LOGFMT);
        }
        List<String> labels = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Token[] p : params) {
            labels.add(p[0].text());
            keys.add(LogFields.sanitize(p[1].kind() == Kind.STRING ? p[1].string() : p[1].text()));
        }
        return new Pipeline.LogfmtExtract(labels, keys);
    }

    private static final Pattern GO_GROUP = Pattern.compile("\\(\\?P?<([^>]*)>");

    private Pipeline.Stage regexp() {
        Token t = expect(Kind.STRING);
        // Java's group names allow letters and digits only: name the groups g0, g1, ... and keep the labels aside.
        Matcher m = GO_GROUP.matcher(t.string());
        StringBuilder sb = new StringBuilder();
        List<String> labels = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (m.find()) {
            String name = m.group(1);
            if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                throw error(t.offset(), "invalid extracted label name '" + name + "'");
            }
            if (!seen.add(name)) {
                throw error(t.offset(), "duplicate extracted label name '" + name + "'");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement("(?<g" + labels.size() + ">"));
            labels.add(name);
        }
        m.appendTail(sb);
        if (labels.isEmpty()) {
            throw error(t.offset(), "at least one named capture must be supplied, e.g. (?P<name>...)");
        }
        return new Pipeline.RegexpParser(compile(t, sb.toString()), labels);
    }

    private static final Pattern CAPTURE = Pattern.compile("<(_|[a-zA-Z_][a-zA-Z0-9_]*)>");

    private Pipeline.Stage pattern() {
        Token t = expect(Kind.STRING);
        String s = t.string();
        Matcher m = CAPTURE.matcher(s);
        List<String> literals = new ArrayList<>();
        List<String> captures = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int last = 0;
        boolean named = false;
        while (m.find()) {
            String literal = s.substring(last, m.start());
            if (!captures.isEmpty() && literal.isEmpty()) {
                throw error(t.offset(), "invalid pattern " + t.text() + ": consecutive captures are not allowed");
            }
            literals.add(literal);
            String name = m.group(1);
            if (!name.equals("_") && !seen.add(name)) {
                throw error(t.offset(), "invalid pattern " + t.text() + ": duplicate capture " + name);
            }
            named |= !name.equals("_");
            captures.add(name.equals("_") ? null : name);
            last = m.end();
        }
        literals.add(s.substring(last));
        if (!named) {
            throw error(t.offset(), "invalid pattern " + t.text() + ": at least one named capture is required");
        }
        return new Pipeline.PatternParser(literals, captures);
    }

    private Pipeline.Stage labelFormat() {
        List<Pipeline.LabelAssignment> out = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        do {
            Token target = expect(Kind.IDENT);
            expect("=");
            if (!targets.add(target.text())) {
                throw error(target.offset(), "multiple label name '" + target.text()
                        + "' not allowed in a single format operation");
            }
            Token source = peek();
            if (source.kind() == Kind.IDENT) {
                take();
                out.add(new Pipeline.LabelAssignment(target.text(), source.text(), null));
            } else if (source.kind() == Kind.STRING) {
                take();
                out.add(new Pipeline.LabelAssignment(target.text(), null, template(source)));
            } else {
                throw unexpected(source, "a label name or a template string");
            }
        } while (accept(","));
        return new Pipeline.LabelFormat(out);
    }

    private Pipeline.Stage dropKeep(boolean keep) {
        Set<String> names = new LinkedHashSet<>();
        List<LabelMatcher> matchers = new ArrayList<>();
        do {
            if (peek(1).kind() == Kind.OP && Set.of("=", "!=", "=~", "!~").contains(peek(1).text())) {
                matchers.add(matcher());
            } else {
                names.add(expect(Kind.IDENT).text());
            }
        } while (accept(","));
        return new Pipeline.DropKeep(keep, names, matchers);
    }

    // ---- label filters

    private Pipeline.LabelFilter labelFilterOr() {
        Pipeline.LabelFilter l = labelFilterAnd();
        while (peek().is("or")) {
            take();
            l = new Pipeline.Or(l, labelFilterAnd());
        }
        return l;
    }

    private Pipeline.LabelFilter labelFilterAnd() {
        Pipeline.LabelFilter l = labelFilterPrimary();
        while (true) {
            if (peek().is("and") || peek().is(",")) {
                take();
            } else if (!isLabelFilterStart() && !(peek().is("(") && peek(1).kind() == Kind.IDENT
                    && peek(2).kind() == Kind.OP)) {
                return l;
            }
            l = new Pipeline.And(l, labelFilterPrimary());
        }
    }

    private Pipeline.LabelFilter labelFilterPrimary() {
        if (accept("(")) {
            enter();
            try {
                Pipeline.LabelFilter f = labelFilterOr();
                expect(")");
                return f;
            } finally {
                depth--;
            }
        }
        Token name = expect(Kind.IDENT);
        Token op = take();
        if (peek().is("ip") && peek(1).is("(")) {
            throw notImplemented(peek(), "ip() label filter");
        }
        boolean negative = accept("-");
        Token v = peek();
        switch (op.text()) {
            case "=~", "!~", "=", "!=", "==" -> {
                if (v.kind() == Kind.STRING && !negative) {
                    take();
                    LabelMatcher.Type type = switch (op.text()) {
                        case "=~" -> LabelMatcher.Type.RE;
                        case "!~" -> LabelMatcher.Type.NRE;
                        case "!=" -> LabelMatcher.Type.NEQ;
                        default -> LabelMatcher.Type.EQ;
                    };
                    try {
                        return new Pipeline.StringFilter(new LabelMatcher(type, name.text(), v.string()));
                    } catch (IllegalArgumentException e) {
                        throw error(v.offset(), e.getMessage());
                    }
                }
                if (op.text().endsWith("~")) {
                    throw unexpected(v, "STRING");
                }
            }
            case ">", ">=", "<", "<=" -> {
                // numeric, duration or bytes below
            }
            default -> throw unexpected(op, "one of = != =~ !~ == > >= < <=");
        }
        FieldCondition.Type type = switch (v.kind()) {
            case NUMBER -> FieldCondition.Type.NUMBER;
            case DURATION -> FieldCondition.Type.DURATION;
            case BYTES -> FieldCondition.Type.BYTES;
            default -> throw unexpected(v, "NUMBER, DURATION or BYTES");
        };
        take();
        double bound = type == FieldCondition.Type.DURATION ? v.number() / 1e9 : v.number();
        Pipeline.CompareOp cmp = switch (op.text()) {
            case "=", "==" -> Pipeline.CompareOp.EQ;
            case "!=" -> Pipeline.CompareOp.NE;
            case ">" -> Pipeline.CompareOp.GT;
            case ">=" -> Pipeline.CompareOp.GE;
            case "<" -> Pipeline.CompareOp.LT;
            default -> Pipeline.CompareOp.LE;
        };
        return new Pipeline.CompareFilter(name.text(), type, cmp, negative ? -bound : bound);
    }
}
