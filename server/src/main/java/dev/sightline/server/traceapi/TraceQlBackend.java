package dev.sightline.server.traceapi;

import dev.sightline.traces.TraceSummary;

import java.util.List;

/**
 * What the Tempo API needs of a TraceQL engine. The endpoints parse the HTTP parameters (times in unix nanoseconds,
 * inclusive) and write Tempo's JSON; the engine parses and runs the query. Every method throws
 * {@link TraceQlException} for a query it refuses (syntax, or a construct not implemented: the message names it),
 * answered as 400 with the message.
 */
public interface TraceQlBackend {
    /**
     * {@code GET /api/search?q=}: the traces with a spanset matching {@code q}, newest first, at most {@code limit},
     * each with at most {@code spansPerSpanset} matched spans ({@link TraceSummary#matchedCount()} counts them all).
     */
    List<TraceSummary> search(String q, long fromNanos, long toNanos, int limit, int spansPerSpanset);

    /**
     * {@code GET /api/v2/search/tags?q=}: the attribute names of {@code scope} ("span", "resource"; sorted) on
     * spans matching the spanset filter {@code q}.
     */
    List<String> tagNames(String scope, String q, long fromNanos, long toNanos, int limit);

    /**
     * {@code GET /api/v2/search/tag/{tag}/values?q=}: the distinct values of the TraceQL identifier {@code tag}
     * ({@code resource.service.name}, {@code span.http.method}, {@code .foo}, {@code name}, {@code status}, ...) on
     * spans matching the spanset filter {@code q}, typed as Tempo types them.
     */
    List<TagValue> tagValues(String tag, String q, long fromNanos, long toNanos, int limit);

    /** {@code GET /api/metrics/query_range}: a TraceQL metrics query evaluated at each step in the range. */
    List<RangeSeries> metricsQueryRange(String q, long fromNanos, long toNanos, long stepNanos);

    /** {@code GET /api/metrics/query}: a TraceQL metrics query evaluated once over the whole range. */
    List<InstantSeries> metricsQuery(String q, long fromNanos, long toNanos);

    /** A value with Tempo's type name: "string", "int", "float", "bool", "duration", "keyword" (status, kind). */
    record TagValue(String type, String value) {
    }

    /** A series label: the attribute or intrinsic and its value (String, Long, Double or Boolean). */
    record Label(String key, Object value) {
    }

    /** One series of a range query: parallel arrays of unix milliseconds and values. */
    record RangeSeries(List<Label> labels, long[] timestampsMs, double[] values) {
        public RangeSeries {
            if (timestampsMs.length != values.length) {
                throw new IllegalArgumentException("timestamps and values differ in length");
            }
            labels = List.copyOf(labels);
        }
    }

    /** One series of an instant query. */
    record InstantSeries(List<Label> labels, double value) {
        public InstantSeries {
            labels = List.copyOf(labels);
        }
    }

    /** A query the engine refuses; the message is the answer's body. */
    final class TraceQlException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TraceQlException(String message) {
            super(message);
        }
    }

    /** Until the TraceQL engine is wired: every TraceQL request answers 400 saying so, never a made-up result. */
    TraceQlBackend UNAVAILABLE = new TraceQlBackend() {
        private static final String MESSAGE = "TraceQL is not available yet";

        @Override
        public List<TraceSummary> search(String q, long fromNanos, long toNanos, int limit, int spansPerSpanset) {
            throw new TraceQlException(MESSAGE);
        }

        @Override
        public List<String> tagNames(String scope, String q, long fromNanos, long toNanos, int limit) {
            throw new TraceQlException(MESSAGE);
        }

        @Override
        public List<TagValue> tagValues(String tag, String q, long fromNanos, long toNanos, int limit) {
            throw new TraceQlException(MESSAGE);
        }

        @Override
        public List<RangeSeries> metricsQueryRange(String q, long fromNanos, long toNanos, long stepNanos) {
            throw new TraceQlException(MESSAGE);
        }

        @Override
        public List<InstantSeries> metricsQuery(String q, long fromNanos, long toNanos) {
            throw new TraceQlException(MESSAGE);
        }
    };
}
