package dev.sightline.logs.logql;

/**
 * A LogQL query that cannot be run: it does not parse (the message names the position), uses something not
 * implemented (the message names it), or fails while running (a limit reached). What the HTTP API answers with
 * 400 and the message.
 */
public final class LogQlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LogQlException(String message) {
        super(message);
    }

    public LogQlException(String message, Throwable cause) {
        super(message, cause);
    }
}
