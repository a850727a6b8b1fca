package dev.sightline.server.ui;

import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.http.ContentCoding;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class UiEndpointTest {
    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();

    @BeforeEach
    void listen() throws Exception {
        new UiEndpoint().register(server.api);
        server.listen();
    }

    @Test
    void rootIsTheIndexPage() throws Exception {
        HttpResponse<String> r = server.get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(r.body()).contains("<script type=\"module\" src=\"/ui/app.js\">");
    }

    @Test
    void everyAnswerCarriesAContentSecurityPolicyWithoutInlineScriptOrStyle() throws Exception {
        for (String path : new String[]{"/", "/explore", "/ui/app.js", "/ui/style.css"}) {
            String csp = server.get(path).headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("script-src 'self';").contains("style-src 'self';").contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        }
    }

    /**
     * What the policy would block, looked for in every file of the UI: inline scripts, event handler attributes,
     * style elements and attributes, javascript: URLs, eval. Element styles set through the CSSOM (style.left,
     * style.cssText, as dom.js's h() sets a style string) are allowed.
     */
    @Test
    void noUiFileHasWhatThePolicyBlocks() throws Exception {
        URI index = UiEndpoint.class.getClassLoader().getResource("dev/sightline/ui/index.html").toURI();
        List<String> offences = new ArrayList<>();
        Pattern blocked = Pattern.compile(
                "<script(?![^>]*\\bsrc=)[^>]*>|\\son[a-z]+\\s*=\\s*[\"']|<style|\\sstyle\\s*=|setAttribute\\(\\s*['\"](style|on[a-z]+)['\"]"
                        + "|javascript:|\\beval\\(|new Function\\(|insertRule");
        FileSystem jar = index.getScheme().equals("jar")
                ? FileSystems.newFileSystem(index, Map.of()) : null;
        try {
            Path root = Path.of(index).getParent();
            int files = 0;
            try (var walk = Files.walk(root)) {
                for (Path f : walk.filter(p -> p.toString().endsWith(".js") || p.toString().endsWith(".html")).toList()) {
                    files++;
                    String text = Files.readString(f);
                    var m = blocked.matcher(text);
                    while (m.find()) {
                        offences.add(root.relativize(f) + ": " + m.group());
                    }
                }
            }
            assertThat(files).isGreaterThan(10);
            assertThat(offences).isEmpty();
        } finally {
            if (jar != null) {
                jar.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/explore", "/explore?query=up", "/alerts?alert=HighLatency", "/dashboards/node-exporter",
            "/traces/0af7651916cd43dd8448eb211c80319c", "/services/checkout/", "/status", "/logs"})
    void everyPagePathIsTheIndexPage(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(server.get("/").body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/explorer", "/nopage", "/ui-alerts"})
    void anotherPathIsNotAPage(String path) throws Exception {
        assertThat(server.get(path).statusCode()).isEqualTo(404);
    }

    @Test
    void filesHaveTheirContentType() throws Exception {
        assertThat(server.get("/ui/app.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(server.get("/ui/style.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(server.get("/ui/index.html").headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    }

    @Test
    void uplotComesFromItsWebJar() throws Exception {
        HttpResponse<String> js = server.get("/ui/vendor/uplot/uPlot.esm.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(js.body()).contains("export { uPlot as default };");
        HttpResponse<String> css = server.get("/ui/vendor/uplot/uPlot.min.css");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.body()).contains(".uplot");
    }

    @Test
    void anUnchangedFileIsRevalidatedWith304() throws Exception {
        HttpResponse<String> first = server.get("/ui/pages/explore.js");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = server.send(server.request("/ui/pages/explore.js").header("If-None-Match", etag));
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        HttpResponse<String> other = server.send(server.request("/ui/pages/explore.js").header("If-None-Match", "\"0\""));
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.body()).isEqualTo(first.body());
    }

    @Test
    void textIsGzippedForClientsThatAcceptIt() throws Exception {
        HttpResponse<byte[]> plain = server.send(server.request("/ui/pages/explore.js"), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> zipped = server.send(server.request("/ui/pages/explore.js").header("Accept-Encoding", "br, gzip"),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(zipped.headers().firstValue("Vary")).hasValue("accept-encoding");
        assertThat(zipped.body().length).isLessThan(plain.body().length / 2);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
        // Each form has its own ETag, and revalidates against it.
        String etag = zipped.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isNotEqualTo(plain.headers().firstValue("ETag").orElseThrow());
        assertThat(server.send(server.request("/ui/pages/explore.js").header("Accept-Encoding", "gzip")
                .header("If-None-Match", etag)).statusCode()).isEqualTo(304);
        assertThat(server.send(server.request("/ui/pages/explore.js").header("If-None-Match", etag)).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"gzip|true", "GZIP;q=0.5|true", "deflate, gzip, br|true", "*|true",
            "gzip;q=0|false", "gzip; q=0.000, *|false", "*;q=0, gzip|true", "identity|false", "br|false", "''|false"})
    void acceptEncodingIsReadAsHttpSays(String header, boolean gzip) {
        assertThat(ContentCoding.accepts(header, ContentCoding.GZIP)).as(header).isEqualTo(gzip);
    }

    @Test
    void headAnswersTheLengthWithoutABody() throws Exception {
        int length = server.get("/ui/app.js").body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        HttpResponse<String> head = server.send(server.request("/ui/app.js").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(length));
        assertThat(head.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/ui/missing.js", "/ui/", "/ui/vendor", "/ui/vendor/uplot/", "/ui/style", "/ui/.hidden.js",
            "/ui/../../etc/passwd", "/ui/%2e%2e/%2e%2e/etc/passwd", "/ui/..%2f..%2fetc%2fpasswd",
            "/ui/vendor/uplot/../../../../META-INF/MANIFEST.MF", "/ui/vendor/uplot/..%2f..%2fLICENSE",
            "/ui/vendor/uplot/../uPlot.d.ts", "/ui/dev/sightline/server/ui/UiEndpoint.class",
            "/ui/app.js%00.css"})
    void whatIsNotAFileIsNotFound(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(404);
        assertThat(r.body()).as(path).isEqualTo("404 page not found\n");
    }

    @Test
    void dotSegmentsNeverReachTheClassLoader() throws Exception {
        UiEndpoint ui = new UiEndpoint();
        assertThat(ui.load("vendor/uplot/../../LICENSE.js")).isNull();
        assertThat(ui.load("../app.js")).isNull();
        assertThat(ui.load("./app.js")).isNull();
        assertThat(ui.load("app.js")).isNotNull();
    }

    @Test
    void theApiKeepsItsPaths() throws Exception {
        assertThat(server.get("/-/healthy").body()).isEqualTo("Sightline is Healthy.\n");
    }
}
