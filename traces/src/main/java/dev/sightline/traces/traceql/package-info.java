/**
 * TraceQL, Tempo's trace query language, over the span store contract ({@link dev.sightline.traces.SpanQuerier}).
 *
 * <p>{@link dev.sightline.traces.traceql.TraceQL#parse} reads Tempo's grammar. Spanset filters {@code { ... }} over
 * intrinsics ({@code name status statusMessage kind duration rootName rootServiceName traceDuration}, the scoped
 * {@code span: trace: instrumentation:} forms, {@code span:id span:parentID span:childCount trace:id}, and
 * {@code nestedSetLeft nestedSetRight nestedSetParent}, which Grafana's Traces Drilldown asks as
 * {@code nestedSetParent < 0} for root spans) and attributes ({@code span.x resource.x .x instrumentation.x}, quoted
 * names). {@code event.x link.x event:name event:timeSinceStart link:traceID link:spanID} go in comparisons with a
 * literal: true when one of the span's events or links passes, for {@code != !~} when it has some and none is equal.
 * Literals: strings, integers, floats, durations, {@code ok error unset}, kinds, {@code true false nil minInt maxInt}.
 * Comparisons {@code = != > >= < <= =~ !~}, arithmetic, {@code && || !}; spanset operators {@code && ||} and the
 * structural {@code > >> < << ~} with their {@code !} and {@code &} flavours; pipelines of filters,
 * {@code count() avg() min() max() sum()} comparisons, {@code by() select() coalesce()}; metrics {@code rate
 * count_over_time min|max|avg|sum_over_time quantile_over_time histogram_over_time} with {@code by(...)},
 * {@code compare(filter, topN, start, end)}, and a {@code topk/bottomk} stage. {@code with(...)} hints are accepted and ignored (answers are exact, never sampled).
 *
 * <p>Refused with the position and the construct named: {@code parent.} attributes, event and link fields outside a
 * comparison with a literal (in arithmetic, {@code by()}, aggregates), scalar comparisons of two pipelines, and queries that would silently match nothing (a filter that is not a condition, an intrinsic compared
 * with a literal of another type, an order operator on status or kind).
 *
 * <p>{@link dev.sightline.traces.traceql.TraceQLEngine} runs queries: see its comment for how conditions reach the
 * store's index, how limits are kept honest, and which spans a time range lets match.
 */
package dev.sightline.traces.traceql;
