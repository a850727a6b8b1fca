package dev.sightline.traces.traceql;

/** TraceQL, Tempo's trace query language: the entry point for parsing. */
public final class TraceQL {
    private TraceQL() {
    }

    /**
     * Parses a query; throws {@link TraceQLException} with the 1-based line and column and what was found for a
     * syntax error or a construct this engine does not implement.
     */
    public static TraceQLQuery parse(String query) {
        TraceQLQuery q = Parser.parse(query);
        Compiler.check(q);
        return q;
    }
}
