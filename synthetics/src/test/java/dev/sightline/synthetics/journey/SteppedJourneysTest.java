package dev.sightline.synthetics.journey;

import com.sun.net.httpserver.HttpServer;
import dev.sightline.synthetics.SteppedClock;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Journeys on a drill's clock: a run at each interval of simulated time, only as the clock is stepped. */
class SteppedJourneysTest {
    @Test
    void runsAtTheSimulatedTimesOfItsInterval() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> ShopApp.send(ex, 200, "{}"));
        app.start();
        long t0 = 1_796_000_000_000L;
        SteppedClock clock = new SteppedClock(t0);
        List<Long> starts = new CopyOnWriteArrayList<>();
        JourneyScheduler scheduler = new JourneyScheduler(JourneyRunner.on(clock),
                (j, run, streak) -> starts.add(run.startMs() - t0), clock);
        try {
            String yaml = "name: tick\ninterval: 1m\nsteps: [{name: a, request: {url: \"http://127.0.0.1:"
                    + app.getAddress().getPort() + "/\"}}]\n";
            scheduler.apply(List.of(JourneyParser.parse(YamlNode.parse("tick.yml", yaml.getBytes()), null)));
            Thread.sleep(100);
            assertThat(starts).isEmpty();
            for (long t = t0; t <= t0 + 300_000; t += 15_000) {
                clock.advanceTo(t);
            }
            assertThat(starts).containsExactly(0L, 60_000L, 120_000L, 180_000L, 240_000L, 300_000L);
            assertThat(scheduler.lastRun("tick").run().status()).isEqualTo(JourneyRun.Status.PASSED);
            scheduler.apply(List.of());
            clock.advanceTo(t0 + 600_000);
            assertThat(starts).hasSize(6);
        } finally {
            scheduler.close();
            app.stop(0);
        }
    }
}
