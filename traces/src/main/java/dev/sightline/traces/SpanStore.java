package dev.sightline.traces;

import java.io.Closeable;

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
}
