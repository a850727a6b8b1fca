package dev.sightline.promql.ast;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.core.text.GoQuote;
import dev.sightline.core.text.PromDurations;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Prometheus's canonical String() form of expressions (promql/parser/printer.go). */
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
                        b.append('-').append(PromDurations.format(DurationExpr.secondsToMs(-n.value())));
                    } else {
                        b.append(PromDurations.format(DurationExpr.secondsToMs(n.value())));
                    }
                } else {
                    b.append(GoFloats.formatF(n.value()));
                }
            }
            case StringLiteral s -> b.append(GoQuote.quote(s.value()));
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
            b.append(PromDurations.format(sq.stepMs()));
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
                b.append(" fill (").append(GoFloats.formatG(vm.fillLeft())).append(')');
            } else {
                if (vm.fillLeft() != null) {
                    b.append(" fill_left (").append(GoFloats.formatG(vm.fillLeft())).append(')');
                }
                if (vm.fillRight() != null) {
                    b.append(" fill_right (").append(GoFloats.formatG(vm.fillRight())).append(')');
                }
            }
        }
    }

    private static void writeRange(StringBuilder b, long ms, DurationExpr expr) {
        if (expr != null) {
            writeDuration(b, expr);
        } else {
            b.append(PromDurations.format(ms));
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
            b.append(" offset ").append(PromDurations.format(offsetMs));
        } else if (offsetMs < 0) {
            b.append(" offset -").append(PromDurations.format(-offsetMs));
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
            parts.addFirst(GoQuote.quote(name));
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
        sb.append(isLegacyLabelName(m.name()) ? m.name() : GoQuote.quote(m.name()));
        sb.append(m.type().op()).append(GoQuote.quote(m.value()));
        return sb.toString();
    }

    static void writeLabels(StringBuilder b, List<String> labels) {
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            String l = labels.get(i);
            b.append(isLegacyLabelName(l) ? l : GoQuote.quote(l));
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
}
