package dev.sightline.tsdb.conformance;

import dev.sightline.core.LabelLimits;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.conformance.ConformanceData.Sample;
import dev.sightline.metricstore.conformance.ConformanceData.SeriesData;
import dev.sightline.metricstore.conformance.QuerierConformanceTest;
import dev.sightline.tsdb.head.Head;

import java.util.List;

/** The read conformance suite against the in-memory head alone. */
class HeadConformanceTest extends QuerierConformanceTest {
    @Override
    protected Querier createQuerier(List<SeriesData> data, long mint, long maxt) throws Exception {
        Head head = new Head(LabelLimits.DEFAULT, 2 * 3600_000L, 0, null);
        Appender app = head.appender();
        for (SeriesData s : data) {
            long ref = 0;
            for (Sample x : s.samples()) {
                ref = x.h() == null ? app.append(ref, s.labels(), x.st(), x.t(), x.v())
                        : app.appendHistogram(ref, s.labels(), x.st(), x.t(), x.h());
            }
        }
        app.commit();
        return head.querier(mint, maxt);
    }
}
