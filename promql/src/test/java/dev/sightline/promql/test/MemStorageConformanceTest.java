package dev.sightline.promql.test;

import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.conformance.AppenderConformanceTest;
import dev.sightline.metricstore.conformance.ConformanceData.Sample;
import dev.sightline.metricstore.conformance.ConformanceData.SeriesData;
import dev.sightline.metricstore.conformance.QuerierConformanceTest;
import org.junit.jupiter.api.Nested;

import java.util.List;

/** The test storage the engine and runner tests use keeps to the storage contract: both conformance suites. */
class MemStorageConformanceTest {
    @Nested
    class Reads extends QuerierConformanceTest {
        @Override
        protected Querier createQuerier(List<SeriesData> data, long mint, long maxt) throws Exception {
            MemStorage storage = new MemStorage();
            Appender app = storage.appender();
            for (SeriesData s : data) {
                for (Sample x : s.samples()) {
                    if (x.h() == null) {
                        app.append(0, s.labels(), x.st(), x.t(), x.v());
                    } else {
                        app.appendHistogram(0, s.labels(), x.st(), x.t(), x.h());
                    }
                }
            }
            app.commit();
            return storage.querier(mint, maxt);
        }
    }

    @Nested
    class Appends extends AppenderConformanceTest {
        @Override
        protected Storage open(long outOfOrderWindowMs) {
            return new MemStorage(outOfOrderWindowMs);
        }
    }
}
