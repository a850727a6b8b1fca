package dev.sightline.synthetics.journey;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class JourneySchedulerTest {
    @Test
    void runsAtTheIntervalNeverTwiceAtOnceEvenAcrossAReloadAndStopsWhenRemoved() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        app.createContext("/", ex -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            calls.incrementAndGet();
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            ShopApp.send(ex, 200, "{}");
        });
        app.start();
        AtomicInteger runs = new AtomicInteger();
        JourneyScheduler scheduler = new JourneyScheduler(JourneyRunner.system(), (j, run, streak) -> runs.incrementAndGet());
        try {
            String yaml = "name: tick\ninterval: 50ms\nsteps: [{name: a, request: {url: \"http://127.0.0.1:"
                    + app.getAddress().getPort() + "/\"}}]\n";
            Journey j = JourneyParser.parse(YamlNode.parse("tick.yml", yaml.getBytes()), null);
            scheduler.apply(List.of(j));
            Thread.sleep(100);
            scheduler.apply(List.of(j)); // a reload while a run is in flight
            long end = System.currentTimeMillis() + 10_000;
            while (runs.get() < 4 && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            assertThat(runs.get()).isGreaterThanOrEqualTo(4);
            assertThat(maxInFlight.get()).isEqualTo(1);
            assertThat(scheduler.lastRun("tick").run().status()).isEqualTo(JourneyRun.Status.PASSED);

            scheduler.apply(List.of());
            Thread.sleep(400); // a run in flight may finish
            int after = calls.get();
            Thread.sleep(400);
            assertThat(calls.get()).isEqualTo(after);
            assertThat(scheduler.lastRun("tick")).isNull();
        } finally {
            scheduler.close();
            app.stop(0);
        }
    }
}
