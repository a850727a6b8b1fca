package dev.sightline.tsdb.conformance;

import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.TenantView;
import dev.sightline.metricstore.conformance.AppenderConformanceTest;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The appender conformance suite through one tenant's view: tagging keeps every appender rule. */
class TenantViewAppenderConformanceTest extends AppenderConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected Storage open(long outOfOrderWindowMs) throws Exception {
        Tsdb db = Tsdb.open(dir.resolve("db" + System.nanoTime()), TsdbOptions.defaults()
                .withFsyncPolicy(FsyncPolicy.NEVER).withOutOfOrderWindowMs(outOfOrderWindowMs));
        closeAfterTest(db);
        return TenantView.storage(db, "a");
    }
}
