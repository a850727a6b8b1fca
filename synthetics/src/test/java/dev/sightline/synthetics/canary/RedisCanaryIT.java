package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A Redis canary against a real primary and replica: with the link cut, the replica's staleness grows with time. */
class RedisCanaryIT {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @RegisterExtension
    final CanaryRun run = new CanaryRun();
    private final RecordingAppender store = run.store;
    private final Canaries canaries = run.canaries;

    @Test
    void aCutReplicationLinkMakesTheReplicaStale(@TempDir Path dir) throws Exception {
        try (RedisPeers redis = RedisPeers.start(dir)) {
            canaries.apply(List.of(new CanaryConfig("sessions", INTERVAL, INTERVAL,
                    new CanaryConfig.Write(null, null, new CanaryConfig.Redis(redis.primaryUrl(), null)),
                    List.of(new CanaryConfig.Reader("replica", null, null, null, new CanaryConfig.Redis(redis.replicaUrl(), null))))));
            run.awaitFresh("replica", 10);
            long cut = System.currentTimeMillis();
            redis.cutLink();
            Thread.sleep(4000);
            RecordingAppender.Sample stale = run.assertStalenessTracks("replica", cut, INTERVAL);
            assertThat(stale.value()).isGreaterThan(2.5);
            // Rounds that started after the cut (the one running then may have seen its value) ended by cut + 3 s.
            assertThat(store.last(CanaryMetrics.MISSING, "reader", "replica").value()).isGreaterThanOrEqualTo(2);
            // It keeps growing: a round every second, each seeing an older newest record. Polled rather than read after a
            // fixed sleep: on a loaded machine the round in flight may end late (this failed at load 10 by 0.5 s).
            long deadline = System.currentTimeMillis() + 10_000;
            double now = stale.value();
            while (now <= stale.value() + 1.5 && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                now = store.last(CanaryMetrics.STALENESS, "reader", "replica").value();
            }
            assertThat(now).isGreaterThan(stale.value() + 1.5);
        }
    }
}
