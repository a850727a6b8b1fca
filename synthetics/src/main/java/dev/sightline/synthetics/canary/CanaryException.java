package dev.sightline.synthetics.canary;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLException;
import java.util.concurrent.TimeoutException;

/** A failed write or read, with the reason it is counted under in {@code sightline_canary_errors_total}. */
public final class CanaryException extends Exception {
    /** The {@code reason} label values. */
    public enum Reason {
        /** No answer within the canary's timeout. */
        TIMEOUT,
        /** Connection refused, host unknown, connection lost. */
        UNREACHABLE,
        /** An HTTP status other than 2xx. */
        BAD_STATUS,
        /** An answer, but no value of this canary in it (empty key, no row, JSONPath or regex without a match). */
        NO_VALUE,
        /** Anything else: the message says what. */
        ERROR;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    public CanaryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The reason of any failure of a client (HTTP, JDBC, Jedis): the first cause in the chain that tells. */
    public static Reason classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CanaryException e) {
                return e.reason;
            }
            // Before ConnectException: the HTTP client reports a request timeout that ran out while connecting as
            // HttpConnectTimeoutException (a timeout, not a refusal).
            if (c instanceof HttpTimeoutException || c instanceof SocketTimeoutException || c instanceof TimeoutException) {
                return Reason.TIMEOUT;
            }
            if (c instanceof ConnectException || c instanceof UnknownHostException || c instanceof NoRouteToHostException) {
                return Reason.UNREACHABLE;
            }
            if (c instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08")) {
                    return Reason.UNREACHABLE; // connection exception class
                }
                if (state.equals("57014")) {
                    return Reason.TIMEOUT; // query_canceled: the statement timeout
                }
                if (state.equals("42P01")) {
                    return Reason.NO_VALUE; // undefined_table: a replica the CREATE TABLE has not reached yet
                }
            }
        }
        return Reason.ERROR;
    }

    /** A one-line description of any failure, for the API and the log. */
    public static String describe(Throwable t) {
        String msg = t.getMessage();
        if (t instanceof CanaryException) {
            return msg;
        }
        Throwable root = t;
        while ((msg == null || msg.isBlank()) && root.getCause() != null) {
            root = root.getCause();
            msg = root.getMessage();
        }
        return root.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + firstLine(msg));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
