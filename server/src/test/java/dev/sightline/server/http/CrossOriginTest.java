package dev.sightline.server.http;

import dev.sightline.server.security.WebSecurity;
import io.vertx.core.buffer.Buffer;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Trusted origins ({@code cors.origin}) on the main listener behind basic auth, as a Grafana in browser-access mode
 * calls it: its preflights are answered without credentials, its calls get CORS headers and pass the cross-site
 * check; another site's page is still refused, and clients that are not browsers see no change.
 */
class CrossOriginTest {
    private static final String GRAFANA = "https://grafana.example.com";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();
    @TempDir
    Path tmp;

    private void start(CrossOrigin origins) throws Exception {
        Path web = tmp.resolve("web.yml");
        Files.writeString(web, "basic_auth_users:\n  alice: " + OpenBSDBCrypt.generate("2y", "pw".toCharArray(), new byte[16], 4) + "\n");
        WebSecurity security = WebSecurity.load(server.vertx, web);
        server.api.trustOrigins(origins);
        server.api.post("/api/v1/admin/tsdb/clean_tombstones", 1024, ctx -> HttpApi.respond(ctx, 204, "text/plain", Buffer.buffer()));
        server.listen(h -> CrossOrigin.wrap(() -> origins, security.guard(WebSecurity.Listener.HTTP, h)));
    }

    private HttpResponse<String> preflight(String origin) throws Exception {
        return server.send(server.request("/api/v1/admin/tsdb/clean_tombstones")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type"));
    }

    private HttpResponse<String> post(String origin, String site) throws Exception {
        HttpRequest.Builder b = server.request("/api/v1/admin/tsdb/clean_tombstones").header("Authorization", BASIC)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            b.header("Origin", origin).header("Sec-Fetch-Site", site);
        }
        return server.send(b);
    }

    @Test
    void aTrustedOriginsPreflightIsAnsweredWithoutCredentialsAndItsCallsPass() throws Exception {
        start(CrossOrigin.of("https://grafana\\.example\\.com|http://localhost:\\d+"));
        HttpResponse<String> pre = preflight(GRAFANA);
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue(GRAFANA);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
        assertThat(pre.headers().firstValue("Access-Control-Allow-Headers")).hasValue("authorization,content-type");
        HttpResponse<String> call = post(GRAFANA, "cross-site");
        assertThat(call.statusCode()).as(call.body()).isEqualTo(204);
        assertThat(call.headers().firstValue("Access-Control-Allow-Origin")).hasValue(GRAFANA);
        assertThat(call.headers().firstValue("Vary")).hasValue("Origin");
        assertThat(post("http://localhost:3000", "cross-site").statusCode()).isEqualTo(204);
        // Still needs credentials: only the preflight goes without.
        HttpResponse<String> anonymous = server.send(server.request("/api/v1/admin/tsdb/clean_tombstones")
                .header("Origin", GRAFANA).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Access-Control-Allow-Origin")).hasValue(GRAFANA);
    }

    @Test
    void otherOriginsAreRefusedAsBefore() throws Exception {
        start(CrossOrigin.of("https://grafana\\.example\\.com"));
        // The pattern matches the whole origin, as Prometheus anchors --web.cors.origin.
        for (String other : new String[]{"https://evil.example", "https://grafana.example.com.evil.example",
                "https://xgrafana.example.com"}) {
            HttpResponse<String> pre = preflight(other);
            assertThat(pre.statusCode()).as(other).isEqualTo(401);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).as(other).isEmpty();
            HttpResponse<String> call = post(other, "cross-site");
            assertThat(call.statusCode()).as(other).isEqualTo(403);
            assertThat(call.body()).startsWith("cross-site request refused: Sec-Fetch-Site is cross-site")
                    .contains("cors.origin");
        }
        assertThat(post(null, null).statusCode()).as("not a browser").isEqualTo(204);
        assertThat(post("http://127.0.0.1:" + server.port(), "same-origin").statusCode()).as("own page").isEqualTo(204);
    }

    @Test
    void withNoSettingNoOriginIsTrusted() throws Exception {
        start(CrossOrigin.NONE);
        assertThat(preflight(GRAFANA).statusCode()).isEqualTo(401);
        assertThat(post(GRAFANA, "cross-site").statusCode()).isEqualTo(403);
        assertThat(CrossOrigin.of("").trusts(GRAFANA)).isFalse();
        assertThat(CrossOrigin.of(null).trusts(null)).isFalse();
    }

    @Test
    void aBadExpressionIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> CrossOrigin.of("https://(grafana"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("origin: not a valid regular expression: Unclosed group");
    }
}
