package dev.sightline.traces;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The span storage contract: append through {@link #appender()}, read through {@link #querier()}. Every
 * implementation passes the conformance suite in this module's test-jar ({@code SpanStoreConformanceTest}), so a
 * later distributed backend plugs in the same way. Thread-safe: appenders and queriers may be used from many threads
 * at once (each appender by one thread).
 */
public interface SpanStore extends Closeable {
    /** A new appender for one request. */
    SpanAppender appender();

    /** Reads what was committed; a querier sees every commit that returned before the call it serves began. */
    SpanQuerier querier();

    /**
     * Deletes every span starting in {@code [fromNanos, toNanos]} that meets every condition (as
     * {@link SpanCondition#matches} reads them; none: every span in the range) and returns how many went. Durable when
     * it returns, as a commit is: the spans do not come back after close, open or kill -9. A query running meanwhile
     * sees them or not. A store that cannot delete throws {@link UnsupportedOperationException}.
     */
    default long delete(List<SpanCondition> conditions, long fromNanos, long toNanos) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot delete spans");
    }
}
