package dev.sightline.demo;

import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.IncidentKind;
import dev.sightline.demo.sim.IncidentSchedule;
import dev.sightline.demo.sim.SimClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The product cache the demo's canary reads, driven by a real Company on a clock the test moves. */
class CacheReplicasTest {
    private static final long MIN = 60_000;
    private static final long T0 = 1_796_000_000_000L;
    /** Incidents of 8 minutes every 12 from T0: the second is the stale cache. */
    private static final IncidentSchedule SCHEDULE = new IncidentSchedule(T0, Duration.ofMinutes(8), Duration.ofMinutes(4));
    private static final long STALE_START = SCHEDULE.occurrence(1).startMillis();

    private final AtomicLong now = new AtomicLong();
    private final HttpClient http = HttpClient.newHttpClient();
    private CacheReplicas cache;

    @BeforeEach
    void open() throws Exception {
        assertThat(SCHEDULE.occurrence(1).kind()).isEqualTo(IncidentKind.STALE_CACHE);
        Company company = new Company(5, SCHEDULE);
        SimClock clock = new MovedClock(now);
        cache = new CacheReplicas("127.0.0.1", 0, clock, company::replicaAppliedUntil, new CompanyApi(clock, () -> company));
    }

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void replicasServeTheNewestWriteTheyHoldAndTheStaleOneRestartsFromASnapshotHoursOld() throws Exception {
        long snapshot = STALE_START - 3 * 3_600_000L;
        // Written just before the snapshot the stale replica will restart from, and ten seconds before the incident.
        now.set(snapshot - 10_000);
        assertThat(get("eu-west-2").statusCode()).isEqualTo(404);
        assertThat(post("primary", "v0").statusCode()).isEqualTo(200);
        now.set(STALE_START - 10_000);
        assertThat(post("primary", "v1").statusCode()).isEqualTo(200);
        // Replication takes about a second: not there at once, there a few seconds later.
        assertThat(get("us-east-1").body()).isEqualTo("v0");
        now.addAndGet(5_000);
        for (String replica : new String[] {"us-east-1", "eu-west-1", "eu-west-2", "ap-south-2"}) {
            assertThat(get(replica).body()).as(replica).isEqualTo("v1");
        }

        // The incident: eu-west-2 answers 200 OK with what it held three hours earlier, and stays there.
        now.set(STALE_START + MIN);
        post("primary", "v2");
        now.addAndGet(5_000);
        assertThat(get("eu-west-2").statusCode()).isEqualTo(200);
        assertThat(get("eu-west-2").body()).isEqualTo("v0");
        for (String replica : new String[] {"us-east-1", "us-east-2", "eu-west-1", "ap-south-1"}) {
            assertThat(get(replica).body()).as(replica).isEqualTo("v2");
        }
        now.set(STALE_START + 5 * MIN);
        assertThat(get("eu-west-2").body()).isEqualTo("v0");

        now.set(SCHEDULE.occurrence(1).endMillis() + MIN);
        post("primary", "v3");
        now.addAndGet(5_000);
        assertThat(get("eu-west-2").body()).isEqualTo("v3");
    }

    @Test
    void aStaleReplicaHoldsNothingOfACanaryYoungerThanItsSnapshot() throws Exception {
        now.set(STALE_START - 10_000);
        post("primary", "v1");
        now.set(STALE_START + MIN);
        assertThat(get("eu-west-2").statusCode()).isEqualTo(404);
    }

    @Test
    void badRequestsAreRefusedWithWhatIsExpected() throws Exception {
        now.set(T0);
        HttpResponse<String> unknown = get("mars-1");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no replica \"mars-1\"").contains("eu-west");
        assertThat(post("eu-west-1", "x").statusCode()).isEqualTo(405);
        assertThat(get("primary").statusCode()).isEqualTo(405);
        HttpResponse<String> empty = post("primary", "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("the body is the value");
        assertThat(post("primary", "x".repeat(5000)).statusCode()).isEqualTo(400);
    }

    private URI uri(String name) {
        return URI.create("http://127.0.0.1:" + cache.port() + CacheReplicas.PATH + name);
    }

    private HttpResponse<String> get(String name) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(name)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String name, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(name)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
