package dev.sightline.server.promapi;

import dev.sightline.server.http.ApiTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Before storage has opened every query endpoint answers as Prometheus does before it is ready. */
class PromApiNotReadyTest {
    @RegisterExtension
    final ApiTestServer server = new ApiTestServer(() -> false);

    @Test
    void answers503UntilStorageIsReady() throws Exception {
        new PromApi(() -> null).register(server.api);
        server.listen();
        for (String path : new String[]{"/api/v1/query?query=up", "/api/v1/labels", "/api/v1/series?match[]=up"}) {
            HttpResponse<String> r = server.get(path);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("Service Unavailable");
        }
        // The function list needs no storage: a query editor has it while the database opens.
        assertThat(server.get("/api/v1/status/functions").statusCode()).isEqualTo(200);
    }
}
