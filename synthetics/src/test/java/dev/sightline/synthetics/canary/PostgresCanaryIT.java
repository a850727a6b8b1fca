package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SQL canaries against a real PostgreSQL 15 primary and streaming replica: replay paused makes the replica stale
 * (it keeps answering), and the staleness figure follows the injected delay within one interval; resumed, it falls
 * back. Also the cache-in-front-of-a-database case: written to PostgreSQL, read through an HTTP cache over it.
 */
class PostgresCanaryIT {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static PostgresPeers pg;

    @RegisterExtension
    final CanaryRun run = new CanaryRun();
    private final RecordingAppender store = run.store;
    private final Canaries canaries = run.canaries;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PostgresPeers.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private static CanaryConfig.Sql sql(String url, String table) {
        return new CanaryConfig.Sql(url, "postgres", null, table);
    }

    private static CanaryConfig.Reader sqlReader(String name, String url, String table) {
        return new CanaryConfig.Reader(name, null, null, sql(url, table), null);
    }

    private double last(String metric, String reader) {
        RecordingAppender.Sample s = store.last(metric, "reader", reader);
        return s == null ? Double.NaN : s.value();
    }

    @Test
    void pausedReplicationMakesTheReplicaStaleByTheInjectedDelay() throws Exception {
        String table = "canary_replication";
        canaries.apply(List.of(new CanaryConfig("orders-db", INTERVAL, INTERVAL,
                new CanaryConfig.Write(null, sql(pg.primaryUrl(), table), null),
                List.of(sqlReader("primary", pg.primaryUrl(), table), sqlReader("replica", pg.replicaUrl(), table)))));
        run.awaitFresh("replica", 20);
        // The table was created on the primary and reached the replica through replication.
        assertThat(PostgresPeers.query(pg.replicaUrl(), "SELECT count(*) FROM " + table)).isNotEqualTo("0");

        long paused = System.currentTimeMillis();
        pg.pauseReplay();
        try {
            Thread.sleep(5000);
            RecordingAppender.Sample stale = run.assertStalenessTracks("replica", paused, INTERVAL);
            assertThat(stale.timestampMs() - paused).isGreaterThan(3500);
            assertThat(last(CanaryMetrics.MISSING, "replica")).isGreaterThanOrEqualTo(3);
            // The primary is current all along.
            assertThat(last(CanaryMetrics.STALENESS, "primary")).isLessThan(0.5);
            assertThat(last(CanaryMetrics.MISSING, "primary")).isZero();
            CanaryStatus.ReaderStatus replica = canaries.status().get(0).readers().get(1);
            assertThat(replica.stalenessSeconds()).isGreaterThan(3.0);
            assertThat(replica.lastError()).isNull(); // a stale replica answers fine: that is the point
        } finally {
            pg.resumeReplay();
        }
        long resumed = System.currentTimeMillis();
        Poll.until(5, "the replica fresh again", () -> {
            RecordingAppender.Sample s = store.last(CanaryMetrics.STALENESS, "reader", "replica");
            return s.timestampMs() > resumed && s.value() < 0.5;
        });
        // Old rows are cleaned: only the newest few of the canary stay.
        assertThat(Integer.parseInt(PostgresPeers.query(pg.primaryUrl(), "SELECT count(*) FROM " + table)))
                .isLessThanOrEqualTo(SqlTarget.KEEP_ROWS);
    }

    @Test
    void aCacheInFrontOfTheDatabaseThatStopsRefreshingIsCaughtWithinTwoIntervals() throws Exception {
        String table = "canary_cache";
        try (StaleCacheApp app = StaleCacheApp.over(() -> PostgresPeers.query(pg.primaryUrl(),
                "SELECT value FROM " + table + " ORDER BY id DESC LIMIT 1"), 50)) {
            canaries.apply(List.of(new CanaryConfig("product-cache", INTERVAL, INTERVAL,
                    new CanaryConfig.Write(null, sql(pg.primaryUrl(), table), null),
                    List.of(new CanaryConfig.Reader("cache", null,
                            new CanaryConfig.Http(null, app.url("/cache"), null, null, "\"value\": \"([^\"]*)\""), null, null)))));
            run.awaitFresh("cache", 20);
            long broken = System.currentTimeMillis();
            app.breakInvalidation();
            run.assertCaughtWithinTwoIntervals("cache", broken, INTERVAL);
            Thread.sleep(3000);
            run.assertStalenessTracks("cache", broken, INTERVAL);
        }
    }
}
