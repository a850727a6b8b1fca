package dev.sightline.synthetics.canary;

import com.sun.net.httpserver.HttpServer;
import dev.sightline.synthetics.SteppedClock;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.sightline.synthetics.canary.CanaryConfigTest.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A canary on a drill's clock: its rounds run when the clock is stepped, at the simulated times of its interval; it
 * writes and reads at simulated time, and staleness is measured in simulated time, so an hour passes in moments.
 */
class SteppedCanariesTest {
    private static final long T0 = 1_796_000_000_000L;
    private static final long LAG_MS = 1_200;

    /** A primary and one replica that holds the writes up to {@link #LAG_MS} ago, or up to {@code frozenAt}. */
    private static final class Replica implements AutoCloseable {
        final HttpServer server;
        /** Write times and values, oldest first. */
        final List<Long> times = new CopyOnWriteArrayList<>();
        final List<String> values = new CopyOnWriteArrayList<>();
        volatile long frozenAt = Long.MAX_VALUE;

        Replica(SteppedClock clock) throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/", ex -> {
                try (ex) {
                    String body;
                    if (ex.getRequestMethod().equals("POST")) {
                        body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                        values.add(body);
                        times.add(clock.millis());
                    } else {
                        long until = Math.min(clock.millis() - LAG_MS, frozenAt);
                        body = null;
                        for (int i = times.size() - 1; i >= 0 && body == null; i--) {
                            if (times.get(i) <= until) {
                                body = values.get(i);
                            }
                        }
                    }
                    byte[] b = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(body == null ? 404 : 200, b.length == 0 ? -1 : b.length);
                    ex.getResponseBody().write(b);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void roundsRunOnTheSteppedClockAndStalenessIsSimulatedTime() throws Exception {
        SteppedClock clock = new SteppedClock(T0);
        RecordingAppender store = new RecordingAppender();
        List<CanaryRound> rounds = new CopyOnWriteArrayList<>();
        try (Replica replica = new Replica(clock);
             Canaries canaries = new Canaries(store::appender, clock, rounds::add)) {
            canaries.apply(List.of(new CanaryConfig("cache", Duration.ofSeconds(30), Duration.ofSeconds(10),
                    new CanaryConfig.Write(http("POST", replica.url() + "primary", null, null), null, null),
                    List.of(new CanaryConfig.Reader("eu", Map.of("region", "eu"), http(null, replica.url() + "eu", null, null), null, null)))));
            Thread.sleep(200);
            assertThat(rounds).as("nothing runs until the clock is stepped").isEmpty();

            long wall0 = System.nanoTime();
            // Ten healthy minutes, stepped as a drill steps rule evaluation (15 s).
            for (long t = T0; t <= T0 + 600_000; t += 15_000) {
                clock.advanceTo(t);
            }
            canaries.flush();
            List<Long> starts = new ArrayList<>();
            rounds.forEach(r -> starts.add(r.startMs() - T0));
            assertThat(starts).hasSize(21).startsWith(0L, 30_000L, 60_000L).endsWith(600_000L);
            RecordingAppender.Sample healthy = store.last(CanaryMetrics.STALENESS, "reader", "eu");
            // The replica shows the value once its 1.2 s lag passed in simulated time: the round waited that long.
            assertThat(healthy.value()).isBetween(LAG_MS / 1000.0, 10.0);
            assertThat(healthy.timestampMs()).isBetween(T0 + 600_000 + LAG_MS, T0 + 610_000);
            assertThat(store.last(CanaryMetrics.LAG, "reader", "eu").value()).isBetween(LAG_MS / 1000.0, 10.0);

            // The replica stops applying: an hour later, its staleness is an hour of simulated time.
            long frozen = clock.millis();
            replica.frozenAt = frozen;
            for (long t = T0 + 615_000; t <= T0 + 600_000 + 3_600_000; t += 15_000) {
                clock.advanceTo(t);
            }
            canaries.flush();
            RecordingAppender.Sample stale = store.last(CanaryMetrics.STALENESS, "reader", "eu");
            assertThat(stale.value()).isCloseTo((stale.timestampMs() - frozen) / 1000.0, within(31.0)).isGreaterThan(3_500.0);
            assertThat(store.last(CanaryMetrics.MISSING, "reader", "eu").value()).isGreaterThanOrEqualTo(100);
            // Seventy simulated minutes, 141 rounds, in a few seconds of wall time.
            assertThat(rounds).hasSize(141);
            assertThat((System.nanoTime() - wall0) / 1e9).isLessThan(30.0);
        }
    }
}
