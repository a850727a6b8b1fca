package dev.sightline.tsdb.conformance;

import dev.sightline.core.LabelLimits;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.conformance.AppenderConformanceTest;
import dev.sightline.tsdb.head.Head;

/** The appender conformance suite against the in-memory head alone. */
class HeadAppenderConformanceTest extends AppenderConformanceTest {
    @Override
    protected Storage open(long outOfOrderWindowMs) {
        Head head = new Head(LabelLimits.DEFAULT, 2 * 3600_000L, outOfOrderWindowMs, null);
        return new Storage() {
            @Override
            public Appender appender() {
                return head.appender();
            }

            @Override
            public Querier querier(long mint, long maxt) {
                return head.querier(mint, maxt);
            }

            @Override
            public void close() {
            }
        };
    }
}
