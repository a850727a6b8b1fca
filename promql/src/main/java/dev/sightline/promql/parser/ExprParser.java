package dev.sightline.promql.parser;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoQuote;
import dev.sightline.core.text.PromDurations;
import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.AggregateOp;
import dev.sightline.promql.ast.AtModifier;
import dev.sightline.promql.ast.BinaryExpr;
import dev.sightline.promql.ast.BinaryOp;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.DurationExpr;
import dev.sightline.promql.ast.DurationOp;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.Function;
import dev.sightline.promql.ast.FunctionTable;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.NumberLiteral;
import dev.sightline.promql.ast.ParenExpr;
import dev.sightline.promql.ast.PositionRange;
import dev.sightline.promql.ast.Printer;
import dev.sightline.promql.ast.StringLiteral;
import dev.sightline.promql.ast.SubqueryExpr;
import dev.sightline.promql.ast.UnaryExpr;
import dev.sightline.promql.ast.VectorMatching;
import dev.sightline.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recursive-descent PromQL parser following the grammar, precedence and error messages of Prometheus's
 * generated_parser.y: binary operators by precedence (only {@code ^} right-associative), unary +/- binding like
 * {@code *}, and the postfix modifiers ({@code [range]}, {@code [range:step]}, {@code offset}, {@code @},
 * {@code anchored}, {@code smoothed}) binding tightest. Stops at the first error, like Prometheus reports it.
 */
final class ExprParser {
    /**
     * Maximum nesting (parentheses, right operands such as {@code ^} chains, unary operators; calls count twice)
     * before giving up with a parse error instead of overflowing the stack: fits a 512 KiB thread stack with a wide
     * margin, far above real queries. Prometheus's generated parser keeps its stack on the heap and has no limit;
     * chains of left-associative operators ({@code a or b or c ...}, which tools generate) do not count, and the
     * walks over the tree go along them without recursing (see {@link BinaryExpr#leftChain()}).
     */
    static final int MAX_DEPTH = 300;

    private final Lexer lexer;
    private final String input;
    private final ParserOptions options;
    private Token tok;
    private int lastClosing;
    private int depth;
    /** Where a duration expression is being parsed, for "unexpected ..." messages ("offset" or a range). */
    private String durationContext = "subquery or range selector";

    ExprParser(String input, ParserOptions options) throws ParseException {
        this.input = input;
        this.lexer = new Lexer(input);
        this.options = options;
        this.tok = read();
    }

    // ---- entry points ----

    Expr parseExpression() throws ParseException {
        if (tok.type() == TokenType.EOF) {
            throw error(new PositionRange(0, 0), "no expression found in input");
        }
        Expr e = parseBinary(0);
        if (tok.type() != TokenType.EOF) {
            throw unexpected("", "");
        }
        return new TypeChecker(input).check(e);
    }

    VectorSelector parseSelectorOnly() throws ParseException {
        Expr e = switch (tok.type()) {
            case LEFT_BRACE -> parseSelector(null);
            default -> {
                if (isMetricIdentifier(tok.type())) {
                    yield parseSelector(advance());
                }
                throw unexpected("", "");
            }
        };
        if (tok.type() != TokenType.EOF) {
            throw unexpected("", "");
        }
        return (VectorSelector) e;
    }

    // ---- token handling ----

    private Token read() throws ParseException {
        Token t;
        do {
            t = lexer.next();
        } while (t.type() == TokenType.COMMENT);
        if (t.type() == TokenType.ERROR) {
            throw error(new PositionRange(t.pos(), input.length()), t.val());
        }
        return t;
    }

    private Token advance() throws ParseException {
        Token t = tok;
        switch (t.type()) {
            case RIGHT_BRACE, RIGHT_PAREN, RIGHT_BRACKET, DURATION, NUMBER -> lastClosing = t.end();
            default -> {
            }
        }
        if (t.type() != TokenType.EOF) {
            tok = read();
        }
        return t;
    }

    private Token expect(TokenType type, String context, String expected) throws ParseException {
        if (tok.type() != type) {
            throw unexpected(context, expected);
        }
        return advance();
    }

    ParseException error(PositionRange r, String msg) {
        return new ParseException(r, msg, input);
    }

    /** Prometheus's parser.unexpected(): "unexpected <item>[ in <context>][, expected <expected>]". */
    private ParseException unexpected(String context, String expected) {
        StringBuilder sb = new StringBuilder("unexpected ").append(tok.desc());
        if (!context.isEmpty()) {
            sb.append(" in ").append(context);
        }
        if (!expected.isEmpty()) {
            sb.append(", expected ").append(expected);
        }
        return error(tok.range(), sb.toString());
    }

    private void enter() throws ParseException {
        if (++depth > MAX_DEPTH) {
            throw error(tok.range(), "expression nesting too deep (more than " + MAX_DEPTH + " levels)");
        }
    }

    // ---- expressions ----

    private Expr parseBinary(int minPrec) throws ParseException {
        enter();
        int savedDepth = depth;
        Expr lhs = parseUnary();
        while (true) {
            BinaryOp op = binaryOp(tok.type());
            if (op == null || op.precedence() < minPrec) {
                break;
            }
            advance();
            Modifiers m = parseBinaryModifiers();
            Expr rhs = parseBinary(op.rightAssociative() ? op.precedence() : op.precedence() + 1);
            VectorMatching vm = new VectorMatching(m.card, m.labels, m.on, m.include, m.fillLeft, m.fillRight);
            BinaryExpr be = new BinaryExpr(op, lhs, rhs, vm, m.returnBool);
            if (!options.binopFillModifiers() && vm.hasFill()) {
                throw error(be.position(), "binop fill modifiers are experimental and not enabled");
            }
            // A chain of left-associative operators loops here: only a right operand nests (a call of its own).
            lhs = be;
        }
        depth = savedDepth - 1;
        return lhs;
    }

    private static BinaryOp binaryOp(TokenType t) {
        return switch (t) {
            case ADD -> BinaryOp.ADD;
            case SUB -> BinaryOp.SUB;
            case MUL -> BinaryOp.MUL;
            case DIV -> BinaryOp.DIV;
            case MOD -> BinaryOp.MOD;
            case POW -> BinaryOp.POW;
            case ATAN2 -> BinaryOp.ATAN2;
            case EQLC -> BinaryOp.EQLC;
            case NEQ -> BinaryOp.NEQ;
            case GTR -> BinaryOp.GTR;
            case LSS -> BinaryOp.LSS;
            case GTE -> BinaryOp.GTE;
            case LTE -> BinaryOp.LTE;
            case LAND -> BinaryOp.LAND;
            case LOR -> BinaryOp.LOR;
            case LUNLESS -> BinaryOp.LUNLESS;
            case TRIM_UPPER -> BinaryOp.TRIM_UPPER;
            case TRIM_LOWER -> BinaryOp.TRIM_LOWER;
            default -> null;
        };
    }

    private static final class Modifiers {
        boolean returnBool;
        boolean on;
        List<String> labels = List.of();
        VectorMatching.Cardinality card = VectorMatching.Cardinality.ONE_TO_ONE;
        List<String> include = List.of();
        Double fillLeft;
        Double fillRight;
    }

    private Modifiers parseBinaryModifiers() throws ParseException {
        Modifiers m = new Modifiers();
        if (tok.type() == TokenType.BOOL) {
            advance();
            m.returnBool = true;
        }
        if (tok.type() == TokenType.ON || tok.type() == TokenType.IGNORING) {
            m.on = advance().type() == TokenType.ON;
            m.labels = parseGroupingLabels();
            if (tok.type() == TokenType.GROUP_LEFT || tok.type() == TokenType.GROUP_RIGHT) {
                m.card = advance().type() == TokenType.GROUP_LEFT
                        ? VectorMatching.Cardinality.MANY_TO_ONE : VectorMatching.Cardinality.ONE_TO_MANY;
                if (tok.type() == TokenType.LEFT_PAREN) {
                    m.include = parseGroupingLabels();
                }
            }
        }
        boolean both = false;
        while (!both && (tok.type() == TokenType.FILL && m.fillLeft == null && m.fillRight == null
                || tok.type() == TokenType.FILL_LEFT && m.fillLeft == null
                || tok.type() == TokenType.FILL_RIGHT && m.fillRight == null)) {
            TokenType t = advance().type();
            expect(TokenType.LEFT_PAREN, "fill modifier", "\"(\"");
            double v = parseSignedNumber("fill modifier", "number");
            expect(TokenType.RIGHT_PAREN, "fill modifier", "\")\"");
            switch (t) {
                case FILL -> {
                    m.fillLeft = v;
                    m.fillRight = v;
                    both = true;
                }
                case FILL_LEFT -> m.fillLeft = v;
                default -> m.fillRight = v;
            }
        }
        return m;
    }

    /** [+|-] number-or-duration as a float (durations in seconds). */
    private double parseSignedNumber(String context, String expected) throws ParseException {
        double sign = 1;
        if (tok.type() == TokenType.ADD || tok.type() == TokenType.SUB) {
            sign = advance().type() == TokenType.SUB ? -1 : 1;
        }
        if (tok.type() == TokenType.NUMBER) {
            return sign * number(advance());
        }
        if (tok.type() == TokenType.DURATION) {
            return sign * durationSeconds(advance());
        }
        throw unexpected(context, expected);
    }

    private List<String> parseGroupingLabels() throws ParseException {
        if (tok.type() != TokenType.LEFT_PAREN) {
            throw unexpected("grouping opts", "\"(\"");
        }
        advance();
        List<String> labels = new ArrayList<>();
        if (tok.type() == TokenType.RIGHT_PAREN) {
            advance();
            return labels;
        }
        while (true) {
            labels.add(parseGroupingLabel());
            if (tok.type() == TokenType.COMMA) {
                advance();
                if (tok.type() == TokenType.RIGHT_PAREN) {
                    advance();
                    return labels;
                }
            } else if (tok.type() == TokenType.RIGHT_PAREN) {
                advance();
                return labels;
            } else {
                throw unexpected("grouping opts", "\",\" or \")\"");
            }
        }
    }

    private String parseGroupingLabel() throws ParseException {
        Token t = tok;
        if (t.type() == TokenType.STRING) {
            advance();
            return GoFmt.unquote(t.val());
        }
        if (isMaybeLabel(t.type())) {
            if (!Printer.isLegacyLabelName(t.val())) {
                throw unexpected("grouping opts", "label");
            }
            advance();
            return t.val();
        }
        throw unexpected("grouping opts", "label");
    }

    /** Tokens that may be label names in grouping lists (keywords are lexed as such outside braces). */
    private static boolean isMaybeLabel(TokenType t) {
        return switch (t) {
            case IDENTIFIER, METRIC_IDENTIFIER, LAND, LOR, LUNLESS, ATAN2, START, END, STEP, RANGE -> true;
            default -> t.kind == TokenType.Kind.KEYWORD || t.kind == TokenType.Kind.AGGREGATOR;
        };
    }

    /** Tokens that are a metric name when they start a selector. */
    private static boolean isMetricIdentifier(TokenType t) {
        return switch (t) {
            case IDENTIFIER, METRIC_IDENTIFIER, BY, WITHOUT, OFFSET, LAND, LOR, LUNLESS, START, END, STEP, RANGE,
                 ANCHORED, SMOOTHED -> true;
            default -> t.kind == TokenType.Kind.AGGREGATOR;
        };
    }

    private Expr parseUnary() throws ParseException {
        if (tok.type() == TokenType.ADD || tok.type() == TokenType.SUB) {
            Token op = advance();
            // Unary operators bind like '*': only '^' and the postfix modifiers bind tighter.
            Expr e = parseBinary(BinaryOp.POW.precedence());
            if (e instanceof NumberLiteral nl) {
                double v = op.type() == TokenType.SUB ? -nl.value() : nl.value();
                return new NumberLiteral(v, nl.duration(), new PositionRange(op.pos(), nl.position().end()));
            }
            return new UnaryExpr(op.type() == TokenType.SUB ? BinaryOp.SUB : BinaryOp.ADD, e,
                    new PositionRange(op.pos(), e.position().end()));
        }
        return parsePostfix(parsePrimary());
    }

    private Expr parsePrimary() throws ParseException {
        Token t = tok;
        switch (t.type()) {
            case NUMBER -> {
                advance();
                return new NumberLiteral(number(t), t.range());
            }
            case DURATION -> {
                advance();
                return new NumberLiteral(durationSeconds(t), true, t.range());
            }
            case STRING -> {
                advance();
                return new StringLiteral(GoFmt.unquote(t.val()), t.range());
            }
            case LEFT_PAREN -> {
                advance();
                Expr inner = parseBinary(0);
                Token close = expect(TokenType.RIGHT_PAREN, "", "");
                return new ParenExpr(inner, new PositionRange(t.pos(), close.end()));
            }
            case LEFT_BRACE -> {
                return parseSelector(null);
            }
            default -> {
            }
        }
        if (t.type().kind == TokenType.Kind.AGGREGATOR) {
            advance();
            if (tok.type() == TokenType.LEFT_PAREN || tok.type() == TokenType.BY || tok.type() == TokenType.WITHOUT) {
                return parseAggregate(t);
            }
            return parseSelector(t);
        }
        if (t.type() == TokenType.IDENTIFIER || t.type() == TokenType.START || t.type() == TokenType.END
                || t.type() == TokenType.STEP || t.type() == TokenType.RANGE) {
            advance();
            if (tok.type() == TokenType.LEFT_PAREN) {
                return parseCall(t);
            }
            return parseSelector(t);
        }
        if (isMetricIdentifier(t.type())) {
            return parseSelector(advance());
        }
        throw unexpected("", "");
    }

    private Expr parseCall(Token name) throws ParseException {
        List<Expr> args = parseCallBody();
        Function fn = FunctionTable.get(name.val());
        if (fn == null) {
            throw error(name.range(), "unknown function with name " + GoQuote.quote(name.val()));
        }
        if (fn.experimental() && !options.experimentalFunctions()) {
            throw error(name.range(), "function " + GoQuote.quote(name.val()) + " is not enabled");
        }
        return new Call(fn, args, new PositionRange(name.pos(), lastClosing));
    }

    private List<Expr> parseCallBody() throws ParseException {
        expect(TokenType.LEFT_PAREN, "", "");
        List<Expr> args = new ArrayList<>();
        if (tok.type() == TokenType.RIGHT_PAREN) {
            advance();
            return args;
        }
        enter(); // call frames are the deepest per nesting level
        while (true) {
            args.add(parseBinary(0));
            if (tok.type() == TokenType.COMMA) {
                Token comma = advance();
                if (tok.type() == TokenType.RIGHT_PAREN) {
                    throw error(comma.range(), "trailing commas not allowed in function call args");
                }
                continue;
            }
            expect(TokenType.RIGHT_PAREN, "", "");
            depth--;
            return args;
        }
    }

    private Expr parseAggregate(Token opTok) throws ParseException {
        AggregateOp op = AggregateOp.of(opTok.val());
        List<String> grouping = List.of();
        boolean without = false;
        boolean modifierSeen = false;
        if (tok.type() == TokenType.BY || tok.type() == TokenType.WITHOUT) {
            without = advance().type() == TokenType.WITHOUT;
            grouping = parseGroupingLabels();
            modifierSeen = true;
        }
        if (tok.type() != TokenType.LEFT_PAREN) {
            throw unexpected("aggregation", "");
        }
        List<Expr> args = parseCallBody();
        if (!modifierSeen && (tok.type() == TokenType.BY || tok.type() == TokenType.WITHOUT)) {
            without = advance().type() == TokenType.WITHOUT;
            grouping = parseGroupingLabels();
        }
        PositionRange pr = new PositionRange(opTok.pos(), lastClosing);
        if (args.isEmpty()) {
            throw error(pr, "no arguments for aggregate expression provided");
        }
        int desired = 1;
        Expr param = null;
        if (op.hasParam()) {
            if (op.experimental() && !options.experimentalFunctions()) {
                throw error(pr, op.text()
                        + "() is experimental and must be enabled with --enable-feature=promql-experimental-functions");
            }
            desired = 2;
            param = args.getFirst();
        }
        if (args.size() != desired) {
            throw error(pr, "wrong number of arguments for aggregate expression provided, expected " + desired
                    + ", got " + args.size());
        }
        return new AggregateExpr(op, args.get(desired - 1), param, grouping, without, pr);
    }

    /** A selector: optional metric name token followed by optional {matchers}. */
    private VectorSelector parseSelector(Token nameTok) throws ParseException {
        List<LabelMatcher> matchers = new ArrayList<>();
        int start = nameTok != null ? nameTok.pos() : tok.pos();
        int end = nameTok != null ? nameTok.end() : start;
        if (tok.type() == TokenType.LEFT_BRACE) {
            parseLabelMatchers(matchers);
            end = lastClosing;
        }
        String name = nameTok != null ? nameTok.val() : "";
        if (!name.isEmpty()) {
            matchers.add(LabelMatcher.eq(Labels.METRIC_NAME, name));
        }
        return new VectorSelector(name, matchers, new PositionRange(start, end));
    }

    private void parseLabelMatchers(List<LabelMatcher> out) throws ParseException {
        advance(); // {
        if (tok.type() == TokenType.RIGHT_BRACE) {
            advance();
            return;
        }
        while (true) {
            out.add(parseLabelMatcher());
            if (tok.type() == TokenType.COMMA) {
                advance();
                if (tok.type() == TokenType.RIGHT_BRACE) {
                    advance();
                    return;
                }
            } else if (tok.type() == TokenType.RIGHT_BRACE) {
                advance();
                return;
            } else {
                throw unexpected("label matching", "\",\" or \"}\"");
            }
        }
    }

    private LabelMatcher parseLabelMatcher() throws ParseException {
        Token label = tok;
        String name;
        if (label.type() == TokenType.IDENTIFIER) {
            name = label.val();
            advance();
            if (matchType(tok.type()) == null) {
                throw unexpected("label matching", "label matching operator");
            }
        } else if (label.type() == TokenType.STRING) {
            name = GoFmt.unquote(label.val());
            advance();
            if (matchType(tok.type()) == null) {
                // A lone quoted string is the metric name: {"some.metric"}.
                return LabelMatcher.eq(Labels.METRIC_NAME, name);
            }
        } else {
            throw unexpected("label matching", "identifier or \"}\"");
        }
        LabelMatcher.Type type = matchType(advance().type());
        if (tok.type() != TokenType.STRING) {
            throw unexpected("label matching", "string");
        }
        Token value = advance();
        try {
            return new LabelMatcher(type, name, GoFmt.unquote(value.val()));
        } catch (IllegalArgumentException e) {
            throw error(new PositionRange(label.pos(), value.end()), e.getMessage());
        }
    }

    private static LabelMatcher.Type matchType(TokenType t) {
        return switch (t) {
            case EQL -> LabelMatcher.Type.EQ;
            case NEQ -> LabelMatcher.Type.NEQ;
            case EQL_REGEX -> LabelMatcher.Type.RE;
            case NEQ_REGEX -> LabelMatcher.Type.NRE;
            default -> null;
        };
    }

    // ---- postfix modifiers ----

    private Expr parsePostfix(Expr e) throws ParseException {
        int savedDepth = depth;
        try {
            while (true) {
                switch (tok.type()) {
                    case LEFT_BRACKET -> {
                        // A subquery wraps what it follows: x[1h:1m][1h:1m]... is a tree as deep as it is long.
                        enter();
                        e = parseRangeOrSubquery(e);
                    }
                    case OFFSET -> e = parseOffset(e);
                    case AT -> e = parseAt(e);
                    case ANCHORED, SMOOTHED -> e = setExtended(e, advance());
                    default -> {
                        return e;
                    }
                }
            }
        } finally {
            depth = savedDepth;
        }
    }

    private Expr parseRangeOrSubquery(Expr e) throws ParseException {
        Token open = advance();
        if (!startsDuration(tok.type())) {
            throw unexpected("subquery or range selector", "number, duration, step(), or range()");
        }
        Expr range = parseDurationExpr();
        if (range instanceof NumberLiteral n && n.value() <= 0) {
            throw error(n.position(), "duration must be greater than 0");
        }
        if (tok.type() == TokenType.RIGHT_BRACKET) {
            Token close = advance();
            String err = null;
            if (!(e instanceof VectorSelector vs)) {
                err = "ranges only allowed for vector selectors";
            } else if (vs.offsetMs() != 0 || vs.offsetExpr() != null) {
                err = "no offset modifiers allowed before range";
            } else if (vs.at().isSet()) {
                err = "no @ modifiers allowed before range";
            }
            if (err != null) {
                throw error(new PositionRange(open.pos(), close.end()), err);
            }
            VectorSelector vs = (VectorSelector) e;
            return new MatrixSelector(vs, durationMs(range), durationExprOrNull(range),
                    new PositionRange(vs.position().start(), lastClosing));
        }
        if (tok.type() != TokenType.COLON) {
            throw unexpected("subquery or range", "\":\" or \"]\"");
        }
        advance();
        Expr step = null;
        if (tok.type() != TokenType.RIGHT_BRACKET) {
            if (!startsDuration(tok.type())) {
                throw unexpected("subquery selector", "number, duration, step(), range(), or \"]\"");
            }
            step = parseDurationExpr();
            if (tok.type() != TokenType.RIGHT_BRACKET) {
                throw unexpected("subquery selector", "\"]\"");
            }
        }
        Token close = advance();
        return new SubqueryExpr(e, durationMs(range), durationExprOrNull(range),
                step == null ? 0 : durationMs(step), step == null ? null : durationExprOrNull(step),
                0, null, AtModifier.NONE, new PositionRange(e.position().start(), close.end()));
    }

    private Expr parseOffset(Expr e) throws ParseException {
        advance();
        Expr d = parseOffsetDuration();
        long ms = durationMs(d);
        DurationExpr de = durationExprOrNull(d);
        switch (e) {
            case VectorSelector vs -> {
                checkOffsetUnset(e, vs.offsetMs(), vs.offsetExpr());
                return vs.withOffset(ms, de).withPosition(new PositionRange(vs.position().start(), lastClosing));
            }
            case MatrixSelector m -> {
                VectorSelector vs = m.vectorSelector();
                checkOffsetUnset(e, vs.offsetMs(), vs.offsetExpr());
                return new MatrixSelector(vs.withOffset(ms, de), m.rangeMs(), m.rangeExpr(),
                        new PositionRange(m.position().start(), lastClosing));
            }
            case SubqueryExpr s -> {
                checkOffsetUnset(e, s.offsetMs(), s.offsetExpr());
                return new SubqueryExpr(s.expr(), s.rangeMs(), s.rangeExpr(), s.stepMs(), s.stepExpr(), ms, de,
                        s.at(), new PositionRange(s.position().start(), lastClosing));
            }
            default -> throw error(e.position(), "offset modifier must be preceded by an instant vector selector"
                    + " or range vector selector or a subquery");
        }
    }

    private void checkOffsetUnset(Expr e, long ms, DurationExpr expr) throws ParseException {
        if (ms != 0 || expr != null) {
            throw error(e.position(), "offset may not be set multiple times");
        }
    }

    private Expr parseAt(Expr e) throws ParseException {
        advance();
        AtModifier at;
        if (tok.type() == TokenType.START || tok.type() == TokenType.END) {
            boolean start = advance().type() == TokenType.START;
            expect(TokenType.LEFT_PAREN, "", "");
            expect(TokenType.RIGHT_PAREN, "", "");
            at = start ? AtModifier.START : AtModifier.END;
        } else {
            double ts = parseSignedNumber("@", "timestamp");
            if (Double.isNaN(ts) || Double.isInfinite(ts) || ts >= 0x1p63 || ts <= -0x1p63) {
                throw error(e.position(), "timestamp out of bounds for @ modifier: " + GoFmt.formatF(ts));
            }
            double scaled = ts * 1000;
            at = AtModifier.at((long) (Math.signum(scaled) * Math.floor(Math.abs(scaled) + 0.5)));
        }
        AtModifier current = switch (e) {
            case VectorSelector vs -> vs.at();
            case MatrixSelector m -> m.vectorSelector().at();
            case SubqueryExpr s -> s.at();
            default -> throw error(e.position(), "@ modifier must be preceded by an instant vector selector"
                    + " or range vector selector or a subquery");
        };
        if (current.isSet()) {
            throw error(e.position(), "@ <timestamp> may not be set multiple times");
        }
        return switch (e) {
            case VectorSelector vs -> vs.withAt(at).withPosition(new PositionRange(vs.position().start(), lastClosing));
            case MatrixSelector m -> new MatrixSelector(m.vectorSelector().withAt(at), m.rangeMs(), m.rangeExpr(),
                    new PositionRange(m.position().start(), lastClosing));
            case SubqueryExpr s -> new SubqueryExpr(s.expr(), s.rangeMs(), s.rangeExpr(), s.stepMs(), s.stepExpr(),
                    s.offsetMs(), s.offsetExpr(), at, new PositionRange(s.position().start(), lastClosing));
            default -> throw new IllegalStateException();
        };
    }

    private Expr setExtended(Expr e, Token mod) throws ParseException {
        boolean anchored = mod.type() == TokenType.ANCHORED;
        String name = anchored ? "anchored" : "smoothed";
        if (!options.extendedRangeSelectors()) {
            throw error(e.position(), name + " modifier is experimental and not enabled");
        }
        return switch (e) {
            case VectorSelector vs -> withExtended(e, vs, anchored);
            case MatrixSelector m -> new MatrixSelector(withExtended(e, m.vectorSelector(), anchored), m.rangeMs(),
                    m.rangeExpr(), m.position());
            case SubqueryExpr s -> throw error(e.position(), name + " modifier is not supported for subqueries");
            default -> throw error(e.position(), name + " modifier not implemented");
        };
    }

    private VectorSelector withExtended(Expr e, VectorSelector vs, boolean anchored) throws ParseException {
        boolean a = vs.anchored() || anchored;
        boolean s = vs.smoothed() || !anchored;
        if (a && s) {
            throw error(e.position(), "anchored and smoothed modifiers cannot be used together");
        }
        return new VectorSelector(vs.name(), vs.matchers(), vs.offsetMs(), vs.offsetExpr(), vs.at(), a, s,
                vs.bypassEmptyMatcherCheck(), vs.position());
    }

    // ---- durations ----

    private static boolean startsDuration(TokenType t) {
        return switch (t) {
            case NUMBER, DURATION, ADD, SUB, LEFT_PAREN, STEP, RANGE, MIN_OF, MAX_OF, IDENTIFIER -> true;
            default -> false;
        };
    }

    /** Range or step inside brackets: a literal or duration arithmetic. */
    private Expr parseDurationExpr() throws ParseException {
        durationContext = "subquery or range selector";
        Expr e = parseDurArith(0);
        if (e instanceof DurationExpr && !options.durationExpressions()) {
            throw error(e.position(), "experimental duration expression is not enabled");
        }
        return e;
    }

    /**
     * The duration after {@code offset}: one operand (literal, signed operand, parenthesised arithmetic, step(),
     * range(), min_of(), max_of()); any following operator applies to the whole selector, as in Prometheus.
     */
    private Expr parseOffsetDuration() throws ParseException {
        durationContext = "offset";
        Expr e;
        if (tok.type() == TokenType.ADD || tok.type() == TokenType.SUB) {
            Token op = advance();
            enter(); // each sign nests: 'offset' and 30,000 '-' overflowed the stack
            e = applyUnary(op, parseOffsetDuration());
            depth--;
        } else if (tok.type() == TokenType.NUMBER || tok.type() == TokenType.DURATION
                || tok.type() == TokenType.LEFT_PAREN || isDurationFunction()) {
            e = parseDurAtom();
        } else {
            throw unexpected("offset", "number, duration, step(), or range()");
        }
        if (e instanceof DurationExpr && !options.durationExpressions()) {
            throw error(e.position(), "experimental duration expression is not enabled");
        }
        return e;
    }

    private boolean isDurationFunction() {
        return switch (tok.type()) {
            case STEP, RANGE, MIN_OF, MAX_OF -> true;
            case IDENTIFIER -> {
                String w = tok.val().toLowerCase(Locale.ROOT);
                yield w.equals("min_of") || w.equals("max_of");
            }
            default -> false;
        };
    }

    private Expr parseDurArith(int minPrec) throws ParseException {
        enter();
        int savedDepth = depth;
        Expr lhs;
        if (tok.type() == TokenType.ADD || tok.type() == TokenType.SUB) {
            Token op = advance();
            lhs = applyUnary(op, parseDurArith(6));
        } else {
            lhs = parseDurAtom();
        }
        while (true) {
            DurationOp op;
            int prec;
            switch (tok.type()) {
                case ADD -> { op = DurationOp.ADD; prec = 4; }
                case SUB -> { op = DurationOp.SUB; prec = 4; }
                case MUL -> { op = DurationOp.MUL; prec = 5; }
                case DIV -> { op = DurationOp.DIV; prec = 5; }
                case MOD -> { op = DurationOp.MOD; prec = 5; }
                case POW -> { op = DurationOp.POW; prec = 6; }
                default -> { op = null; prec = -1; }
            }
            if (op == null || prec < minPrec) {
                break;
            }
            Token opTok = advance();
            Expr rhs = parseDurArith(op == DurationOp.POW ? prec : prec + 1);
            if ((op == DurationOp.DIV || op == DurationOp.MOD) && isConstantZero(rhs)) {
                // Prometheus rejects a constant zero divisor while parsing.
                throw error(opTok.range(), op == DurationOp.DIV ? "division by zero" : "modulo by zero");
            }
            lhs = new DurationExpr(op, lhs, rhs, false,
                    new PositionRange(lhs.position().start(), rhs.position().end()));
            enter();
        }
        depth = savedDepth - 1;
        return lhs;
    }

    private Expr parseDurAtom() throws ParseException {
        Token t = tok;
        switch (t.type()) {
            case NUMBER -> {
                advance();
                double v = number(t);
                if (v > MAX_DURATION_SECONDS || v < -MAX_DURATION_SECONDS) {
                    throw error(t.range(), "duration out of range");
                }
                return new NumberLiteral(v, t.range());
            }
            case DURATION -> {
                advance();
                return new NumberLiteral(durationSeconds(t), true, t.range());
            }
            case LEFT_PAREN -> {
                advance();
                Expr inner = parseDurArith(0);
                Token close = expect(TokenType.RIGHT_PAREN, "duration expression", "\")\"");
                PositionRange pr = new PositionRange(t.pos(), close.end());
                if (inner instanceof DurationExpr d) {
                    return new DurationExpr(d.op(), d.lhs(), d.rhs(), true, pr);
                }
                return new DurationExpr(DurationOp.ADD, null, inner, true, pr);
            }
            case STEP, RANGE -> {
                advance();
                if (tok.type() != TokenType.LEFT_PAREN) {
                    throw unexpected(durationContext, "number, duration, step(), or range()");
                }
                advance();
                Token close = expect(TokenType.RIGHT_PAREN, "duration expression", "\")\"");
                return new DurationExpr(t.type() == TokenType.STEP ? DurationOp.STEP : DurationOp.RANGE, null, null,
                        false, new PositionRange(t.pos(), close.end()));
            }
            default -> {
                if (isDurationFunction()) {
                    advance();
                    DurationOp op = t.val().toLowerCase(Locale.ROOT).startsWith("min") ? DurationOp.MIN : DurationOp.MAX;
                    expect(TokenType.LEFT_PAREN, "duration expression", "\"(\"");
                    Expr a = parseDurArith(0);
                    expect(TokenType.COMMA, "duration expression", "\",\"");
                    Expr b = parseDurArith(0);
                    Token close = expect(TokenType.RIGHT_PAREN, "duration expression", "\")\"");
                    return new DurationExpr(op, a, b, false, new PositionRange(t.pos(), close.end()));
                }
                throw unexpected(durationContext, "number, duration, step(), or range()");
            }
        }
    }

    /** Largest duration in seconds (Go's time.Duration is int64 nanoseconds). */
    private static final double MAX_DURATION_SECONDS = 0x1p63 / 1e9;

    private static boolean isConstantZero(Expr e) {
        try {
            return switch (e) {
                case NumberLiteral n -> n.value() == 0;
                case DurationExpr d -> !d.dependsOnQuery() && d.evaluateSeconds(0, 0) == 0;
                default -> false;
            };
        } catch (ArithmeticException nested) {
            return false;
        }
    }

    /** Unary +/- on a duration operand: literals are negated in place, expressions wrapped. */
    private Expr applyUnary(Token op, Expr e) throws ParseException {
        if (e instanceof NumberLiteral nl) {
            double v = op.type() == TokenType.SUB ? -nl.value() : nl.value();
            if (v > MAX_DURATION_SECONDS || v < -MAX_DURATION_SECONDS) {
                throw error(op.range(), "duration out of range");
            }
            return new NumberLiteral(v, nl.duration(), new PositionRange(op.pos(), nl.position().end()));
        }
        if (op.type() == TokenType.SUB) {
            return new DurationExpr(DurationOp.SUB, null, e, false, new PositionRange(op.pos(), e.position().end()));
        }
        return e;
    }

    private static long durationMs(Expr d) {
        return switch (d) {
            case NumberLiteral n -> secondsToMs(n.value());
            case DurationExpr de -> {
                if (de.dependsOnQuery()) {
                    yield 0;
                }
                try {
                    yield secondsToMs(de.evaluateSeconds(0, 0));
                } catch (ArithmeticException e) {
                    yield 0; // reported when the engine evaluates the expression
                }
            }
            default -> throw new IllegalStateException("not a duration: " + d);
        };
    }

    private static DurationExpr durationExprOrNull(Expr d) {
        return d instanceof DurationExpr de ? de : null;
    }

    /** Rounds to whole nanoseconds first, as Go's time.Duration does, so 1001ms (1.001 s) stays 1001 ms. */
    private static long secondsToMs(double s) {
        return Math.round(s * 1e9) / 1_000_000L;
    }

    // ---- literals ----

    private double number(Token t) throws ParseException {
        try {
            return GoFmt.parseNumber(t.val());
        } catch (NumberFormatException e) {
            throw error(t.range(), "error parsing number: " + e.getMessage());
        }
    }

    private double durationSeconds(Token t) throws ParseException {
        try {
            return PromDurations.parseMillis(t.val()) / 1000.0;
        } catch (IllegalArgumentException e) {
            throw error(t.range(), e.getMessage());
        }
    }
}
