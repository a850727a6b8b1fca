package dev.sightline.server.rules;

import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.logql.LogQlEngine;
import dev.sightline.logs.logql.LogQlEvaluator;
import dev.sightline.logs.logql.LogQlException;
import dev.sightline.logs.logql.LogQlResult;
import dev.sightline.promql.engine.Sample;
import dev.sightline.rules.RuleFileParser;
import dev.sightline.rules.RuleLanguage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Log rules ({@code query_language: logql}): LogQL metric queries run by the LogQL engine over the log store at
 * each evaluation, as Loki's ruler runs them. A rule is checked at load by running it over an empty store, which
 * parses it and refuses a log query (lines, not numbers) before it ever runs.
 */
public final class LogQlRules implements RuleLanguage {
    /** Time in nanoseconds per millisecond: rules count in ms, LogQL in ns. */
    private static final long NANOS_PER_MS = 1_000_000L;

    private final Supplier<? extends LogQuerier> querier;

    /** {@code querier} gives a reader of the log store for each evaluation. */
    public LogQlRules(Supplier<? extends LogQuerier> querier) {
        this.querier = querier;
    }

    /** The rule languages beyond PromQL: LogQL over the log store {@code querier} reads. */
    public static Map<String, RuleLanguage> languages(Supplier<? extends LogQuerier> querier) {
        return Map.of(RuleFileParser.LOGQL, new LogQlRules(querier));
    }

    @Override
    public void check(String expr) throws InvalidExpression {
        try (InMemoryLogStore empty = new InMemoryLogStore()) {
            samples(new LogQlEvaluator(empty.querier()), expr, 0);
        } catch (LogQlException | NotAMetricQuery e) {
            throw new InvalidExpression(e.getMessage());
        }
    }

    @Override
    public List<Sample> query(String expr, long tsMs) {
        return samples(new LogQlEvaluator(querier.get()), expr, tsMs);
    }

    private static List<Sample> samples(LogQlEngine engine, String expr, long tsMs) {
        // A limit of one line: a metric query ignores it, and a log query only has to show it is one.
        LogQlResult result = engine.instant(expr, tsMs * NANOS_PER_MS, LogSelection.Direction.BACKWARD, 1);
        return switch (result) {
            case LogQlResult.Vector v -> {
                List<Sample> out = new ArrayList<>(v.samples().size());
                for (LogQlResult.Sample s : v.samples()) {
                    out.add(new Sample(s.labels(), tsMs, s.value()));
                }
                yield out;
            }
            case LogQlResult.Scalar s -> List.of(new Sample(Labels.EMPTY, tsMs, s.value()));
            case LogQlResult.Streams ignored -> throw new NotAMetricQuery("log query is not a metric query: a rule "
                    + "needs numbers, for example count_over_time(...) or rate(...) around the selector");
            case LogQlResult.Matrix ignored -> throw new IllegalStateException("the LogQL engine answered an instant "
                    + "query with a matrix");
        };
    }

    /** A rule whose LogQL gives lines: refused at load, and an evaluation error if it gets past. */
    private static final class NotAMetricQuery extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NotAMetricQuery(String message) {
            super(message);
        }
    }
}
