package dev.sightline.tsdb.conformance;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.TenantView;
import dev.sightline.metricstore.conformance.ConformanceData.Sample;
import dev.sightline.metricstore.conformance.ConformanceData.SeriesData;
import dev.sightline.metricstore.conformance.QuerierConformanceTest;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * The read conformance suite through one tenant's view of a database that also holds another tenant's series (the
 * same data with a label of its own and other values) and untenanted ones: any of them leaking into the view would
 * break the suite's exact answers.
 */
class TenantViewConformanceTest extends QuerierConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected Querier createQuerier(List<SeriesData> data, long mint, long maxt) throws Exception {
        Tsdb db = Tsdb.open(dir.resolve("db" + System.nanoTime()), TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER));
        closeAfterTest(db);
        append(TenantView.storage(db, "a"), data, Labels.EMPTY, 0);
        append(TenantView.storage(db, "b"), data, Labels.of("other_tenant", "b"), 1000);
        append(db, data, Labels.of("untenanted", "yes"), 2000);
        return TenantView.storage(db, "a").querier(mint, maxt);
    }

    /** Appends every series with {@code extra} labels and {@code offset} added to float values (none: NaN payloads kept). */
    private static void append(Storage s, List<SeriesData> data, Labels extra, double offset) throws Exception {
        Appender app = s.appender();
        for (SeriesData d : data) {
            Labels.Builder b = d.labels().toBuilder();
            extra.forEach(b::set);
            Labels l = b.build();
            for (Sample x : d.samples()) {
                if (x.h() == null) {
                    app.append(0, l, x.st(), x.t(), offset == 0 ? x.v() : x.v() + offset);
                } else {
                    app.appendHistogram(0, l, x.st(), x.t(), x.h());
                }
            }
        }
        app.commit();
    }
}
