package dev.sightline.tsdb.conformance;

import dev.sightline.metricstore.Storage;
import dev.sightline.tsdb.Tsdb;

/** The delete conformance suite after the head is cut into a block, which drops the deleted samples. */
class TsdbFlushedDeleteConformanceTest extends TsdbDeleteConformanceTest {
    @Override
    protected Storage afterDelete(Storage storage) throws Exception {
        ((Tsdb) storage).flushHead();
        return storage;
    }
}
