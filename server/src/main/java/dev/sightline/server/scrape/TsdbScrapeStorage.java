package dev.sightline.server.scrape;

import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.scrape.ScrapeStorage;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Storage;
import dev.sightline.server.ingest.IngestGuards;

/**
 * A scrape's batch is one tsdb appender: the whole scrape is committed (WAL, then visible) at once, its exemplars
 * after it. Samples, metadata and exemplars pass the ingest guards (series-per-metric limit, metadata and exemplar
 * stores) shared with the other protocols.
 */
final class TsdbScrapeStorage implements ScrapeStorage {
    static final String PROTOCOL = "scrape";

    private final Storage storage;
    private final IngestGuards guards;

    TsdbScrapeStorage(Storage storage, IngestGuards guards) {
        this.storage = storage;
        this.guards = guards;
    }

    @Override
    public Appender begin() {
        return guards.begin(storage.appender(), PROTOCOL);
    }

    @Override
    public IngestContext context() {
        return guards.context();
    }
}
