package dev.sightline.server.http;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The routes on their own, with readiness under the test's control and a handler that throws. */
class HttpApiTest {
    private final AtomicBoolean ready = new AtomicBoolean();
    @RegisterExtension
    final ApiTestServer server = new ApiTestServer(ready::get);

    @BeforeEach
    void start() throws Exception {
        server.api.get("/boom", ctx -> {
            throw new IllegalStateException("kaboom");
        });
        server.listen();
    }

    /**
     * The exposition once it contains every expected line: a request is recorded when Vert.x finishes writing the
     * response, which may be just after the client has read it.
     */
    private String awaitExposition(String... expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String exposition;
        do {
            exposition = new String(server.metrics.scrape(), StandardCharsets.UTF_8);
            boolean all = true;
            for (String e : expected) {
                all &= exposition.contains(e);
            }
            if (all) {
                return exposition;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        assertThat(exposition).contains(expected);
        return exposition;
    }

    @Test
    void readyIs503UntilStorageIsOpen() throws Exception {
        HttpResponse<String> before = server.get("/-/ready");
        assertThat(before.statusCode()).isEqualTo(503);
        assertThat(before.body()).isEqualTo("Service Unavailable");
        assertThat(server.get("/-/healthy").statusCode()).isEqualTo(200);
        ready.set(true);
        HttpResponse<String> after = server.get("/-/ready");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("Sightline is Ready.\n");
    }

    @Test
    void aFailingHandlerAnswers500AndTheServerKeepsServing() throws Exception {
        HttpResponse<String> r = server.get("/boom");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("internal error: kaboom\n");
        assertThat(server.get("/-/healthy").statusCode()).isEqualTo(200);
        assertThat(awaitExposition("sightline_http_request_duration_seconds_count{code=\"500\",handler=\"/boom\",method=\"get\"} 1",
                "sightline_http_request_duration_seconds_count{code=\"200\",handler=\"/-/healthy\",method=\"get\"} 1"))
                .isNotEmpty();
    }

    @Test
    void rawPathsDoNotBecomeLabels() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(server.get("/random/" + i).statusCode()).isEqualTo(404);
        }
        assertThat(awaitExposition("sightline_http_request_duration_seconds_count{code=\"404\",handler=\"unmatched\",method=\"get\"} 3"))
                .doesNotContain("/random/");
    }
}
