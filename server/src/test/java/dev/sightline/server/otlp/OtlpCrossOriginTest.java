package dev.sightline.server.otlp;

import dev.sightline.ingest.IngestLimits;
import dev.sightline.server.http.CrossOrigin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OTLP/HTTP (4318) and browsers: an export a page of another site sends is refused as on the main port, unless that
 * site is trusted (cors.origin), as a page exporting with OpenTelemetry JS is: its preflight is answered and its
 * export taken, with the CORS headers the browser needs to read the answer.
 */
class OtlpCrossOriginTest {
    private static final String APP = "https://shop.example.com";
    private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private OtlpTestServer server;

    @AfterEach
    void close() throws Exception {
        server.close();
    }

    @Test
    void aTrustedPagesPreflightAndExportAreTaken() throws Exception {
        server = new OtlpTestServer(dir, IngestLimits.DEFAULT, CrossOrigin.of("https://shop\\.example\\.com"));
        int port = server.receiver.httpPort();
        HttpResponse<String> pre = server.preflightMetrics(port, APP);
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type");
        HttpResponse<byte[]> export = server.postMetrics(port, "application/json", EMPTY_JSON,
                "Origin", APP, "Sec-Fetch-Site", "cross-site");
        assertThat(export.statusCode()).as(new String(export.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(export.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    }

    @Test
    void anotherSitesPageIsRefusedAndNonBrowsersAreNot() throws Exception {
        server = new OtlpTestServer(dir, IngestLimits.DEFAULT, CrossOrigin.of("https://shop\\.example\\.com"));
        int port = server.receiver.httpPort();
        HttpResponse<String> pre = server.preflightMetrics(port, "https://evil.example");
        assertThat(pre.statusCode()).isNotEqualTo(204);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        // A simple request (text/plain) needs no preflight: the cross-site check is what stops it.
        HttpResponse<byte[]> simple = server.postMetrics(port, "text/plain", EMPTY_JSON,
                "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site");
        assertThat(simple.statusCode()).isEqualTo(403);
        assertThat(new String(simple.body(), StandardCharsets.UTF_8)).startsWith("cross-site request refused");
        HttpResponse<byte[]> oldBrowser = server.postMetrics(port, "application/json", EMPTY_JSON, "Origin", "https://evil.example");
        assertThat(oldBrowser.statusCode()).isEqualTo(403);
        assertThat(server.postMetrics(port, "application/json", EMPTY_JSON).statusCode()).as("an SDK, not a browser").isEqualTo(200);
    }

    @Test
    void withNoSettingCrossSiteExportsAreRefused() throws Exception {
        server = new OtlpTestServer(dir, IngestLimits.DEFAULT);
        int port = server.receiver.httpPort();
        assertThat(server.preflightMetrics(port, APP).statusCode()).isNotEqualTo(204);
        assertThat(server.postMetrics(port, "application/json", EMPTY_JSON, "Origin", APP, "Sec-Fetch-Site", "cross-site")
                .statusCode()).isEqualTo(403);
        assertThat(server.postMetrics(port, "application/json", EMPTY_JSON, "Origin", APP, "Sec-Fetch-Site", "same-site")
                .statusCode()).as("same-site is another origin too").isEqualTo(403);
    }
}
