package dev.sightline.tsdb.conformance;

import dev.sightline.core.LabelMatcher;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Deletable;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.TenantView;
import dev.sightline.metricstore.conformance.DeleteConformanceTest;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/** The delete conformance suite through one tenant's view: scoping keeps every delete rule. */
class TenantViewDeleteConformanceTest extends DeleteConformanceTest {
    @TempDir
    Path dir;

    /** Tenant a's view: its storage and its deletes. */
    private record View(Storage storage, Deletable deletable) implements Storage, Deletable {
        @Override
        public Appender appender() {
            return storage.appender();
        }

        @Override
        public Querier querier(long mint, long maxt) {
            return storage.querier(mint, maxt);
        }

        @Override
        public void deleteSeries(long mint, long maxt, LabelMatcher... matchers) throws IOException {
            deletable.deleteSeries(mint, maxt, matchers);
        }

        @Override
        public void cleanTombstones() throws IOException {
            deletable.cleanTombstones();
        }

        @Override
        public void close() {
        }
    }

    @Override
    protected Storage open() throws Exception {
        Tsdb db = Tsdb.open(dir.resolve("db" + System.nanoTime()), TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER));
        closeAfterTest(db);
        return new View(TenantView.storage(db, "a"), TenantView.deletable(db, "a"));
    }
}
