package dev.sightline.server.promapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The TSDB admin API without tenants: deletes reach the whole storage, form bodies work as query strings do. */
class AdminApiTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final RunningServer server = new RunningServer();

    /** The job and value of each series of an instant query's answer. */
    private Map<String, String> counts(String path) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode r : server.getJson(path).path("data").path("result")) {
            out.put(r.path("metric").path("job").asText(), r.path("value").get(1).asText());
        }
        return out;
    }

    @Test
    void deletesAndCleansWithoutTenants() throws Exception {
        server.start(dir, null);
        long t0 = (System.currentTimeMillis() - 600_000) / 1000 * 1000;
        Appender app = server.storage().appender();
        for (String job : new String[]{"x", "y"}) {
            for (int i = 0; i < 10; i++) {
                app.append(0, Labels.of("__name__", "m", "job", job), t0 + i * 15_000L, i);
            }
        }
        app.commit();
        // A form body, as Prometheus's clients may send it; the header is ignored without multitenancy.
        HttpResponse<String> r = server.send(server.request("/api/v1/admin/tsdb/delete_series")
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Scope-OrgID", "ignored")
                .POST(HttpRequest.BodyPublishers.ofString("match[]=" + URLEncoder.encode("m{job=\"x\"}", StandardCharsets.UTF_8)
                        + "&end=" + (t0 / 1000 + 60))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        String q = "/api/v1/query?query=" + URLEncoder.encode("count_over_time(m[1h])", StandardCharsets.UTF_8)
                + "&time=" + (t0 / 1000 + 200);
        assertThat(counts(q)).isEqualTo(Map.of("x", "5", "y", "10"));
        assertThat(server.send(server.request("/api/v1/admin/tsdb/clean_tombstones")
                .PUT(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(204);
        assertThat(counts(q)).isEqualTo(Map.of("x", "5", "y", "10"));
    }
}
