package dev.sightline.promql.ast;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Prometheus's canonical String() form of expressions (promql/parser/printer.go), plus the Go formatting helpers. */
public final class Printer {
    private Printer() {
    }

    public static String print(Expr e) {
        StringBuilder sb = new StringBuilder();
        write(sb, e);
        return sb.toString();
    }

    static void write(StringBuilder b, Expr e) {
        switch (e) {
            case NumberLiteral n -> {
                if (n.duration()) {
                    if (n.value() < 0) {
                        b.append('-').append(formatDuration(DurationExpr.secondsToMs(-n.value())));
                    } else {
                        b.append(formatDuration(DurationExpr.secondsToMs(n.value())));
                    }
                } else {
                    b.append(formatFloat(n.value()));
                }
            }
            case StringLiteral s -> b.append(quote(s.value()));
            case ParenExpr p -> {
                b.append('(');
                write(b, p.expr());
                b.append(')');
            }
            case UnaryExpr u -> {
                b.append(u.op().text());
                write(b, u.expr());
            }
            case StepInvariantExpr s -> write(b, s.expr());
            case Call c -> {
                b.append(c.function().name()).append('(');
                writeList(b, c.args());
                b.append(')');
            }
            case AggregateExpr a -> {
                writeAggregateOp(b, a);
                b.append('(');
                if (a.param() != null) {
                    write(b, a.param());
                    b.append(", ");
                }
                write(b, a.expr());
                b.append(')');
            }
            case BinaryExpr top -> {
                List<BinaryExpr> chain = top.leftChain();
                write(b, chain.getFirst().lhs());
                for (BinaryExpr be : chain) {
                    b.append(' ').append(be.op().text());
                    writeBinaryModifiers(b, be);
                    b.append(' ');
                    write(b, be.rhs());
                }
            }
            case DurationExpr d -> writeDuration(b, d);
            case VectorSelector vs -> {
                writeSelectorBody(b, vs);
                writeAt(b, vs.at());
                if (vs.anchored()) {
                    b.append(" anchored");
                } else if (vs.smoothed()) {
                    b.append(" smoothed");
                }
                writeOffset(b, vs.offsetMs(), vs.offsetExpr());
            }
            case MatrixSelector ms -> {
                VectorSelector vs = ms.vectorSelector();
                writeSelectorBody(b, vs);
                b.append('[');
                writeRange(b, ms.rangeMs(), ms.rangeExpr());
                b.append(']');
                if (vs.anchored()) {
                    b.append(" anchored");
                } else if (vs.smoothed()) {
                    b.append(" smoothed");
                }
                writeAt(b, vs.at());
                writeOffset(b, vs.offsetMs(), vs.offsetExpr());
            }
            case SubqueryExpr sq -> {
                write(b, sq.expr());
                writeSubquerySuffix(b, sq);
            }
        }
    }

    /** The {@code [range:step] @ t offset o} suffix of a subquery. */
    static void writeSubquerySuffix(StringBuilder b, SubqueryExpr sq) {
        b.append('[');
        writeRange(b, sq.rangeMs(), sq.rangeExpr());
        b.append(':');
        if (sq.stepExpr() != null) {
            writeDuration(b, sq.stepExpr());
        } else if (sq.stepMs() != 0) {
            b.append(formatDuration(sq.stepMs()));
        }
        b.append(']');
        writeAt(b, sq.at());
        writeOffset(b, sq.offsetMs(), sq.offsetExpr());
    }

    static void writeAggregateOp(StringBuilder b, AggregateExpr a) {
        b.append(a.op().text());
        if (a.without()) {
            b.append(" without (");
            writeLabels(b, a.grouping());
            b.append(") ");
        } else if (!a.grouping().isEmpty()) {
            b.append(" by (");
            writeLabels(b, a.grouping());
            b.append(") ");
        }
    }

    /** " bool on (..) group_left (..) fill (..)" as Prometheus prints the modifiers of a binary operator. */
    static void writeBinaryModifiers(StringBuilder b, BinaryExpr be) {
        if (be.returnBool()) {
            b.append(" bool");
        }
        VectorMatching vm = be.matching();
        if (vm == null) {
            return;
        }
        boolean grouped = vm.card() == VectorMatching.Cardinality.MANY_TO_ONE
                || vm.card() == VectorMatching.Cardinality.ONE_TO_MANY;
        if (!vm.matchingLabels().isEmpty() || vm.on() || grouped) {
            b.append(vm.on() ? " on (" : " ignoring (");
            writeLabels(b, vm.matchingLabels());
            b.append(')');
        }
        if (grouped) {
            b.append(vm.card() == VectorMatching.Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (");
            writeLabels(b, vm.include());
            b.append(')');
        }
        if (vm.hasFill()) {
            if (vm.fillLeft() != null && vm.fillRight() != null
                    && Double.compare(vm.fillLeft(), vm.fillRight()) == 0) {
                b.append(" fill (").append(formatFloatG(vm.fillLeft())).append(')');
            } else {
                if (vm.fillLeft() != null) {
                    b.append(" fill_left (").append(formatFloatG(vm.fillLeft())).append(')');
                }
                if (vm.fillRight() != null) {
                    b.append(" fill_right (").append(formatFloatG(vm.fillRight())).append(')');
                }
            }
        }
    }

    private static void writeRange(StringBuilder b, long ms, DurationExpr expr) {
        if (expr != null) {
            writeDuration(b, expr);
        } else {
            b.append(formatDuration(ms));
        }
    }

    private static void writeDuration(StringBuilder b, DurationExpr d) {
        if (d.wrapped()) {
            b.append('(');
        }
        switch (d.op()) {
            case STEP -> b.append("step()");
            case RANGE -> b.append("range()");
            case MIN, MAX -> {
                b.append(d.op().text()).append('(');
                write(b, d.lhs());
                b.append(", ");
                write(b, d.rhs());
                b.append(')');
            }
            default -> {
                if (d.lhs() == null) {
                    if (d.op() == DurationOp.SUB) {
                        b.append('-');
                    }
                    write(b, d.rhs());
                } else {
                    write(b, d.lhs());
                    b.append(' ').append(d.op().text()).append(' ');
                    write(b, d.rhs());
                }
            }
        }
        if (d.wrapped()) {
            b.append(')');
        }
    }

    private static void writeOffset(StringBuilder b, long offsetMs, DurationExpr offsetExpr) {
        if (offsetExpr != null) {
            b.append(" offset ");
            writeDuration(b, offsetExpr);
        } else if (offsetMs > 0) {
            b.append(" offset ").append(formatDuration(offsetMs));
        } else if (offsetMs < 0) {
            b.append(" offset -").append(formatDuration(-offsetMs));
        }
    }

    private static void writeAt(StringBuilder b, AtModifier at) {
        switch (at.kind()) {
            case TIMESTAMP -> b.append(" @ ").append(BigDecimal.valueOf(at.timestampMs()).movePointLeft(3)
                    .setScale(3, java.math.RoundingMode.UNNECESSARY).toPlainString());
            case START -> b.append(" @ start()");
            case END -> b.append(" @ end()");
            case NONE -> {
            }
        }
    }

    /** Metric name and matchers, without modifiers; a name that is not a legacy metric name is quoted in braces. */
    private static void writeSelectorBody(StringBuilder b, VectorSelector vs) {
        List<String> parts = new ArrayList<>(vs.matchers().size());
        String name = vs.name() == null ? "" : vs.name();
        for (LabelMatcher m : vs.matchers()) {
            if (m.name().equals(Labels.METRIC_NAME) && m.type() == LabelMatcher.Type.EQ && m.value().equals(name)
                    && !name.isEmpty()) {
                continue;
            }
            parts.add(matcherString(m));
        }
        Collections.sort(parts);
        boolean quotedName = !name.isEmpty() && !isLegacyMetricName(name);
        if (quotedName) {
            parts.addFirst(quote(name));
        } else {
            b.append(name);
        }
        if (!parts.isEmpty()) {
            b.append('{').append(String.join(",", parts)).append('}');
        }
    }

    /** Prometheus's labels.Matcher.String(): the name quoted only when it is not a legacy label name. */
    public static String matcherString(LabelMatcher m) {
        StringBuilder sb = new StringBuilder();
        sb.append(isLegacyLabelName(m.name()) ? m.name() : quote(m.name()));
        sb.append(m.type().op()).append(quote(m.value()));
        return sb.toString();
    }

    static void writeLabels(StringBuilder b, List<String> labels) {
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            String l = labels.get(i);
            b.append(isLegacyLabelName(l) ? l : quote(l));
        }
    }

    private static void writeList(StringBuilder b, List<Expr> args) {
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            write(b, args.get(i));
        }
    }

    public static boolean isLegacyLabelName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    public static boolean isLegacyMetricName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (i > 0 && c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /** Prometheus's model.Duration.String(): e.g. 1h30m, 1d, 2w, 1y, 1ms, 0s. */
    public static String formatDuration(long ms) {
        if (ms == 0) {
            return "0s";
        }
        StringBuilder r = new StringBuilder();
        long[] rem = {ms};
        unit(r, rem, "y", 1000L * 60 * 60 * 24 * 365, true);
        unit(r, rem, "w", 1000L * 60 * 60 * 24 * 7, true);
        unit(r, rem, "d", 1000L * 60 * 60 * 24, false);
        unit(r, rem, "h", 1000L * 60 * 60, false);
        unit(r, rem, "m", 1000L * 60, false);
        unit(r, rem, "s", 1000L, false);
        unit(r, rem, "ms", 1, false);
        return r.toString();
    }

    private static void unit(StringBuilder r, long[] rem, String unit, long mult, boolean exact) {
        if (exact && rem[0] % mult != 0) {
            return;
        }
        long v = rem[0] / mult;
        if (v > 0) {
            r.append(v).append(unit);
            rem[0] -= v * mult;
        }
    }

    /** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest decimal without exponent; +Inf, -Inf, NaN. */
    public static String formatFloat(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0" : "0";
        }
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** Go's %g for a float64 (shortest digits, %e form when the exponent is &lt; -4 or &gt;= 6). */
    public static String formatFloatG(double v) {
        return formatShortest(v, 6);
    }

    /** Go's %v for a float64 (shortest digits, %e form when the exponent is &lt; -4 or &gt;= 21). */
    public static String formatFloatV(double v) {
        return formatShortest(v, 21);
    }

    private static String formatShortest(double v, int expThreshold) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0" : "0";
        }
        // Shortest digits that round-trip, as Java's Double.toString also guarantees.
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int exp = digits.length() - 1 - d.scale(); // decimal exponent of the first digit
        String sign = v < 0 ? "-" : "";
        if (exp < -4 || exp >= expThreshold) {
            StringBuilder sb = new StringBuilder(sign).append(digits.charAt(0));
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
        return sign + d.toPlainString();
    }

    /** Go's strconv.Quote. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 11 -> sb.append("\\v");
                default -> {
                    if (isGoPrint(cp)) {
                        sb.appendCodePoint(cp);
                    } else if (cp < ' ' || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else if (cp >= 0xDC80 && cp <= 0xDCFF) {
                        // A byte that was not valid UTF-8 (kept as a lone surrogate by the parser, see StringLiteral).
                        sb.append(String.format("\\x%02x", cp - 0xDC00));
                    } else if (Character.isSurrogate((char) cp) && cp < 0x10000) {
                        sb.append("\\ufffd");
                    } else if (cp < 0x10000) {
                        sb.append(String.format("\\u%04x", cp));
                    } else {
                        sb.append(String.format("\\U%08x", cp));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean isGoPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
