package dev.sightline.logs;

import java.io.Closeable;

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
}
