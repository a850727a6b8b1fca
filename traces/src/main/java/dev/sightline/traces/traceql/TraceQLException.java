package dev.sightline.traces.traceql;

/**
 * A query TraceQL cannot run: a syntax error, a construct this engine does not implement, or a query that would need
 * more work than the engine allows. Parse errors carry the 1-based line and column ({@code 0, 0} when the problem has
 * no single place, such as an evaluation limit) and say what was found, as Tempo's parser does:
 * {@code parse error at line 1, col 12: unsupported construct "coalesce()"}.
 */
public final class TraceQLException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    TraceQLException(String message, int line, int column) {
        super(line > 0 ? "parse error at line " + line + ", col " + column + ": " + message : message);
        this.line = line;
        this.column = column;
    }

    TraceQLException(String message) {
        this(message, 0, 0);
    }

    /** The 1-based line of the problem, 0 when it has no position. */
    public int line() {
        return line;
    }

    /** The 1-based column of the problem, 0 when it has no position. */
    public int column() {
        return column;
    }
}
