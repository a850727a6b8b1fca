package dev.sightline.metricstore;

import java.io.Closeable;

/**
 * The metric storage SPI: append, select, close. The embedded database is one implementation; a distributed one may
 * follow. Every implementation passes both conformance suites of this module's test-jar (QuerierConformanceTest,
 * AppenderConformanceTest); a read-only one (a persisted block) only the first.
 */
public interface Storage extends Queryable, Closeable {
    Appender appender();
}
