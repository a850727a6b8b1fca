package dev.sightline.ingest.scrape;

import dev.sightline.ingest.IngestContext;
import dev.sightline.metricstore.Appender;

/**
 * Where scrapes write: one storage {@link Appender} per scrape, committed together (samples, stale markers and
 * report series), and the context its metadata goes to.
 */
@FunctionalInterface
public interface ScrapeStorage {
    /** The appender of one scrape. */
    Appender begin();

    /** Where scraped metadata goes; dropped by default. */
    default IngestContext context() {
        return IngestContext.NONE;
    }
}
