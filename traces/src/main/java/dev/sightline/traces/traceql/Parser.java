package dev.sightline.traces.traceql;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.traceql.Ast.AggOp;
import dev.sightline.traces.traceql.Ast.BinOp;
import dev.sightline.traces.traceql.Ast.FieldExpr;
import dev.sightline.traces.traceql.Ast.Intrinsic;
import dev.sightline.traces.traceql.Ast.ScalarExpr;
import dev.sightline.traces.traceql.Ast.SpansetExpr;
import dev.sightline.traces.traceql.Ast.SpansetOpKind;
import dev.sightline.traces.traceql.Ast.Stage;
import dev.sightline.traces.traceql.Lexer.Kind;
import dev.sightline.traces.traceql.Lexer.Token;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Recursive descent over Tempo's grammar (pkg/traceql/expr.y) with its precedences, lowest first: {@code |};
 * {@code && ||} (one level, left to right, so {@code a || b && c} is {@code (a || b) && c}); comparisons and the
 * structural operators; {@code + -}; {@code !}; {@code * / %}; {@code ^} (right).
 */
final class Parser {
    private static final Map<String, Intrinsic> UNSCOPED_INTRINSICS = Map.ofEntries(
            Map.entry("name", Intrinsic.NAME), Map.entry("status", Intrinsic.STATUS),
            Map.entry("statusMessage", Intrinsic.STATUS_MESSAGE), Map.entry("kind", Intrinsic.KIND),
            Map.entry("duration", Intrinsic.DURATION), Map.entry("childCount", Intrinsic.CHILD_COUNT),
            Map.entry("rootName", Intrinsic.ROOT_NAME), Map.entry("rootServiceName", Intrinsic.ROOT_SERVICE),
            Map.entry("traceDuration", Intrinsic.TRACE_DURATION), Map.entry("nestedSetLeft", Intrinsic.NESTED_SET_LEFT),
            Map.entry("nestedSetRight", Intrinsic.NESTED_SET_RIGHT),
            Map.entry("nestedSetParent", Intrinsic.NESTED_SET_PARENT));
    private static final Map<String, Intrinsic> SCOPED_INTRINSICS = Map.ofEntries(
            Map.entry("span:name", Intrinsic.NAME), Map.entry("span:status", Intrinsic.STATUS),
            Map.entry("span:statusMessage", Intrinsic.STATUS_MESSAGE), Map.entry("span:kind", Intrinsic.KIND),
            Map.entry("span:duration", Intrinsic.DURATION), Map.entry("span:childCount", Intrinsic.CHILD_COUNT),
            Map.entry("span:id", Intrinsic.SPAN_ID), Map.entry("span:parentID", Intrinsic.PARENT_ID),
            Map.entry("trace:duration", Intrinsic.TRACE_DURATION), Map.entry("trace:rootName", Intrinsic.ROOT_NAME),
            Map.entry("trace:rootService", Intrinsic.ROOT_SERVICE), Map.entry("trace:id", Intrinsic.TRACE_ID),
            Map.entry("instrumentation:name", Intrinsic.SCOPE_NAME),
            Map.entry("instrumentation:version", Intrinsic.SCOPE_VERSION), Map.entry("event:name", Intrinsic.EVENT_NAME),
            Map.entry("event:timeSinceStart", Intrinsic.EVENT_TIME_SINCE_START),
            Map.entry("link:traceID", Intrinsic.LINK_TRACE_ID), Map.entry("link:spanID", Intrinsic.LINK_SPAN_ID));
    private static final Map<String, Object> KEYWORD_LITERALS = Map.ofEntries(
            Map.entry("true", Boolean.TRUE), Map.entry("false", Boolean.FALSE), Map.entry("nil", Ast.Nil.NIL),
            Map.entry("ok", StatusCode.OK), Map.entry("error", StatusCode.ERROR), Map.entry("unset", StatusCode.UNSET),
            Map.entry("unspecified", SpanKind.UNSPECIFIED), Map.entry("internal", SpanKind.INTERNAL),
            Map.entry("server", SpanKind.SERVER), Map.entry("client", SpanKind.CLIENT),
            Map.entry("producer", SpanKind.PRODUCER), Map.entry("consumer", SpanKind.CONSUMER),
            Map.entry("minInt", Long.MIN_VALUE), Map.entry("maxInt", Long.MAX_VALUE));
    private static final Map<String, AggOp> AGGREGATES = Map.of(
            "count", AggOp.COUNT, "avg", AggOp.AVG, "min", AggOp.MIN, "max", AggOp.MAX, "sum", AggOp.SUM);
    /** Words Tempo knows that this engine does not evaluate: named in the error instead of "unexpected". */
    private static final Set<String> UNSUPPORTED_WORDS = Set.of("topk", "bottomk", "parent");
    private static final Map<Kind, SpansetOpKind> STRUCTURAL = Map.ofEntries(
            Map.entry(Kind.GT, SpansetOpKind.CHILD), Map.entry(Kind.LT, SpansetOpKind.PARENT),
            Map.entry(Kind.DESC, SpansetOpKind.DESC), Map.entry(Kind.ANCE, SpansetOpKind.ANCE),
            Map.entry(Kind.TILDE, SpansetOpKind.SIBL), Map.entry(Kind.NOT_CHILD, SpansetOpKind.NOT_CHILD),
            Map.entry(Kind.NOT_PARENT, SpansetOpKind.NOT_PARENT), Map.entry(Kind.NOT_DESC, SpansetOpKind.NOT_DESC),
            Map.entry(Kind.NOT_ANCE, SpansetOpKind.NOT_ANCE), Map.entry(Kind.NRE, SpansetOpKind.NOT_SIBL),
            Map.entry(Kind.UNION_CHILD, SpansetOpKind.UNION_CHILD),
            Map.entry(Kind.UNION_PARENT, SpansetOpKind.UNION_PARENT),
            Map.entry(Kind.UNION_DESC, SpansetOpKind.UNION_DESC), Map.entry(Kind.UNION_ANCE, SpansetOpKind.UNION_ANCE),
            Map.entry(Kind.UNION_SIBL, SpansetOpKind.UNION_SIBL));
    private static final Map<Kind, BinOp> COMPARISONS = Map.of(
            Kind.EQ, BinOp.EQ, Kind.NEQ, BinOp.NEQ, Kind.RE, BinOp.RE, Kind.NRE, BinOp.NRE, Kind.GT, BinOp.GT,
            Kind.GTE, BinOp.GTE, Kind.LT, BinOp.LT, Kind.LTE, BinOp.LTE);

    private final String src;
    /** The deepest nesting a query may have (see {@link #deeper}); Tempo's queries nest a few levels. */
    static final int MAX_DEPTH = 256;

    private final List<Token> tokens;
    private int i;
    private int depth;

    private Parser(String src) {
        this.src = src;
        this.tokens = Lexer.tokenize(src);
    }

    /** The intrinsic a name stands for ({@code name}, {@code span:name}, {@code trace:rootService}, ...), or null. */
    static Intrinsic intrinsic(String name) {
        Intrinsic in = UNSCOPED_INTRINSICS.get(name);
        return in != null ? in : SCOPED_INTRINSICS.get(name);
    }

    static TraceQLQuery parse(String src) {
        Parser p = new Parser(src);
        Ast.Pipeline pipeline = p.pipeline(true);
        Ast.Metrics metrics = null;
        if (p.peek().kind() == Kind.PIPE && p.isMetricsFunction(p.peek(1))) {
            p.next();
            metrics = p.metrics();
            if (p.peek().kind() == Kind.PIPE) {
                p.next();
                metrics = new Ast.Metrics(metrics.fn(), metrics.field(), metrics.quantiles(), metrics.by(),
                        metrics.compare(), p.topK());
            }
        }
        if (p.peek().kind() == Kind.IDENT && p.peek().text().equals("with")) {
            p.hints();
        }
        if (p.peek().kind() != Kind.EOF) {
            throw p.error(p.peek(), "unexpected " + describe(p.peek()));
        }
        return new TraceQLQuery(src, pipeline, metrics);
    }

    // ---------------------------------------------------------------- nesting

    /** Runs a production of the grammar; the nesting its operators and operands added ends with it. */
    private <T> T nested(Supplier<T> production) {
        int saved = depth;
        try {
            return production.get();
        } finally {
            depth = saved;
        }
    }

    /**
     * One level deeper at token {@code at}: parentheses, negations, right operands and each operator of a chain (a
     * chain of n operators is a tree n levels deep). The compiler and evaluator walk the tree recursively, so the
     * depth is bounded here, where the error can name a place, rather than found as a StackOverflowError.
     */
    private void deeper(Token at) {
        if (++depth > MAX_DEPTH) {
            throw error(at, "query nests too deeply (more than " + MAX_DEPTH + " levels of parentheses, negations or operators)");
        }
    }

    // ---------------------------------------------------------------- tokens

    private Token peek() {
        return tokens.get(i);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(i);
        if (t.kind() != Kind.EOF) {
            i++;
        }
        return t;
    }

    private Token expect(Kind kind, String what) {
        Token t = peek();
        if (t.kind() != kind) {
            throw error(t, "unexpected " + describe(t) + ", expected " + what);
        }
        return next();
    }

    private boolean isWord(Token t, String word) {
        return t.kind() == Kind.IDENT && t.text().equals(word);
    }

    private TraceQLException error(Token t, String message) {
        return Lexer.error(src, t.pos(), message);
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case EOF -> "end of query";
            case STRING -> "string " + Ast.literal(t.value());
            case ATTRIBUTE -> "attribute " + t.value();
            case IDENT -> "identifier \"" + t.text() + "\"";
            default -> "\"" + t.text() + "\"";
        };
    }

    private boolean isMetricsFunction(Token t) {
        return t.kind() == Kind.IDENT && (t.text().endsWith("_over_time") || t.text().equals("rate")
                || t.text().equals("compare"));
    }

    // ---------------------------------------------------------------- pipelines and spansets

    /** A spanset expression or a stage, then {@code | stage}s; stops before a metrics function. */
    private Ast.Pipeline pipeline(boolean topLevel) {
        SpansetExpr source = null;
        List<Stage> stages = new ArrayList<>();
        if (startsSpanset(peek())) {
            source = spansetExpr();
        } else {
            stages.add(stage());
        }
        while (peek().kind() == Kind.PIPE && !(topLevel && isMetricsFunction(peek(1)))) {
            next();
            if (isMetricsFunction(peek())) {
                throw error(peek(), "unsupported construct \"" + peek().text() + "()\": a metrics function inside "
                        + "parentheses or before other stages");
            }
            stages.add(stage());
        }
        return new Ast.Pipeline(source, stages);
    }

    private boolean startsSpanset(Token t) {
        if (t.kind() == Kind.LBRACE) {
            return true;
        }
        if (t.kind() != Kind.LPAREN) {
            return false;
        }
        // "(" opens a spanset expression unless a scalar (an aggregate or a number) follows.
        Token n = peek(1);
        return !(n.kind() == Kind.INT || n.kind() == Kind.FLOAT || n.kind() == Kind.DURATION || n.kind() == Kind.SUB
                || n.kind() == Kind.IDENT && AGGREGATES.containsKey(n.text()));
    }

    private Stage stage() {
        Token t = peek();
        if (startsSpanset(t)) {
            return new Ast.FilterStage(spansetExpr());
        }
        if (isWord(t, "by")) {
            next();
            expect(Kind.LPAREN, "\"(\" after by");
            FieldExpr e = fieldExpr();
            expect(Kind.RPAREN, "\")\" closing by(");
            return new Ast.By(e, t.pos());
        }
        if (isWord(t, "select")) {
            next();
            expect(Kind.LPAREN, "\"(\" after select");
            List<FieldExpr> fields = fieldList();
            expect(Kind.RPAREN, "\")\" closing select(");
            return new Ast.Select(fields);
        }
        if (isWord(t, "coalesce")) {
            next();
            expect(Kind.LPAREN, "\"(\" after coalesce");
            expect(Kind.RPAREN, "\")\": coalesce takes no arguments");
            return new Ast.Coalesce();
        }
        if (t.kind() == Kind.IDENT && UNSUPPORTED_WORDS.contains(t.text())) {
            throw error(t, "unsupported construct \"" + t.text() + "()\"");
        }
        ScalarExpr left = scalarExpr();
        Token op = peek();
        BinOp cmp = COMPARISONS.get(op.kind());
        if (cmp == null || cmp == BinOp.RE || cmp == BinOp.NRE) {
            throw error(op, "unexpected " + describe(op) + ", expected a comparison (= != < <= > >=) after "
                    + left);
        }
        next();
        return new Ast.ScalarFilter(cmp, left, scalarExpr());
    }

    private SpansetExpr spansetExpr() {
        return nested(() -> {
            SpansetExpr left = structural();
            while (peek().kind() == Kind.AND || peek().kind() == Kind.OR) {
                deeper(peek());
                SpansetOpKind op = next().kind() == Kind.AND ? SpansetOpKind.AND : SpansetOpKind.OR;
                left = new Ast.SpansetOp(op, left, structural());
            }
            return left;
        });
    }

    private SpansetExpr structural() {
        return nested(() -> {
            SpansetExpr left = spansetPrimary();
            SpansetOpKind op;
            while ((op = STRUCTURAL.get(peek().kind())) != null) {
                deeper(next());
                left = new Ast.SpansetOp(op, left, spansetPrimary());
            }
            return left;
        });
    }

    private SpansetExpr spansetPrimary() {
        return nested(() -> {
            Token t = peek();
            if (t.kind() == Kind.LBRACE) {
                next();
                if (peek().kind() == Kind.RBRACE) {
                    next();
                    return new Ast.Filter(null);
                }
                int at = peek().pos();
                FieldExpr e = fieldExpr();
                requireCondition(e, at);
                expect(Kind.RBRACE, "\"}\" closing the spanset filter");
                return new Ast.Filter(e);
            }
            if (t.kind() == Kind.LPAREN) {
                deeper(next());
                Ast.Pipeline p = pipeline(false);
                expect(Kind.RPAREN, "\")\"");
                return p.stages().isEmpty() ? p.source() : p;
            }
            throw error(t, "unexpected " + describe(t) + ", expected a spanset filter \"{ ... }\"");
        });
    }

    // ---------------------------------------------------------------- scalar expressions (pipeline filters)

    private ScalarExpr scalarExpr() {
        return nested(() -> {
            ScalarExpr left = scalarTerm();
            while (peek().kind() == Kind.ADD || peek().kind() == Kind.SUB) {
                deeper(peek());
                BinOp op = next().kind() == Kind.ADD ? BinOp.ADD : BinOp.SUB;
                left = new Ast.ScalarBinary(op, left, scalarTerm());
            }
            return left;
        });
    }

    private ScalarExpr scalarTerm() {
        return nested(() -> {
            ScalarExpr left = scalarPower();
            while (peek().kind() == Kind.MUL || peek().kind() == Kind.DIV || peek().kind() == Kind.MOD) {
                deeper(peek());
                Kind k = next().kind();
                BinOp op = k == Kind.MUL ? BinOp.MUL : k == Kind.DIV ? BinOp.DIV : BinOp.MOD;
                left = new Ast.ScalarBinary(op, left, scalarPower());
            }
            return left;
        });
    }

    private ScalarExpr scalarPower() {
        return nested(() -> {
            ScalarExpr base = scalarPrimary();
            if (peek().kind() == Kind.POW) {
                deeper(next());
                return new Ast.ScalarBinary(BinOp.POW, base, scalarPower());
            }
            return base;
        });
    }

    private ScalarExpr scalarPrimary() {
        return nested(() -> {
            Token t = peek();
            switch (t.kind()) {
                case INT, FLOAT -> {
                    next();
                    return new Ast.ScalarLit(t.value());
                }
                case DURATION -> {
                    next();
                    return new Ast.ScalarLit(new Ast.Dur((Long) t.value()));
                }
                case SUB -> {
                    deeper(next());
                    ScalarExpr e = scalarPrimary();
                    if (e instanceof Ast.ScalarLit(Object v)) {
                        return new Ast.ScalarLit(Values.negate(v));
                    }
                    return new Ast.ScalarBinary(BinOp.SUB, new Ast.ScalarLit(0L), e);
                }
                case LPAREN -> {
                    deeper(next());
                    ScalarExpr e = scalarExpr();
                    expect(Kind.RPAREN, "\")\"");
                    return e;
                }
                case IDENT -> {
                    AggOp op = AGGREGATES.get(t.text());
                    if (op == null) {
                        break;
                    }
                    next();
                    expect(Kind.LPAREN, "\"(\" after " + t.text());
                    FieldExpr field = null;
                    if (op != AggOp.COUNT) {
                        field = fieldExpr();
                    }
                    expect(Kind.RPAREN, op == AggOp.COUNT ? "\")\": count takes no arguments" : "\")\"");
                    return new Ast.Aggregate(op, field);
                }
                default -> {
                }
            }
            if (t.kind() == Kind.IDENT && UNSUPPORTED_WORDS.contains(t.text())) {
                throw error(t, "unsupported construct \"" + t.text() + "()\"");
            }
            throw error(t, "unexpected " + describe(t) + ", expected a pipeline stage (a spanset filter, count(), "
                    + "avg|min|max|sum(...), by(...), select(...) or coalesce())");
        });
    }

    // ---------------------------------------------------------------- field expressions (one span)

    private List<FieldExpr> fieldList() {
        List<FieldExpr> out = new ArrayList<>();
        out.add(fieldExpr());
        while (peek().kind() == Kind.COMMA) {
            next();
            out.add(fieldExpr());
        }
        return out;
    }

    FieldExpr fieldExpr() {
        return nested(() -> {
            int leftAt = peek().pos();
            FieldExpr left = comparison();
            while (peek().kind() == Kind.AND || peek().kind() == Kind.OR) {
                Token op = next();
                deeper(op);
                requireCondition(left, leftAt);
                int rightAt = peek().pos();
                FieldExpr right = comparison();
                requireCondition(right, rightAt);
                left = new Ast.Binary(op.kind() == Kind.AND ? BinOp.AND : BinOp.OR, left, right, op.pos());
            }
            return left;
        });
    }

    /**
     * Operands of {@code && || !} and a whole filter must be conditions: a comparison, a logical operation, a
     * boolean literal, or an attribute alone (Tempo reads {@code { span.cache.hit }} as {@code = true}). Anything
     * else, such as {@code { name }}, would silently match nothing, so it is refused.
     */
    private void requireCondition(FieldExpr e, int at) {
        boolean ok = switch (e) {
            case Ast.Binary b -> !b.op().arithmetic();
            case Ast.Unary u -> u.op() == Ast.UnOp.NOT;
            case Ast.AttrRef a -> true;
            case Ast.Lit l -> l.value() instanceof Boolean;
            case Ast.IntrinsicRef i -> false;
        };
        if (!ok) {
            throw Lexer.error(src, at, e + " is not a condition: expected a comparison such as " + e + " = ...");
        }
    }

    private FieldExpr comparison() {
        return nested(() -> {
            FieldExpr left = additive();
            BinOp op;
            while ((op = COMPARISONS.get(peek().kind())) != null) {
                Token t = next();
                deeper(t);
                left = new Ast.Binary(op, left, additive(), t.pos());
            }
            return left;
        });
    }

    private FieldExpr additive() {
        return nested(() -> {
            FieldExpr left = unary();
            while (peek().kind() == Kind.ADD || peek().kind() == Kind.SUB) {
                Token t = next();
                deeper(t);
                left = new Ast.Binary(t.kind() == Kind.ADD ? BinOp.ADD : BinOp.SUB, left, unary(), t.pos());
            }
            return left;
        });
    }

    private FieldExpr unary() {
        return nested(() -> {
            if (peek().kind() == Kind.NOT) {
                deeper(next());
                int at = peek().pos();
                FieldExpr operand = unary();
                requireCondition(operand, at);
                return new Ast.Unary(Ast.UnOp.NOT, operand);
            }
            return multiplicative();
        });
    }

    private FieldExpr multiplicative() {
        return nested(() -> {
            FieldExpr left = power();
            while (peek().kind() == Kind.MUL || peek().kind() == Kind.DIV || peek().kind() == Kind.MOD) {
                Token t = next();
                deeper(t);
                BinOp op = t.kind() == Kind.MUL ? BinOp.MUL : t.kind() == Kind.DIV ? BinOp.DIV : BinOp.MOD;
                left = new Ast.Binary(op, left, power(), t.pos());
            }
            return left;
        });
    }

    private FieldExpr power() {
        return nested(() -> {
            FieldExpr base = fieldPrimary();
            if (peek().kind() == Kind.POW) {
                Token t = next();
                deeper(t);
                return new Ast.Binary(BinOp.POW, base, power(), t.pos());
            }
            return base;
        });
    }

    private FieldExpr fieldPrimary() {
        return nested(() -> {
            Token t = peek();
            switch (t.kind()) {
                case STRING, INT, FLOAT -> {
                    next();
                    return new Ast.Lit(t.value());
                }
                case DURATION -> {
                    next();
                    return new Ast.Lit(new Ast.Dur((Long) t.value()));
                }
                case SUB -> {
                    deeper(next());
                    FieldExpr e = fieldPrimary();
                    return e instanceof Ast.Lit(Object v) && !(v instanceof String) ? new Ast.Lit(Values.negate(v))
                            : new Ast.Unary(Ast.UnOp.NEG, e);
                }
                case LPAREN -> {
                    deeper(next());
                    FieldExpr e = fieldExpr();
                    expect(Kind.RPAREN, "\")\"");
                    return e;
                }
                case ATTRIBUTE -> {
                    next();
                    return (Ast.AttrRef) t.value();
                }
                case SCOPED_INTRINSIC -> {
                    next();
                    Intrinsic in = SCOPED_INTRINSICS.get(t.text());
                    if (in == null) {
                        throw error(t, "unsupported construct \"" + t.text() + "\": this intrinsic is not implemented");
                    }
                    return new Ast.IntrinsicRef(in, t.text());
                }
                case IDENT -> {
                    Object lit = KEYWORD_LITERALS.get(t.text());
                    if (lit != null) {
                        next();
                        return new Ast.Lit(lit);
                    }
                    Intrinsic in = UNSCOPED_INTRINSICS.get(t.text());
                    if (in != null) {
                        next();
                        return new Ast.IntrinsicRef(in, t.text());
                    }
                    if (UNSUPPORTED_WORDS.contains(t.text())) {
                        throw error(t, "unsupported construct \"" + t.text() + "\"");
                    }
                    throw error(t, "unexpected " + describe(t) + ": not an intrinsic or a literal (attributes are "
                            + "written span.x, resource.x or .x)");
                }
                default -> throw error(t, "unexpected " + describe(t) + ", expected a field or a value");
            }
        });
    }

    // ---------------------------------------------------------------- metrics and hints

    private Ast.Metrics metrics() {
        Token fnTok = next();
        Ast.MetricsFn fn = null;
        for (Ast.MetricsFn f : Ast.MetricsFn.values()) {
            if (f.text.equals(fnTok.text())) {
                fn = f;
            }
        }
        if (fn == null) {
            throw error(fnTok, "unsupported construct \"" + fnTok.text() + "()\"");
        }
        expect(Kind.LPAREN, "\"(\" after " + fn.text);
        if (fn == Ast.MetricsFn.COMPARE) {
            return new Ast.Metrics(fn, null, List.of(), List.of(), compare(), null);
        }
        FieldExpr field = null;
        List<Double> quantiles = new ArrayList<>();
        if (fn != Ast.MetricsFn.RATE && fn != Ast.MetricsFn.COUNT_OVER_TIME) {
            field = fieldExpr();
            if (!(field instanceof Ast.AttrRef || field instanceof Ast.IntrinsicRef)) {
                throw error(fnTok, fn.text + " takes an attribute or an intrinsic, not " + field);
            }
            if (fn == Ast.MetricsFn.QUANTILE_OVER_TIME) {
                expect(Kind.COMMA, "\",\" and the quantiles after " + field);
                do {
                    Token q = next();
                    if (q.kind() != Kind.INT && q.kind() != Kind.FLOAT) {
                        throw error(q, "unexpected " + describe(q) + ", expected a quantile between 0 and 1");
                    }
                    double v = ((Number) q.value()).doubleValue();
                    if (!(v >= 0 && v <= 1)) {
                        throw error(q, "quantile " + q.text() + " is not between 0 and 1");
                    }
                    quantiles.add(v);
                } while (peek().kind() == Kind.COMMA && next() != null);
            }
        }
        expect(Kind.RPAREN, "\")\" closing " + fn.text + "(");
        List<FieldExpr> by = List.of();
        if (isWord(peek(), "by")) {
            next();
            expect(Kind.LPAREN, "\"(\" after by");
            by = fieldList();
            expect(Kind.RPAREN, "\")\" closing by(");
        }
        return new Ast.Metrics(fn, field, List.copyOf(quantiles), by, null, null);
    }

    /** The arguments of {@code compare(}: a spanset filter, then optionally topN (10), then start and end. */
    private Ast.Compare compare() {
        if (peek().kind() != Kind.LBRACE) {
            throw error(peek(), "unexpected " + describe(peek()) + ", expected a spanset filter as compare's first "
                    + "argument");
        }
        Ast.Filter filter = (Ast.Filter) spansetPrimary();
        long[] numbers = new long[3];
        int n = 0;
        while (peek().kind() == Kind.COMMA) {
            next();
            Token t = expect(Kind.INT, "an integer (topN, then start and end in unix nanoseconds)");
            if (n == 3) {
                throw error(t, "compare takes at most a filter and three integers");
            }
            numbers[n++] = (Long) t.value();
        }
        Token close = expect(Kind.RPAREN, "\")\" closing compare(");
        if (n == 2) {
            throw error(close, "compare needs both a start and an end timestamp, or neither");
        }
        int topN = n == 0 ? 10 : (int) Math.min(Integer.MAX_VALUE, numbers[0]);
        if (topN <= 0) {
            throw error(close, "compare's top number of values must be greater than 0");
        }
        if (n == 3 && (numbers[1] <= 0 || numbers[2] <= numbers[1])) {
            throw error(close, "compare's timestamps must be positive unix nanoseconds, the end after the start");
        }
        return new Ast.Compare(filter, topN, numbers[1], numbers[2]);
    }

    /** {@code topk(k)} or {@code bottomk(k)} after a metrics function. */
    private Ast.TopK topK() {
        Token t = next();
        if (!isWord(t, "topk") && !isWord(t, "bottomk")) {
            throw error(t, t.kind() == Kind.IDENT ? "unsupported construct \"" + t.text() + "()\" after a metrics "
                    + "function (topk and bottomk are implemented)" : "unexpected " + describe(t)
                    + ", expected topk(k) or bottomk(k) after a metrics function");
        }
        expect(Kind.LPAREN, "\"(\" after " + t.text());
        Token k = expect(Kind.INT, "the number of series");
        if ((Long) k.value() <= 0 || (Long) k.value() > Integer.MAX_VALUE) {
            throw error(k, t.text() + " needs a positive number of series, not " + k.text());
        }
        expect(Kind.RPAREN, "\")\" closing " + t.text() + "(");
        return new Ast.TopK(t.text().equals("bottomk"), (int) (long) (Long) k.value());
    }

    /** {@code with (name = value, ...)}: Tempo's query hints (sampling, most_recent) change only how it searches. */
    private void hints() {
        next();
        expect(Kind.LPAREN, "\"(\" after with");
        do {
            expect(Kind.IDENT, "a hint name");
            expect(Kind.EQ, "\"=\" after the hint name");
            fieldPrimary();
        } while (peek().kind() == Kind.COMMA && next() != null);
        expect(Kind.RPAREN, "\")\" closing with(");
    }
}
