package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.TenantView;
import dev.sightline.server.RunningServer;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.tsdb.Tsdb;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prometheus's TSDB admin API on a multitenant server behind a web config: a tenant's delete_series only ever
 * reaches its own series (a matcher of its own on the tenant label included), clean_tombstones rewrites, bad input
 * gets Prometheus's 400 naming the parameter, and the endpoints need the admin scope.
 */
class TenantAdminApiTest {
    private static final long T = (System.currentTimeMillis() - 600_000) / 60_000 * 60_000;
    private static final String ADMIN = basic("admin", "admin-pw");
    private static final String READER = basic("reader", "reader-pw");

    @TempDir
    static Path dir;
    private static SightlineServer server;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Path web = dir.resolve("web.yml");
        Files.writeString(web, """
                basic_auth_users:
                  admin: %s
                  reader: %s
                basic_auth_scopes:
                  reader: {scopes: [read]}
                """.formatted(OpenBSDBCrypt.generate("2y", "admin-pw".toCharArray(), new byte[16], 4),
                OpenBSDBCrypt.generate("2y", "reader-pw".toCharArray(), new byte[16], 4)));
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, """
                tenants:
                  multitenancy_enabled: true
                """);
        server = SightlineServer.start(new SightlineServer.Settings(dir.resolve("data"), "127.0.0.1", 0,
                new ConfigLoader().load(config), config, web));
        server.storage().get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final AtomicInteger TESTS = new AtomicInteger();
    /** This test's metric: deletes hide samples appended later too, so every test has its own. */
    private String m;

    /** Both tenants hold m{job="x"} and m{job="y"}, ten samples each. */
    @BeforeEach
    void fill() throws Exception {
        m = "m" + TESTS.incrementAndGet();
        Tsdb db = server.storage().join();
        for (String tenant : List.of("a", "b")) {
            Appender app = TenantView.storage(db, tenant).appender();
            for (String job : List.of("x", "y")) {
                for (int i = 0; i < 10; i++) {
                    app.append(0, Labels.of("__name__", m, "job", job), T + i * 15_000L, i);
                }
            }
            app.commit();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> send(String method, String pathAndQuery, String auth, String tenant)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (tenant != null) {
            b.header(Tenants.HEADER, tenant);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(String tenant, String query) throws Exception {
        return send("POST", "/api/v1/admin/tsdb/delete_series?" + query, ADMIN, tenant);
    }

    /** The tenant's series of m as "job:samples". */
    private List<String> series(String tenant) throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/query_range?query=" + enc("count_over_time(" + m + "[1h])")
                + "&start=" + (T / 1000 + 200) + "&end=" + (T / 1000 + 200) + "&step=15", READER, tenant);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode s : RunningServer.JSON.readTree(r.body()).path("data").path("result")) {
            out.add(s.path("metric").path("job").asText() + ":" + s.path("values").get(0).get(1).asText());
        }
        out.sort(null);
        return out;
    }

    private List<String> seriesApi(String tenant) throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/series?match[]=" + m, READER, tenant);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        RunningServer.JSON.readTree(r.body()).path("data").forEach(s -> out.add(s.path("job").asText()));
        out.sort(null);
        return out;
    }

    @Test
    void aTenantsDeleteLeavesTheOtherTenantIntact() throws Exception {
        // Half of a's job x: from its 6th sample on.
        HttpResponse<String> r = delete("a", "match[]=" + enc(m + "{job=\"x\"}") + "&start=" + (T / 1000 + 75));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertThat(series("a")).containsExactly("x:5", "y:10");
        assertThat(series("b")).containsExactly("x:10", "y:10");
        // All of a's y, by PUT; the series leaves a's series and label APIs, b's stays.
        assertThat(send("PUT", "/api/v1/admin/tsdb/delete_series?match[]=" + enc(m + "{job=\"y\"}"), ADMIN, "a").statusCode())
                .isEqualTo(204);
        assertThat(seriesApi("a")).containsExactly("x");
        assertThat(seriesApi("b")).containsExactly("x", "y");
        HttpResponse<String> values = send("GET", "/api/v1/label/job/values?match[]=" + m, READER, "a");
        assertThat(RunningServer.JSON.readTree(values.body()).path("data").toString()).isEqualTo("[\"x\"]");
        assertThat(send("POST", "/api/v1/admin/tsdb/clean_tombstones", ADMIN, "a").statusCode()).isEqualTo(204);
        assertThat(send("PUT", "/api/v1/admin/tsdb/clean_tombstones", ADMIN, "b").statusCode()).isEqualTo(204);
        assertThat(series("a")).containsExactly("x:5");
        assertThat(series("b")).containsExactly("x:10", "y:10");
    }

    @Test
    void aMatcherOnTheTenantLabelCannotEscape() throws Exception {
        for (String selector : List.of("{__tenant__=\"b\"}", "{__tenant__=~\"b|a\",__name__=\"" + m + "\"}",
                m + "{__tenant__=~\".+\"}", m + "{__tenant__=\"a\"}")) {
            HttpResponse<String> r = delete("a", "match[]=" + enc(selector));
            assertThat(r.statusCode()).as(selector + ": " + r.body()).isEqualTo(204);
            assertThat(series("b")).as(selector).containsExactly("x:10", "y:10");
        }
        // To the tenant the label does not exist: a selector requiring it selects nothing, its own series included.
        assertThat(series("a")).containsExactly("x:10", "y:10");
        // One that accepts the empty string is judged as for reads: dropped, so it deletes a's own series only.
        assertThat(delete("a", "match[]=" + enc(m + "{__tenant__=~\"b|\",job=\"x\"}")).statusCode()).isEqualTo(204);
        assertThat(series("a")).containsExactly("y:10");
        assertThat(series("b")).containsExactly("x:10", "y:10");
    }

    @Test
    void badInputGetsPrometheusErrorsNamingTheParameter() throws Exception {
        HttpResponse<String> none = delete("a", "start=1");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"no match[] parameter provided\"}");
        HttpResponse<String> start = delete("a", "match[]=" + m + "&start=yesterday");
        assertThat(start.statusCode()).isEqualTo(400);
        assertThat(start.body()).contains("\"errorType\":\"bad_data\"").contains("invalid parameter \\\"start\\\"");
        assertThat(delete("a", "match[]=" + m + "&end=x").body()).contains("invalid parameter \\\"end\\\"");
        assertThat(delete("a", "match[]=" + m + "&start=100&end=50").body()).contains("invalid parameter \\\"end\\\"")
                .contains("end timestamp must not be before start time");
        HttpResponse<String> matcher = delete("a", "match[]=" + enc("m{"));
        assertThat(matcher.statusCode()).isEqualTo(400);
        assertThat(matcher.body()).contains("invalid parameter \\\"match[]\\\"");
        assertThat(delete("a", "match[]=" + enc("{job=~\".*\"}")).body()).contains("invalid parameter \\\"match[]\\\"")
                .contains("at least one non-empty matcher");
        HttpResponse<String> noTenant = delete(null, "match[]=" + m);
        assertThat(noTenant.statusCode()).isEqualTo(401);
        assertThat(noTenant.body()).contains("no org id");
        assertThat(series("a")).containsExactly("x:10", "y:10");
    }

    @Test
    void theEndpointsNeedTheAdminScope() throws Exception {
        for (String path : List.of("/api/v1/admin/tsdb/delete_series?match[]=" + m, "/api/v1/admin/tsdb/clean_tombstones")) {
            for (String method : List.of("POST", "PUT")) {
                HttpResponse<String> reader = send(method, path, READER, "a");
                assertThat(reader.statusCode()).as(method + " " + path).isEqualTo(403);
                assertThat(reader.body()).contains("lacks scope admin");
                assertThat(send(method, path, null, "a").statusCode()).as(method + " " + path).isEqualTo(401);
            }
        }
        assertThat(series("a")).containsExactly("x:10", "y:10");
    }
}
