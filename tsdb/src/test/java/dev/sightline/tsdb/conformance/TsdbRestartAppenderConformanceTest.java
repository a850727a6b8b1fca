package dev.sightline.tsdb.conformance;

import dev.sightline.metricstore.Storage;
import dev.sightline.tsdb.Tsdb;

/**
 * The appender conformance suite against the whole database restarted after the first batches: the rules hold
 * against the state rebuilt from the WAL.
 */
class TsdbRestartAppenderConformanceTest extends TsdbAppenderConformanceTest {
    @Override
    protected Storage afterCommit(Storage storage) throws Exception {
        storage.close();
        return Tsdb.open(path, options);
    }
}
