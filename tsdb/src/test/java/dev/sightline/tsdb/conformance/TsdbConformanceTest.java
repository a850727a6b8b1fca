package dev.sightline.tsdb.conformance;

import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.conformance.ConformanceData.Sample;
import dev.sightline.metricstore.conformance.ConformanceData.SeriesData;
import dev.sightline.metricstore.conformance.QuerierConformanceTest;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read conformance suite against the whole database, with the older half of the data persisted into blocks (one
 * hour each) and the newer half in the head, so every query merges blocks and head.
 */
class TsdbConformanceTest extends QuerierConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected Querier createQuerier(List<SeriesData> data, long mint, long maxt) throws Exception {
        List<Long> times = new ArrayList<>();
        data.forEach(s -> s.samples().forEach(x -> times.add(x.t())));
        times.sort(null);
        long split = times.get(times.size() / 2);
        Path path = dir.resolve("db" + System.nanoTime());
        TsdbOptions options = TsdbOptions.defaults().withBlockDurationMs(3600_000L).withFsyncPolicy(FsyncPolicy.NEVER);
        Tsdb db = Tsdb.open(path, options);
        closeAfterTest(db);
        append(db, data, Long.MIN_VALUE, split);
        db.flushHead();
        assertThat(db.blocks()).isNotEmpty();
        append(db, data, split, Long.MAX_VALUE);
        db = reopen(db, path, options);
        closeAfterTest(db);
        return db.querier(mint, maxt);
    }

    /** The database to query once the data is in: this suite queries the one it wrote. */
    Tsdb reopen(Tsdb db, Path path, TsdbOptions options) throws Exception {
        return db;
    }

    /** Appends the samples in [from, to). */
    private static void append(Tsdb db, List<SeriesData> data, long from, long to) throws Exception {
        Appender app = db.appender();
        for (SeriesData s : data) {
            for (Sample x : s.samples()) {
                if (x.t() >= from && x.t() < to) {
                    if (x.h() == null) {
                        app.append(0, s.labels(), x.st(), x.t(), x.v());
                    } else {
                        app.appendHistogram(0, s.labels(), x.st(), x.t(), x.h());
                    }
                }
            }
        }
        app.commit();
    }
}
