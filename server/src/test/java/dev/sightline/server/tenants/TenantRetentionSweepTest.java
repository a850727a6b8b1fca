package dev.sightline.server.tenants;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.TenantScope;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.TenantView;
import dev.sightline.metricstore.ValueType;
import dev.sightline.server.RunningServer;
import dev.sightline.tsdb.Tsdb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The server sweeps tenants' metric retention at start: the samples are deleted from storage, not only hidden. */
class TenantRetentionSweepTest {
    private static final long MINUTE = 60_000L;

    @TempDir
    Path dir;

    @RegisterExtension
    final RunningServer server = new RunningServer();

    /** The oldest sample of the tenant's series in the shared storage, past any read-side cutoff. */
    private static long oldest(Tsdb db, String tenant) {
        long oldest = Long.MAX_VALUE;
        try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet ss = q.select(false, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq(TenantScope.LABEL, tenant));
            SampleIterator it = null;
            while (ss.next()) {
                it = ss.at().iterator(it);
                if (it.next() != ValueType.NONE) {
                    oldest = Math.min(oldest, it.timestamp());
                }
            }
        }
        return oldest;
    }

    @Test
    void aTenantsSamplesPastItsRetentionAreDeletedAtStart() throws Exception {
        server.start(dir, """
                tenants:
                  multitenancy_enabled: true
                  overrides:
                    a: {compactor_blocks_retention_period: 1h}
                """);
        long now = System.currentTimeMillis();
        long start = (now - 3 * 60 * MINUTE) / MINUTE * MINUTE;
        for (String tenant : new String[]{"a", "b"}) {
            Appender app = TenantView.storage(server.storage(), tenant).appender();
            for (long t = start; t < now; t += MINUTE) {
                app.append(0, Labels.of("__name__", "m"), t, 1);
            }
            app.commit();
        }
        assertThat(oldest(server.storage(), "a")).isEqualTo(start);
        server.restart();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (oldest(server.storage(), "a") < now - 60 * MINUTE && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(oldest(server.storage(), "a")).isBetween(now - 60 * MINUTE, now);
        assertThat(oldest(server.storage(), "b")).isEqualTo(start);
    }
}
