package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.IncidentKind;
import dev.sightline.demo.sim.IncidentSchedule;
import dev.sightline.demo.sim.SimClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The routes the demo's journeys walk, answered from a real Company on a clock the test moves. */
class CompanyApiTest {
    private static final long T0 = 1_796_000_000_000L;
    /** Incidents of 8 minutes every 12 from T0: the fourth is the saturated pool. */
    private static final IncidentSchedule SCHEDULE = new IncidentSchedule(T0, Duration.ofMinutes(8), Duration.ofMinutes(4));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicLong now = new AtomicLong(T0 - 3_600_000);
    private final AtomicReference<Company> company = new AtomicReference<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final CacheReplicas server;

    CompanyApiTest() throws Exception {
        SimClock clock = new MovedClock(now);
        server = new CacheReplicas("127.0.0.1", 0, clock, (r, k, t) -> t, new CompanyApi(clock, company::get));
    }

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void everyRouteAnswersFromTheCompanyAtTheClocksTime() throws Exception {
        assertThat(send("GET", "trading/status").statusCode()).isEqualTo(503);
        company.set(new Company(5, SCHEDULE));

        JsonNode trading = json(send("GET", "trading/status"));
        assertThat(trading.path("running").asInt()).isEqualTo(Company.STRATEGIES.size());
        assertThat(trading.path("strategies").get(1).path("name").asText()).isEqualTo("momentum");
        assertThat(trading.path("orders_per_second").asDouble()).isPositive();
        company.get().halt("momentum", now.get());
        assertThat(json(send("GET", "trading/status")).path("running").asInt()).isEqualTo(Company.STRATEGIES.size() - 1);

        JsonNode quote = json(send("GET", "rides/quote?region=airport"));
        assertThat(quote.path("region").asText()).isEqualTo("airport");
        assertThat(quote.path("surge_multiplier").asDouble()).isEqualTo(company.get().riderSurge(1, now.get()));
        JsonNode offers = json(send("GET", "drivers/offers?region=airport"));
        assertThat(offers.path("offers").get(0).path("surge_multiplier").asDouble()).isEqualTo(company.get().driverSurge(1, now.get()));
    }

    @Test
    void checkoutsFailWhileThePaymentsPoolIsSaturated() throws Exception {
        company.set(new Company(5, SCHEDULE));
        assertThat(failedOf(50)).isZero();
        assertThat(SCHEDULE.occurrence(3).kind()).isEqualTo(IncidentKind.SATURATED_POOL);
        now.set(SCHEDULE.occurrence(3).startMillis() + 60_000);
        assertThat(failedOf(50)).isBetween(3, 30);
    }

    @Test
    void badRequestsAreRefusedNamingWhatIsWrong() throws Exception {
        company.set(new Company(5, SCHEDULE));
        HttpResponse<String> r = send("GET", "rides/quote?region=mars");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("region: expected one of [downtown, airport, suburbs], got \"mars\"");
        assertThat(send("GET", "drivers/offers").body()).contains("got \"\"");
        assertThat(send("GET", "orders/checkout").statusCode()).isEqualTo(405);
        assertThat(send("POST", "trading/status").statusCode()).isEqualTo(405);
        r = send("GET", "nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no route \"/api/nope\"");
    }

    private int failedOf(int checkouts) throws Exception {
        int failed = 0;
        for (int i = 0; i < checkouts; i++) {
            HttpResponse<String> r = send("POST", "orders/checkout");
            JsonNode body = json(r);
            if (r.statusCode() == 502) {
                assertThat(body.path("status").asText()).isEqualTo("failed");
                failed++;
            } else {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(body.path("status").asText()).isEqualTo("confirmed");
            }
        }
        return failed;
    }

    private HttpResponse<String> send(String method, String route) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + CompanyApi.PATH + route);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.ofString(
                method.equals("POST") ? "{}" : "")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }
}
