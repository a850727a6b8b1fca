package dev.sightline.metricstore;

import java.io.Closeable;

/** The storage SPI: append, select, close. The embedded database is one implementation; a distributed one may follow. */
public interface Storage extends Queryable, Closeable {
    Appender appender();
}
