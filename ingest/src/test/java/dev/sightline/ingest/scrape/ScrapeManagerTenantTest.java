package dev.sightline.ingest.scrape;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** A job writes where its tenant says; moved to another tenant, it is marked stale in the old one and starts afresh. */
class ScrapeManagerTenantTest {
    private static ScrapeConfig job(String target, String tenant) {
        return new ScrapeConfig("j", Duration.ofMillis(500), Duration.ofMillis(450), null, null, null, false, null,
                List.of(new StaticConfig(List.of(target), null)), null, null, null, null, null, null, null, null,
                0L, 0L, 0L, 0L, tenant);
    }

    private static boolean has(RecordingStorage s, boolean stale) {
        return s.all().stream().anyMatch(x -> "m".equals(x.labels().metricName()) && x.stale() == stale);
    }

    /** Under load a scrape may time out: waits for the first one that got the sample. */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("within 20 s").isLessThan(end);
            Thread.sleep(20);
        }
    }

    @Test
    void aJobMovedToAnotherTenantIsMarkedStaleWhereItWas() throws Exception {
        RecordingStorage a = new RecordingStorage();
        RecordingStorage b = new RecordingStorage();
        try (ExporterStub stub = new ExporterStub();
             ScrapeManager manager = new ScrapeManager(c -> "b".equals(c.tenant()) ? b : a, 7)) {
            stub.body = "m 1\n";
            manager.apply(List.of(job(stub.address(), "a")));
            await(() -> has(a, false));
            assertThat(b.all()).isEmpty();

            manager.apply(List.of(job(stub.address(), "b")));
            await(() -> has(b, false));
            assertThat(has(a, true)).as("stale marker in the tenant the job left").isTrue();
            assertThat(has(b, true)).as("nothing of the old tenant's series is handed over").isFalse();
        }
    }
}
