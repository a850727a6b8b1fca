package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A Redis canary against a real primary and replica: with the link cut, the replica's staleness grows with time. */
class RedisCanaryIT {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private final RecordingAppender store = new RecordingAppender();
    private final Canaries canaries = new Canaries(store::appender, System::currentTimeMillis);

    @AfterEach
    void stop() {
        canaries.close();
    }

    @Test
    void aCutReplicationLinkMakesTheReplicaStale(@TempDir Path dir) throws Exception {
        try (RedisPeers redis = RedisPeers.start(dir)) {
            canaries.apply(List.of(new CanaryConfig("sessions", INTERVAL, INTERVAL,
                    new CanaryConfig.Write(null, null, new CanaryConfig.Redis(redis.primaryUrl(), null)),
                    List.of(new CanaryConfig.Reader("replica", null, null, null, new CanaryConfig.Redis(redis.replicaUrl(), null))))));
            Poll.until(10, "the replica shows a round's value", () -> {
                RecordingAppender.Sample lag = store.last(CanaryMetrics.LAG, "reader", "replica");
                return lag != null && lag.value() < 0.5;
            });
            long cut = System.currentTimeMillis();
            redis.cutLink();
            Thread.sleep(4000);
            RecordingAppender.Sample stale = store.last(CanaryMetrics.STALENESS, "reader", "replica");
            assertThat(stale.value()).isCloseTo((stale.timestampMs() - cut) / 1000.0, within(INTERVAL.toMillis() / 1000.0));
            assertThat(stale.value()).isGreaterThan(2.5);
            assertThat(store.last(CanaryMetrics.MISSING, "reader", "replica").value()).isGreaterThanOrEqualTo(3);
            Thread.sleep(2000);
            assertThat(store.last(CanaryMetrics.STALENESS, "reader", "replica").value()).isGreaterThan(stale.value() + 1.5);
        }
    }
}
