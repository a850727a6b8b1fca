package dev.sightline.tsdb.conformance;

import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.conformance.DeleteConformanceTest;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The delete conformance suite against the whole database, the deletes in its head (WAL tombstone records). */
class TsdbDeleteConformanceTest extends DeleteConformanceTest {
    @TempDir
    Path dir;
    Path path;
    TsdbOptions options = TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER);

    @Override
    protected Storage open() throws Exception {
        path = dir.resolve("db" + System.nanoTime());
        return Tsdb.open(path, options);
    }
}
