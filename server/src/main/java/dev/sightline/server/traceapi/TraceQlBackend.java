package dev.sightline.server.traceapi;

import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.traceql.TraceQLEngine.SearchResult;
import dev.sightline.traces.traceql.TraceQLEngine.Series;
import dev.sightline.traces.traceql.TraceQLEngine.TagValue;

import java.util.List;

/**
 * What the Tempo API needs of a TraceQL engine, over the store's querier of the request. The endpoints parse the
 * HTTP parameters (times in unix nanoseconds, inclusive) and write Tempo's JSON; the engine parses and runs the
 * query. A query it refuses throws {@link dev.sightline.traces.traceql.TraceQLException} (syntax errors name line
 * and column), answered as 400 with the message.
 */
public interface TraceQlBackend {
    /**
     * {@code GET /api/search?q=}: the traces with a spanset matching {@code q}, newest first, at most {@code limit},
     * every spanset with its attributes (by(), count(), ...), matched count and at most {@code spansPerSpanset}
     * spans with the attributes the query named or selected.
     */
    SearchResult search(SpanQuerier store, String q, long fromNanos, long toNanos, int limit, int spansPerSpanset);

    /**
     * {@code GET /api/v2/search/tags?q=}: the attribute names of {@code scope} ("span", "resource"; sorted) on
     * spans matching the spanset filter {@code q}.
     */
    List<String> tagNames(SpanQuerier store, String scope, String q, long fromNanos, long toNanos, int limit);

    /**
     * {@code GET /api/v2/search/tag/{tag}/values?q=}: the distinct values of the TraceQL identifier {@code tag}
     * ({@code resource.service.name}, {@code span.http.method}, {@code .foo}, {@code name}, {@code status}, ...) on
     * spans matching the spanset filter {@code q}, typed as Tempo types them.
     */
    List<TagValue> tagValues(SpanQuerier store, String tag, String q, long fromNanos, long toNanos, int limit);

    /** {@code GET /api/metrics/query_range}: a TraceQL metrics query evaluated at each step in the range. */
    List<Series> metricsQueryRange(SpanQuerier store, String q, long fromNanos, long toNanos, long stepNanos);

    /** {@code GET /api/metrics/query}: a TraceQL metrics query evaluated once over the whole range (one sample). */
    List<Series> metricsQuery(SpanQuerier store, String q, long fromNanos, long toNanos);
}
