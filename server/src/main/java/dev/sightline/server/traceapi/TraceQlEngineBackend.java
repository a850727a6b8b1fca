package dev.sightline.server.traceapi;

import dev.sightline.server.traceapi.TraceParams.BadRequest;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.traceql.TraceQL;
import dev.sightline.traces.traceql.TraceQLEngine;
import dev.sightline.traces.traceql.TraceQLEngine.SearchResult;
import dev.sightline.traces.traceql.TraceQLEngine.Series;
import dev.sightline.traces.traceql.TraceQLEngine.TagScope;
import dev.sightline.traces.traceql.TraceQLEngine.TagValue;
import dev.sightline.traces.traceql.TraceQLQuery;

import java.util.List;

/**
 * The TraceQL engine behind Tempo's API: each request parses its query and runs a {@link TraceQLEngine} over the
 * querier of that request (an engine holds no state beyond its querier). Arguments the engine refuses as illegal
 * (too many steps) answer 400 naming the parameter.
 */
public final class TraceQlEngineBackend implements TraceQlBackend {
    private final int maxTraces;

    /** @param maxTraces the bound on candidate traces one query may evaluate */
    public TraceQlEngineBackend(int maxTraces) {
        this.maxTraces = maxTraces;
    }

    public TraceQlEngineBackend() {
        this(TraceQLEngine.DEFAULT_MAX_TRACES);
    }

    @Override
    public SearchResult search(SpanQuerier store, String q, long fromNanos, long toNanos, int limit,
                               int spansPerSpanset) {
        return engine(store).search(TraceQL.parse(q), fromNanos, toNanos, limit, spansPerSpanset);
    }

    @Override
    public List<String> tagNames(SpanQuerier store, String scope, String q, long fromNanos, long toNanos,
                                 int limit) {
        TagScope s = switch (scope) {
            case "span" -> TagScope.SPAN;
            case "resource" -> TagScope.RESOURCE;
            default -> throw BadRequest.param("scope", "tag names by a query are of scope span or resource, not \""
                    + scope + "\"");
        };
        return engine(store).tagNames(s, filter(q), fromNanos, toNanos, limit);
    }

    @Override
    public List<TagValue> tagValues(SpanQuerier store, String tag, String q, long fromNanos, long toNanos,
                                    int limit) {
        TagScope scope;
        String key;
        if (tag.startsWith("resource.") && tag.length() > 9) {
            scope = TagScope.RESOURCE;
            key = tag.substring(9);
        } else if (tag.startsWith("span.") && tag.length() > 5) {
            scope = TagScope.SPAN;
            key = tag.substring(5);
        } else if (tag.startsWith(".") && tag.length() > 1) {
            scope = TagScope.ANY;
            key = tag.substring(1);
        } else {
            scope = TagScope.INTRINSIC;
            // Grafana's older scoped spelling of the root intrinsics.
            key = switch (tag) {
                case "trace:rootService" -> "rootServiceName";
                case "trace:rootName" -> "rootName";
                default -> tag;
            };
        }
        return engine(store).tagValues(scope, key, filter(q), fromNanos, toNanos, limit);
    }

    @Override
    public List<Series> metricsQueryRange(SpanQuerier store, String q, long fromNanos, long toNanos, long stepNanos) {
        TraceQLQuery query = TraceQL.parse(q);
        try {
            return engine(store).queryRange(query, fromNanos, toNanos, stepNanos);
        } catch (IllegalArgumentException e) {
            throw BadRequest.param("step", e.getMessage());
        }
    }

    @Override
    public List<Series> metricsQuery(SpanQuerier store, String q, long fromNanos, long toNanos) {
        return engine(store).queryInstant(TraceQL.parse(q), fromNanos, toNanos);
    }

    private TraceQLEngine engine(SpanQuerier store) {
        return new TraceQLEngine(store, maxTraces);
    }

    /** A tag filter: none for {@code {}} or an empty q (every span). */
    private static TraceQLQuery filter(String q) {
        return TempoApi.matchesAll(q) ? null : TraceQL.parse(q);
    }
}
