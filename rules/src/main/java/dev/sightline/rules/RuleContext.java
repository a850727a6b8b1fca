package dev.sightline.rules;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Queryable;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.engine.DetectorCache;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Scalar;
import dev.sightline.promql.engine.Value;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a rule needs to evaluate: the engine, what it reads, the group's query offset, the external labels, the
 * store's out-of-order window (how far back samples may still arrive, re-read by the rules' detector state) and the
 * evaluators of the other query languages by their {@code query_language} name.
 */
public record RuleContext(Engine engine, Queryable queryable, long queryOffsetMs, Map<String, String> externalLabels,
                          long outOfOrderWindowMs, Map<String, RuleLanguage> languages) {
    /** Runs an instant query like Prometheus's EngineQueryFunc: a scalar becomes a one-sample vector without labels. */
    public List<Sample> query(Expr expr, long tsMs) {
        return query(expr, tsMs, null);
    }

    /**
     * Runs a rule's expression at {@code tsMs} less the query offset: PromQL on the engine (detector state in
     * {@code cache}), another language on its evaluator.
     */
    public List<Sample> query(RuleExpr expr, long tsMs, DetectorCache cache) {
        return switch (expr) {
            case RuleExpr.PromQl p -> query(p.expr(), tsMs, cache);
            case RuleExpr.External e -> {
                RuleLanguage language = languages.get(e.language());
                if (language == null) {
                    throw new IllegalStateException("no evaluator for query_language " + e.language());
                }
                yield language.query(e.text(), tsMs - queryOffsetMs);
            }
        };
    }

    /** {@link #query(Expr, long)} keeping detector state in {@code cache} (a rule's own; null: stateless). */
    public List<Sample> query(Expr expr, long tsMs, DetectorCache cache) {
        Value v = engine.instant(queryable, expr, tsMs - queryOffsetMs, cache).value();
        return switch (v) {
            case Vector vec -> vec.samples();
            case Scalar s -> List.of(new Sample(Labels.EMPTY, s.t(), s.v()));
            default -> throw new IllegalStateException("rule result is not a vector or scalar");
        };
    }

    /** The {@code query} of annotation templates: a PromQL text run as the rule's own expression is. */
    public List<Template.QuerySample> templateQuery(String promql, long tsMs) throws ParseException {
        List<Template.QuerySample> out = new ArrayList<>();
        for (Sample s : query(PromQLParser.parseExpr(promql), tsMs)) {
            out.add(new Template.QuerySample(s.labels(), s.f()));
        }
        return out;
    }
}
