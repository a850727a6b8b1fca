package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.sightline.synthetics.canary.CanaryConfigTest.http;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Canaries in real time against the in-test app (a database with a cache in front), on one-second rounds: the seed's
 * stale cache caught, a hanging reader bounded by the timeout, counters that survive a reload.
 */
class CanariesTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    @RegisterExtension
    final CanaryRun run = new CanaryRun();
    private final RecordingAppender store = run.store;
    private final Canaries canaries = run.canaries;

    private static CanaryConfig canary(String name, Duration timeout, StaleCacheApp app, CanaryConfig.Reader... readers) {
        return new CanaryConfig(name, INTERVAL, timeout, new CanaryConfig.Write(http(null, app.url("/db"), null, null), null, null),
                List.of(readers));
    }

    private static CanaryConfig.Reader cacheReader(String name, StaleCacheApp app) {
        return new CanaryConfig.Reader(name, Map.of("region", "eu"), http(null, app.url("/cache"), "$.value", null), null, null);
    }

    private double counter(String metric, String... labels) {
        RecordingAppender.Sample s = store.last(metric, labels);
        return s == null ? 0 : s.value();
    }

    /**
     * A reader's errors_total by reason, as last written, but timeouts: on a machine shared with other builds a
     * poll may take longer than the one-second timeout, which is noise here, not the cache's doing.
     */
    private Map<String, Double> errorsButTimeouts(String reader) {
        Map<String, Double> last = new java.util.TreeMap<>();
        store.samples(CanaryMetrics.ERRORS, "reader", reader).stream().filter(s -> !s.labels().get("reason").equals("timeout"))
                .forEach(s -> last.put(s.labels().get("reason"), s.value()));
        return last;
    }

    @Test
    void brokenCacheInvalidationIsCaughtWithinTwoIntervalsAndStalenessTracksIt() throws Exception {
        try (StaleCacheApp app = StaleCacheApp.inMemory()) {
            canaries.apply(List.of(canary("product-cache", INTERVAL, app, cacheReader("eu", app))));
            // Healthy: the cache shows each round's value; staleness is the lag, well under a round.
            run.awaitFresh("eu", 10);
            RecordingAppender.Sample healthy = store.last(CanaryMetrics.STALENESS, "canary", "product-cache", "reader", "eu");
            assertThat(healthy.value()).isLessThan(0.5);
            assertThat(healthy.labels().get("region")).isEqualTo("eu");
            Map<String, Double> errorsBefore = errorsButTimeouts("eu");

            long broken = System.currentTimeMillis();
            app.breakInvalidation();
            // Caught: a round that started after the break misses its value, and ends within two intervals.
            run.assertCaughtWithinTwoIntervals("eu", broken, INTERVAL);

            // The cache still answers 200 with a value: staleness, not an error, and it grows with the delay.
            Thread.sleep(4000);
            run.assertStalenessTracks("eu", broken, INTERVAL);
            assertThat(errorsButTimeouts("eu")).isEqualTo(errorsBefore);
            CanaryStatus.ReaderStatus status = canaries.status().get(0).readers().get(0);
            assertThat(status.stalenessSeconds()).isGreaterThan(3.0);
            assertThat(status.lastError() == null || status.lastError().startsWith("timeout: ")).as(status.lastError()).isTrue();
            assertThat(status.missingTotal()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aHangingReaderIsBoundedByTheTimeoutAndTheOthersStillMeasured() throws Exception {
        try (StaleCacheApp app = StaleCacheApp.inMemory(); StaleCacheApp hung = StaleCacheApp.inMemory()) {
            hung.hang();
            Duration timeout = Duration.ofMillis(400);
            canaries.apply(List.of(canary("c", timeout, app, cacheReader("ok", app), cacheReader("hung", hung))));
            Poll.until(10, "three rounds", () -> store.samples(CanaryMetrics.MISSING, "reader", "hung").size() >= 3);
            List<RecordingAppender.Sample> rounds = store.samples(CanaryMetrics.MISSING, "reader", "hung");
            for (int i = 1; i < rounds.size(); i++) {
                // Rounds keep their schedule: the hanging reader costs the timeout, not a stuck round.
                assertThat(rounds.get(i).timestampMs() - rounds.get(i - 1).timestampMs()).isBetween(800L, 1300L);
            }
            assertThat(counter(CanaryMetrics.ERRORS, "reader", "hung", "reason", "timeout")).isGreaterThanOrEqualTo(2);
            assertThat(store.last(CanaryMetrics.STALENESS, "reader", "hung")).isNull(); // never read: no figure
            // (the first round may miss on a cold JVM: 400 ms is short for the first connection and class loading)
            assertThat(counter(CanaryMetrics.MISSING, "reader", "ok")).isLessThanOrEqualTo(1);
            assertThat(store.samples(CanaryMetrics.LAG, "reader", "ok")).hasSizeGreaterThanOrEqualTo(2);
            assertThat(canaries.status().get(0).readers().get(1).lastError()).startsWith("timeout: ");
        }
    }

    @Test
    void countersStayMonotonicAcrossAReloadAndReasonsAreNamed() throws Exception {
        try (StaleCacheApp app = StaleCacheApp.inMemory()) {
            CanaryConfig.Reader wrongPath = new CanaryConfig.Reader("wrong", null, http(null, app.url("/cache"), "$.nothing", null), null, null);
            CanaryConfig.Reader notFound = new CanaryConfig.Reader("gone", null, http(null, app.url("/nope"), null, null), null, null);
            canaries.apply(List.of(canary("c", Duration.ofMillis(300), app, wrongPath, notFound)));
            Poll.until(10, "two failed rounds", () -> counter(CanaryMetrics.ERRORS, "reader", "wrong", "reason", "no_value") >= 2);
            assertThat(counter(CanaryMetrics.ERRORS, "reader", "gone", "reason", "bad_status")).isGreaterThanOrEqualTo(1);
            double before = counter(CanaryMetrics.MISSING, "reader", "wrong");

            // A changed canary restarts; its counters carry on from where they were.
            canaries.apply(List.of(canary("c", Duration.ofMillis(200), app, wrongPath)));
            long reloaded = System.currentTimeMillis();
            Poll.until(10, "a round after the reload", () -> store.last(CanaryMetrics.MISSING, "reader", "wrong").timestampMs() > reloaded);
            List<RecordingAppender.Sample> missing = store.samples(CanaryMetrics.MISSING, "reader", "wrong");
            for (int i = 1; i < missing.size(); i++) {
                assertThat(missing.get(i).value()).isGreaterThanOrEqualTo(missing.get(i - 1).value());
            }
            assertThat(counter(CanaryMetrics.MISSING, "reader", "wrong")).isGreaterThan(before);
            // The dropped reader is no longer written.
            long droppedLast = store.last(CanaryMetrics.MISSING, "reader", "gone").timestampMs();
            assertThat(droppedLast).isLessThan(reloaded);
            assertThat(canaries.status()).hasSize(1);
            assertThat(canaries.status().get(0).readers()).extracting(CanaryStatus.ReaderStatus::name).containsExactly("wrong");

            canaries.apply(List.of());
            assertThat(canaries.status()).isEmpty();
        }
    }

    @Test
    void aFailedWriteIsCountedAndReadersAreStillRead() throws Exception {
        try (StaleCacheApp app = StaleCacheApp.inMemory()) {
            CanaryConfig c = new CanaryConfig("w", INTERVAL, Duration.ofMillis(300),
                    new CanaryConfig.Write(http(null, app.url("/nowhere"), null, null), null, null),
                    List.of(cacheReader("eu", app)));
            canaries.apply(List.of(c));
            Poll.until(10, "a failed write", () -> counter(CanaryMetrics.ERRORS, "canary", "w", "reason", "bad_status") >= 1);
            RecordingAppender.Sample write = store.last(CanaryMetrics.ERRORS, "canary", "w", "reason", "bad_status");
            assertThat(write.labels().get("reader")).isNull();
            // Nothing was written, so nothing went missing; the empty cache counts as no value.
            assertThat(counter(CanaryMetrics.MISSING, "reader", "eu")).isZero();
            assertThat(counter(CanaryMetrics.ERRORS, "reader", "eu", "reason", "no_value")).isGreaterThanOrEqualTo(1);
            assertThat(canaries.status().get(0).lastWriteError()).contains("HTTP 404");
        }
    }

    /** A port nothing listens on: connecting is refused at once. */
    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void eachRoundIsReportedWithEachReadersOutcome() throws Exception {
        String down = "http://127.0.0.1:" + closedPort();
        String hourOld = CanaryValue.next("no-write", System.currentTimeMillis() - 3_600_000).toString();
        try (StaleCacheApp app = StaleCacheApp.inMemory(); StaleCacheApp old = StaleCacheApp.over(() -> hourOld, Long.MAX_VALUE)) {
            CanaryConfig.Reader unreachable = new CanaryConfig.Reader("down", Map.of(), http(null, down + "/cache", null, null), null, null);
            CanaryConfig noWrite = new CanaryConfig("no-write", INTERVAL, INTERVAL,
                    new CanaryConfig.Write(http(null, down + "/db", null, null), null, null), List.of(cacheReader("old", old)));
            canaries.apply(List.of(canary("shop", INTERVAL, app, cacheReader("eu", app), unreachable), noWrite));
            Poll.until(10, "a round of each canary", () -> run.rounds.stream().map(CanaryRound::canary).distinct().count() == 2);

            CanaryRound shop = run.rounds.stream().filter(r -> r.canary().equals("shop")).findFirst().orElseThrow();
            assertThat(shop.writeError()).isNull();
            assertThat(shop.writeKind()).isEqualTo("http");
            assertThat(CanaryValue.find("shop", shop.value())).isNotNull();
            assertThat(shop.startMs()).isLessThanOrEqualTo(shop.writeEndMs());
            assertThat(shop.writeEndMs()).isLessThanOrEqualTo(shop.endMs());
            CanaryRound.Read eu = shop.reads().get(0);
            CanaryRound.Read dead = shop.reads().get(1);
            // A loaded machine may slow the first round past the timeout: then eu's outcome is an error too.
            if (eu.outcome() == CanaryRound.Outcome.VISIBLE) {
                assertThat(eu.lagSeconds()).isNotNull().isLessThanOrEqualTo(eu.stalenessSeconds() + 1);
                assertThat(eu.error()).isNull();
                assertThat(eu.endMs()).isBetween(shop.writeEndMs(), shop.endMs());
            }
            assertThat(eu.labels()).containsEntry("region", "eu");
            assertThat(dead.outcome()).isEqualTo(CanaryRound.Outcome.ERROR);
            assertThat(dead.error()).startsWith("unreachable: ");
            assertThat(dead.stalenessSeconds()).isNull();
            assertThat(dead.endMs()).isEqualTo(shop.endMs());

            CanaryRound failed = run.rounds.stream().filter(r -> r.canary().equals("no-write")).findFirst().orElseThrow();
            assertThat(failed.writeError()).startsWith("unreachable: ");
            // Nothing was written, so the reader was read once for its staleness: not a failure of the reader.
            assertThat(failed.reads()).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(CanaryRound.Outcome.READ_ONCE);
                assertThat(r.stalenessSeconds()).isBetween(3600.0, 3700.0);
                assertThat(r.lagSeconds()).isNull();
                assertThat(r.error()).isNull();
            });
        }
    }
}
