package dev.sightline.tsdb.conformance;

import dev.sightline.metricstore.Storage;
import dev.sightline.tsdb.Tsdb;

/** The delete conformance suite after a clean restart: the head's deleted intervals come back from the head snapshot. */
class TsdbRestartDeleteConformanceTest extends TsdbDeleteConformanceTest {
    @Override
    protected Storage afterDelete(Storage storage) throws Exception {
        storage.close();
        return Tsdb.open(path, options);
    }
}
