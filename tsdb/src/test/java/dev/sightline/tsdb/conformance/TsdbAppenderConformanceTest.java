package dev.sightline.tsdb.conformance;

import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.conformance.AppenderConformanceTest;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The appender conformance suite against the whole database (WAL, head, chunk files). */
class TsdbAppenderConformanceTest extends AppenderConformanceTest {
    @TempDir
    Path dir;
    Path path;
    TsdbOptions options;

    @Override
    protected Storage open(long outOfOrderWindowMs) throws Exception {
        path = dir.resolve("db" + System.nanoTime());
        options = TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withOutOfOrderWindowMs(outOfOrderWindowMs);
        return Tsdb.open(path, options);
    }
}
