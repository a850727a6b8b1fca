package dev.sightline.promql.engine;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.promql.ast.AtModifier;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.VectorSelector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * info(v [, {data-label matchers}]): adds the data labels of info series (by default target_info) that share the
 * identifying labels instance and job with each series of v, as Prometheus's experimental info() does.
 */
final class InfoFunction {
    private static final String TARGET_INFO = "target_info";
    private static final List<String> IDENTIFYING = List.of("instance", "job");

    private final Evaluator ev;
    private final FunctionEvaluator functions;

    InfoFunction(Evaluator ev, FunctionEvaluator functions) {
        this.ev = ev;
        this.functions = functions;
    }

    Object eval(Call c) {
        Matrix mat = ev.evalVector(c.args().get(0));
        Map<String, List<LabelMatcher>> dataMatchers = new LinkedHashMap<>();
        List<LabelMatcher> nameMatchers = new ArrayList<>();
        if (c.args().size() > 1) {
            VectorSelector sel = (VectorSelector) Evaluator.unparen(c.args().get(1));
            for (LabelMatcher m : sel.matchers()) {
                dataMatchers.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m);
                if (m.name().equals(Labels.METRIC_NAME)) {
                    nameMatchers.add(m);
                }
            }
        } else {
            nameMatchers.add(LabelMatcher.eq(Labels.METRIC_NAME, TARGET_INFO));
        }
        if (!nameMatchers.isEmpty() && nameMatchers.stream().allMatch(m -> m.type() == LabelMatcher.Type.NEQ
                || m.type() == LabelMatcher.Type.NRE)) {
            // Only excluding names still means info metrics: otherwise every series would be an info series.
            LabelMatcher infoOnly = LabelMatcher.re(Labels.METRIC_NAME, ".+_info");
            nameMatchers.add(infoOnly);
            dataMatchers.get(Labels.METRIC_NAME).add(infoOnly);
        }
        // Info series themselves are not enriched.
        Set<Labels> ignore = new java.util.HashSet<>();
        Map<String, Set<String>> idValues = new LinkedHashMap<>();
        for (MatrixSeries s : mat.series()) {
            String name = s.labels.metricName();
            if (!nameMatchers.isEmpty() && matchesAll(nameMatchers, name)) {
                ignore.add(s.labels);
                continue;
            }
            for (String l : IDENTIFYING) {
                String v = s.labels.get(l);
                if (v != null) {
                    idValues.computeIfAbsent(l, k -> new LinkedHashSet<>()).add(v);
                }
            }
        }
        Matrix infoMat = new Matrix(List.of());
        boolean hasNameMatcher = dataMatchers.containsKey(Labels.METRIC_NAME);
        List<LabelMatcher> nameDataMatchers = dataMatchers.remove(Labels.METRIC_NAME);
        if (!idValues.isEmpty()) {
            List<LabelMatcher> matchers = new ArrayList<>();
            if (!hasNameMatcher) {
                matchers.add(LabelMatcher.eq(Labels.METRIC_NAME, TARGET_INFO));
            }
            idValues.forEach((l, vals) -> {
                StringBuilder re = new StringBuilder();
                for (String v : vals) {
                    if (re.length() > 0) {
                        re.append('|');
                    }
                    re.append(Pattern.quote(v));
                }
                matchers.add(LabelMatcher.re(l, re.toString()));
            });
            if (nameDataMatchers != null) {
                matchers.addAll(nameDataMatchers);
            }
            dataMatchers.values().forEach(matchers::addAll);
            // Info series are looked up as of the time the base series' samples are read at: that of its first
            // selector, shifted by the offsets and pinned by the @ modifiers on the way down to it.
            long[] offset = {0};
            AtModifier[] at = {AtModifier.NONE};
            reference(c.args().get(0), offset, at);
            VectorSelector infoSel = new VectorSelector(null, matchers, offset[0], null, at[0], false, false, true,
                    c.position());
            infoMat = new Matrix(functions.sampleTimes(infoSel, true));
        }
        return combine(mat, infoMat, ignore, dataMatchers);
    }

    private static boolean matchesAll(List<LabelMatcher> ms, String v) {
        for (LabelMatcher m : ms) {
            if (!m.matches(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Walks down to the first selector, summing offsets; an {@code @} fixes the time, so offsets above it no longer
     * matter. Returns whether a selector was found.
     */
    private boolean reference(Expr e, long[] offset, AtModifier[] at) {
        e = Evaluator.unparen(e);
        switch (e) {
            case VectorSelector vs -> {
                apply(vs.at(), ev.durationMs(vs.offsetMs(), vs.offsetExpr()), offset, at);
                return true;
            }
            case MatrixSelector ms -> {
                return reference(ms.vectorSelector(), offset, at);
            }
            case dev.sightline.promql.ast.SubqueryExpr sq -> {
                apply(sq.at(), ev.durationMs(sq.offsetMs(), sq.offsetExpr()), offset, at);
                return reference(sq.expr(), offset, at);
            }
            case dev.sightline.promql.ast.Call call -> {
                return firstReference(call.args(), offset, at);
            }
            case dev.sightline.promql.ast.AggregateExpr a -> {
                return reference(a.expr(), offset, at);
            }
            case dev.sightline.promql.ast.BinaryExpr b -> {
                return firstReference(b.operands(), offset, at);
            }
            case dev.sightline.promql.ast.UnaryExpr u -> {
                return reference(u.expr(), offset, at);
            }
            default -> {
                return false;
            }
        }
    }

    /** {@link #reference} of the first of {@code exprs} that has a selector; offsets and @ of the others untouched. */
    private boolean firstReference(List<Expr> exprs, long[] offset, AtModifier[] at) {
        for (Expr e : exprs) {
            long[] o = {offset[0]};
            AtModifier[] t = {at[0]};
            if (reference(e, o, t)) {
                offset[0] = o[0];
                at[0] = t[0];
                return true;
            }
        }
        return false;
    }

    private static void apply(AtModifier nodeAt, long nodeOffset, long[] offset, AtModifier[] at) {
        if (nodeAt.isSet()) {
            at[0] = nodeAt;
            offset[0] = nodeOffset;
        } else {
            offset[0] += nodeOffset;
        }
    }

    /** The identifying signature of a series for one info metric name. */
    private static Labels signature(String infoName, Labels l) {
        Labels.Builder b = Labels.builder().set(Labels.METRIC_NAME, infoName);
        for (String id : IDENTIFYING) {
            String v = l.get(id);
            if (v != null) {
                b.set(id, v);
            }
        }
        return b.build();
    }

    private Matrix combine(Matrix mat, Matrix infoMat, Set<Labels> ignore, Map<String, List<LabelMatcher>> dataMatchers) {
        Set<String> infoNames = new LinkedHashSet<>();
        for (MatrixSeries s : infoMat.series()) {
            infoNames.add(s.labels.metricName());
        }
        Evaluator.StepCursor base = new Evaluator.StepCursor(mat);
        Evaluator.StepCursor info = new Evaluator.StepCursor(infoMat);
        Evaluator.Assembler asm = ev.assembler();
        boolean allMatchEmpty = dataMatchers.values().stream().flatMap(List::stream).allMatch(LabelMatcher::matchesEmpty);
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            List<Sample> bv = base.at(t);
            List<Sample> iv = info.at(t);
            Map<Labels, Sample> bySig = new HashMap<>();
            for (Sample s : iv) {
                Labels sig = signature(s.labels().metricName(), s.labels());
                Sample existing = bySig.get(sig);
                if (existing == null || existing.f() < s.f()) {
                    bySig.put(sig, s);
                } else if (existing.f() == s.f()) {
                    throw PromQLException.execution("found duplicate series for info metric: existing " + existing.labels()
                            + " @ " + (long) (existing.f() * 1000) + ", new " + s.labels() + " @ " + (long) (s.f() * 1000));
                }
            }
            for (Sample bs : bv) {
                if (ignore.contains(bs.labels())) {
                    asm.add(new Sample(bs.labels(), t, bs.f(), bs.h(), bs.dropName()), t);
                    continue;
                }
                Labels.Builder add = Labels.builder();
                int seen = 0;
                for (String infoName : infoNames) {
                    Sample is = bySig.get(signature(infoName, bs.labels()));
                    if (is == null) {
                        continue;
                    }
                    seen++;
                    Labels il = is.labels();
                    for (int k = 0; k < il.size(); k++) {
                        String n = il.name(k);
                        if (n.equals(Labels.METRIC_NAME) || (!dataMatchers.isEmpty() && !dataMatchers.containsKey(n))) {
                            continue;
                        }
                        String have = add.get(n);
                        if (have != null && !have.equals(il.value(k))) {
                            throw PromQLException.execution("conflicting label: " + n);
                        }
                        if (bs.labels().has(n)) {
                            continue;
                        }
                        add.set(n, il.value(k));
                    }
                }
                if (seen == 0 && !allMatchEmpty) {
                    continue;
                }
                Labels.Builder out = bs.labels().toBuilder();
                add.build().forEach(out::set);
                asm.add(new Sample(out.build(), t, bs.f(), bs.h(), bs.dropName()), t);
            }
        }
        return asm.build();
    }
}
