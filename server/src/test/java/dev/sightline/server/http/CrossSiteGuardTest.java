package dev.sightline.server.http;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** State-changing requests a browser says come from another site are refused; other clients pass. */
class CrossSiteGuardTest {
    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();

    @Test
    void decisions() {
        assertThat(CrossSiteGuard.refusal(HttpMethod.POST, "cross-site", null, "h:1")).isEqualTo("Sec-Fetch-Site is cross-site");
        assertThat(CrossSiteGuard.refusal(HttpMethod.DELETE, "same-site", null, "h:1")).isEqualTo("Sec-Fetch-Site is same-site");
        assertThat(CrossSiteGuard.refusal(HttpMethod.PUT, "same-origin", "http://evil", "h:1")).isNull();
        assertThat(CrossSiteGuard.refusal(HttpMethod.POST, "none", null, "h:1")).isNull();
        assertThat(CrossSiteGuard.refusal(HttpMethod.POST, null, "http://evil.example", "h:1"))
                .isEqualTo("Origin http://evil.example is not h:1");
        assertThat(CrossSiteGuard.refusal(HttpMethod.POST, null, "null", "h:1")).isEqualTo("Origin null is not h:1");
        assertThat(CrossSiteGuard.refusal(HttpMethod.POST, null, "http://H:1", "h:1")).isNull();
        // Not a browser page: remote-write, OTLP, curl.
        assertThat(CrossSiteGuard.refusal(HttpMethod.POST, null, null, "h:1")).isNull();
        // Reads are never refused: a cross-site page cannot read the answer anyway.
        assertThat(CrossSiteGuard.refusal(HttpMethod.GET, "cross-site", "http://evil", "h:1")).isNull();
        assertThat(CrossSiteGuard.refusal(HttpMethod.OPTIONS, "cross-site", "http://evil", "h:1")).isNull();
    }

    @Test
    void overHttp() throws Exception {
        server.api.post("/-/reload", 1024, ctx -> ctx.response().setStatusCode(200).end("reloaded"));
        server.api.delete("/api/v2/silence/:id", ctx -> ctx.response().setStatusCode(200).end("deleted"));
        server.listen();
        String self = "http://127.0.0.1:" + server.port();
        HttpResponse<String> crossSite = server.send(server.request("/-/reload").header("Sec-Fetch-Site", "cross-site")
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString("")));
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(crossSite.body()).startsWith("cross-site request refused: Sec-Fetch-Site is cross-site");
        HttpResponse<String> oldBrowser = server.send(server.request("/api/v2/silence/x").header("Origin", "http://evil.example")
                .DELETE());
        assertThat(oldBrowser.statusCode()).isEqualTo(403);
        assertThat(oldBrowser.body()).contains("Origin http://evil.example is not 127.0.0.1:" + server.port());
        assertThat(server.send(server.request("/-/reload").header("Sec-Fetch-Site", "same-origin").header("Origin", self)
                .POST(HttpRequest.BodyPublishers.ofString(""))).body()).isEqualTo("reloaded");
        assertThat(server.send(server.request("/api/v2/silence/x").header("Origin", self).DELETE()).body()).isEqualTo("deleted");
        assertThat(server.send(server.request("/-/reload").POST(HttpRequest.BodyPublishers.ofString(""))).body())
                .isEqualTo("reloaded");
    }
}
