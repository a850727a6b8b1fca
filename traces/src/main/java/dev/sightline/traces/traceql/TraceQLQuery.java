package dev.sightline.traces.traceql;

/**
 * A parsed TraceQL query: a spanset pipeline, and for a metrics query the metrics function that ends it. Made by
 * {@link TraceQL#parse}; run by {@link TraceQLEngine}.
 */
public final class TraceQLQuery {
    private final String text;
    private final Ast.Pipeline pipeline;
    private final Ast.Metrics metrics;

    TraceQLQuery(String text, Ast.Pipeline pipeline, Ast.Metrics metrics) {
        this.text = text;
        this.pipeline = pipeline;
        this.metrics = metrics;
    }

    /** The query as written. */
    public String text() {
        return text;
    }

    /** Whether the query ends with a metrics function (rate(), count_over_time(), ...), for queryRange. */
    public boolean isMetrics() {
        return metrics != null;
    }

    Ast.Pipeline pipeline() {
        return pipeline;
    }

    Ast.Metrics metrics() {
        return metrics;
    }

    /** The canonical form: fully parenthesised, every literal and name as TraceQL writes it. */
    @Override
    public String toString() {
        return pipeline.inner() + (metrics == null ? "" : " | " + metrics);
    }
}
