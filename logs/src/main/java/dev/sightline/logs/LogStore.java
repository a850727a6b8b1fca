package dev.sightline.logs;

import dev.sightline.core.Deadline;

import java.io.Closeable;
import java.io.IOException;

/**
 * The log storage contract: append through {@link #appender()}, read through {@link #querier()}. Every
 * implementation passes the conformance suite in this module's test-jar ({@code LogStoreConformanceTest}).
 * Thread-safe: appenders and queriers may be used from many threads at once (each appender by one thread).
 */
public interface LogStore extends Closeable {
    /** A new appender for one request. */
    LogAppender appender();

    /** Reads what was committed; a querier sees every commit that returned before the call it serves began. */
    LogQuerier querier();

    /**
     * Deletes every line meeting {@code selection} as {@link LogSelection#matches} reads it (range, stream matchers,
     * line filters, field conditions; its order and limit do not matter) and returns how many went. Durable when it
     * returns, as a commit is: the lines do not come back after close, open or kill -9. A query running meanwhile sees
     * them or not. A store that cannot delete throws {@link UnsupportedOperationException}.
     */
    default long delete(LogSelection selection) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot delete lines");
    }

    /**
     * As {@link #querier()}, stopping at {@code deadline}: select and samples end with {@link Deadline.Exceeded} once
     * it has expired, checked as the store reads lines whether they pass the selection or not (a filter that rejects
     * every line must stop too), and the listings check it before they start. This default checks only the lines
     * handed out ({@link DeadlineLogQuerier}); a store whose scan can check it overrides this.
     */
    default LogQuerier querier(Deadline deadline) {
        return new DeadlineLogQuerier(querier(), deadline);
    }
}
