package dev.sightline.server.http;

import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cors.origin} is applied by a reload (POST /-/reload; SIGHUP runs the same reload) on the main and the
 * OTLP/HTTP listener alike, without a restart; a reload with a bad one fails naming the field and keeps the origins
 * in force.
 */
class CorsReloadTest {
    private static final String A = "https://a.example";
    private static final String B = "https://b.example";

    @RegisterExtension
    final RunningServer server = new RunningServer();
    @TempDir
    Path dir;

    /** A cross-site POST query from a page of {@code origin} to the main port. */
    private HttpResponse<String> query(String origin) throws Exception {
        return server.send(server.request("/api/v1/query").header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", origin).header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.ofString("query=1")));
    }

    /** A preflight for an OTLP/HTTP export from a page of {@code origin}. */
    private HttpResponse<String> otlpPreflight(String origin) throws Exception {
        return server.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().otlp().httpPort()
                        + "/v1/traces")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "POST"));
    }

    /** Whether {@code origin} is trusted on both listeners now, checked both ways. */
    private void assertTrusted(String origin, boolean trusted) throws Exception {
        HttpResponse<String> q = query(origin);
        HttpResponse<String> pre = otlpPreflight(origin);
        if (trusted) {
            assertThat(q.statusCode()).as(q.body()).isEqualTo(200);
            assertThat(q.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
        } else {
            assertThat(q.statusCode()).as(q.body()).isEqualTo(403);
            assertThat(q.body()).startsWith("cross-site request refused");
            assertThat(pre.statusCode()).isNotEqualTo(204);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    private HttpResponse<String> reloadWith(String config) throws Exception {
        Files.writeString(server.configFile(), config);
        return server.reload();
    }

    @Test
    void aReloadAppliesAChangedOriginAndABadOneKeepsTheOld() throws Exception {
        server.start(dir, "cors:\n  origin: 'https://a\\.example'\n");
        assertTrusted(A, true);
        assertTrusted(B, false);

        assertThat(reloadWith("cors:\n  origin: 'https://b\\.example'\n").statusCode()).isEqualTo(200);
        assertTrusted(A, false);
        assertTrusted(B, true);

        HttpResponse<String> bad = reloadWith("cors:\n  origin: 'https://(a|b\\.example'\n");
        assertThat(bad.statusCode()).isEqualTo(500);
        assertThat(bad.body()).contains("origin: not a valid regular expression");
        assertTrusted(B, true);

        assertThat(reloadWith("global:\n  scrape_interval: 15s\n").statusCode()).as("cors left out").isEqualTo(200);
        assertTrusted(B, false);
    }
}
