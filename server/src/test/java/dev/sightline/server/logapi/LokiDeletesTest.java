package dev.sightline.server.logapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loki's deletion API on a server with two tenants and credentials: an admin key deletes one tenant's lines (with a
 * line filter, in a range), a read-only key is refused with 403, a matcher on the tenant label cannot reach the other
 * tenant, bad input is refused with 400 naming the parameter, and the requests are listed per tenant.
 */
class LokiDeletesTest {
    private static final String ADMIN = "admin-token-0123456789abcdef";
    private static final String READER = "reader-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Whole seconds, a few minutes ago: lines at T + i seconds. */
    private static final long T = (System.currentTimeMillis() / 1000 - 600);

    @TempDir
    static Path dir;
    private static SightlineServer server;
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, """
                tenants:
                  multitenancy_enabled: true
                """);
        Path web = dir.resolve("web.yml");
        Files.writeString(web, """
                bearer_tokens:
                  - {name: admin, sha256: %s, scopes: [read, write, admin]}
                  - {name: dashboards, sha256: %s, scopes: [read]}
                """.formatted(sha256(ADMIN), sha256(READER)));
        server = SightlineServer.start(new SightlineServer.Settings(dir.resolve("data"), "127.0.0.1", 0,
                new ConfigLoader().load(config), config, web));
        server.storage().get(60, TimeUnit.SECONDS);
        for (String tenant : List.of("a", "b")) {
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                values.append(i == 0 ? "" : ",").append("[\"").append((T + i) * 1_000_000_000L).append("\", \"")
                        .append(i % 2 == 0 ? "secret=" + i : "ok " + i).append("\"]");
            }
            HttpResponse<String> r = send("POST", "/loki/api/v1/push", ADMIN, tenant,
                    "{\"streams\": [{\"stream\": {\"job\": \"app\"}, \"values\": [" + values + "]}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static HttpResponse<String> send(String method, String path, String token, String tenant, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofSeconds(30)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (tenant != null) {
            b.header("X-Scope-OrgID", tenant);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> delete(String token, String tenant, String params) throws Exception {
        return send("POST", "/loki/api/v1/delete?" + params, token, tenant, null);
    }

    /** The tenant's lines of {job="app"}, oldest first. */
    private static List<String> lines(String tenant) throws Exception {
        HttpResponse<String> r = send("GET", "/loki/api/v1/query_range?direction=forward&query=" + q("{job=\"app\"}")
                + "&start=" + (T - 60) + "&end=" + (T + 60), READER, tenant, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode stream : JSON.readTree(r.body()).at("/data/result")) {
            for (JsonNode v : stream.get("values")) {
                out.add(v.get(1).asText());
            }
        }
        return out;
    }

    @Test
    void anAdminKeyDeletesOneTenantsLinesAndAReadOnlyKeyIsRefused() throws Exception {
        String secrets = "query=" + q("{job=\"app\"} |= \"secret\"") + "&start=" + T + "&end=" + (T + 5);
        HttpResponse<String> refused = delete(READER, "a", secrets);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("admin");
        assertThat(send("GET", "/loki/api/v1/delete", READER, "a", null).statusCode()).isEqualTo(403);
        assertThat(lines("a")).hasSize(10);

        // secret=0, 2, 4 are in [T, T+5]; secret=6 and 8 are after it and stay.
        HttpResponse<String> ok = delete(ADMIN, "a", secrets);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(204);
        assertThat(lines("a")).containsExactly("ok 1", "ok 3", "ok 5", "secret=6", "ok 7", "secret=8", "ok 9");
        assertThat(lines("b")).hasSize(10);

        // A matcher on the tenant label is the caller's own: it never reaches b.
        HttpResponse<String> other = delete(ADMIN, "a", "query=" + q("{job=\"app\", __tenant__=\"b\"}") + "&start="
                + (T - 60));
        assertThat(other.statusCode()).isEqualTo(204);
        assertThat(lines("b")).hasSize(10);
        assertThat(lines("a")).hasSize(7);

        JsonNode listed = JSON.readTree(send("GET", "/loki/api/v1/delete", ADMIN, "a", null).body());
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).get("query").asText()).isEqualTo("{job=\"app\"} |= \"secret\"");
        assertThat(listed.get(0).get("status").asText()).isEqualTo("processed");
        // Plain seconds, as Loki writes them (not 1.7E9).
        assertThat(listed.get(0).get("start_time").toString()).isEqualTo(Long.toString(T));
        assertThat(listed.get(0).get("end_time").toString()).isEqualTo(Long.toString(T + 5));
        assertThat(listed.get(0).get("deleted_lines").asLong()).isEqualTo(3);
        assertThat(listed.get(1).get("deleted_lines").asLong()).isZero();
        assertThat(JSON.readTree(send("GET", "/loki/api/v1/delete", ADMIN, "b", null).body())).isEmpty();
        // Without the tenant header: Loki's 401.
        assertThat(delete(ADMIN, null, secrets).statusCode()).isEqualTo(401);
    }

    @Test
    void badInputIsRefusedWith400NamingTheParameter() throws Exception {
        String start = "&start=" + T;
        assertThat(delete(ADMIN, "b", "start=" + T).body()).contains("missing required parameter 'query'");
        assertThat(delete(ADMIN, "b", "query=" + q("{job=\"app\"}")).body())
                .contains("missing required parameter 'start'");
        assertThat(delete(ADMIN, "b", "query=" + q("{}") + start).body()).contains("query: a delete needs a stream"
                + " selector with at least one matcher");
        HttpResponse<String> pipeline = delete(ADMIN, "b", "query=" + q("{job=\"app\"} | json") + start);
        assertThat(pipeline.statusCode()).isEqualTo(400);
        assertThat(pipeline.body()).contains("query: a delete takes only line filters").contains("position 13");
        assertThat(delete(ADMIN, "b", "query=" + q("job") + start).body()).contains("query must start with a stream selector");
        assertThat(delete(ADMIN, "b", "query=" + q("{job=\"app\"}") + "&start=yesterday").body())
                .contains("could not parse 'start' parameter");
        HttpResponse<String> backwards = delete(ADMIN, "b", "query=" + q("{job=\"app\"}") + start + "&end=" + (T - 1));
        assertThat(backwards.statusCode()).isEqualTo(400);
        assertThat(backwards.body()).startsWith("end: ");
        assertThat(lines("b")).hasSize(10);
    }
}
