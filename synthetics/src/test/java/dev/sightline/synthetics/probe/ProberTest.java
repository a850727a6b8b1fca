package dev.sightline.synthetics.probe;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.sightline.synthetics.journey.JourneyException;
import dev.sightline.synthetics.journey.TestCerts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** blackbox_exporter's http and tcp modules against servers started here. */
class ProberTest {
    @TempDir
    Path dir;
    private HttpServer http;

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/health", ex -> reply(ex, 200, "status: ok"));
        http.createContext("/broken", ex -> reply(ex, 200, "<h1>Internal error</h1>"));
        http.createContext("/old", ex -> {
            ex.getResponseHeaders().set("Location", "/health");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        http.createContext("/missing", ex -> reply(ex, 404, "nope"));
        http.start();
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private BlackboxConfig config(String yaml) throws IOException, JourneyException {
        Path f = dir.resolve("blackbox.yml");
        Files.writeString(f, yaml);
        return BlackboxConfig.load(f);
    }

    /** The exposition as name{labels} -> value. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int sp = line.lastIndexOf(' ');
                out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            }
        }
        return out;
    }

    private String target(String path) {
        return "127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void httpTwoXxSucceedsWithBlackboxMetricNames() throws Exception {
        BlackboxConfig c = config("""
                modules:
                  http_2xx:
                    prober: http
                    timeout: 5s
                    http:
                      preferred_ip_protocol: ip4
                      fail_if_body_not_matches_regexp: ["status: ok"]
                """);
        String text = Prober.probe(c.modules().get("http_2xx"), "http://" + target("/health"), null);
        Map<String, Double> m = parse(text);
        assertThat(m).containsEntry("probe_success", 1.0).containsEntry("probe_http_status_code", 200.0)
                .containsEntry("probe_http_content_length", 10.0).containsEntry("probe_http_ssl", 0.0)
                .containsEntry("probe_http_version", 1.1).containsEntry("probe_failed_due_to_regex", 0.0)
                .containsEntry("probe_ip_protocol", 4.0).containsEntry("probe_http_redirects", 0.0)
                .containsKeys("probe_duration_seconds", "probe_dns_lookup_time_seconds",
                        "probe_http_duration_seconds{phase=\"connect\"}", "probe_http_duration_seconds{phase=\"processing\"}",
                        "probe_http_duration_seconds{phase=\"resolve\"}", "probe_http_duration_seconds{phase=\"tls\"}",
                        "probe_http_duration_seconds{phase=\"transfer\"}");
        assertThat(m.get("probe_http_duration_seconds{phase=\"connect\"}")).isGreaterThan(0);
        assertThat(text).contains("# TYPE probe_success gauge\n");
    }

    @Test
    void wrongContentStatusCodesAndRedirectsFollowBlackboxRules() throws Exception {
        BlackboxConfig c = config("""
                modules:
                  content:
                    prober: http
                    http: {fail_if_body_matches_regexp: ["Internal error"]}
                  expect_404:
                    prober: http
                    http: {valid_status_codes: [404]}
                  no_redirects:
                    prober: http
                    http: {no_follow_redirects: true}
                  plain: {prober: http}
                """);
        Map<String, Double> broken = parse(Prober.probe(c.modules().get("content"), target("/broken"), null));
        assertThat(broken).containsEntry("probe_success", 0.0).containsEntry("probe_failed_due_to_regex", 1.0)
                .containsEntry("probe_http_status_code", 200.0);
        assertThat(parse(Prober.probe(c.modules().get("expect_404"), target("/missing"), null)))
                .containsEntry("probe_success", 1.0);
        assertThat(parse(Prober.probe(c.modules().get("plain"), target("/missing"), null)))
                .containsEntry("probe_success", 0.0).containsEntry("probe_http_status_code", 404.0);
        assertThat(parse(Prober.probe(c.modules().get("plain"), target("/old"), null)))
                .containsEntry("probe_success", 1.0).containsEntry("probe_http_redirects", 1.0);
        assertThat(parse(Prober.probe(c.modules().get("no_redirects"), target("/old"), null)))
                .containsEntry("probe_success", 0.0).containsEntry("probe_http_status_code", 302.0);
    }

    @Test
    void anUnreachableTargetFailsWithinTheTimeout() throws Exception {
        BlackboxConfig c = config("modules: {plain: {prober: http, timeout: 1s}}");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, Double> m = parse(Prober.probe(c.modules().get("plain"), "127.0.0.1:" + closed, null));
        assertThat(m).containsEntry("probe_success", 0.0).containsEntry("probe_http_status_code", 0.0);
        assertThat(m.get("probe_duration_seconds")).isLessThan(2.0);
    }

    @Test
    void httpsReportsTheCertificateExpiry() throws Exception {
        Path ks = TestCerts.keyStore(dir, "fresh", null, 90);
        HttpsServer https = TestCerts.httpsServer(ks);
        try {
            BlackboxConfig c = config("""
                    modules:
                      https:
                        prober: http
                        http: {fail_if_not_ssl: true, tls_config: {ca_file: fresh.pem}}
                    """);
            Map<String, Double> m = parse(Prober.probe(c.modules().get("https"),
                    "https://localhost:" + https.getAddress().getPort() + "/", null));
            assertThat(m).containsEntry("probe_success", 1.0).containsEntry("probe_http_ssl", 1.0);
            double expected = System.currentTimeMillis() / 1000.0 + 90 * 86400;
            assertThat(m.get("probe_ssl_earliest_cert_expiry")).isCloseTo(expected, within(3600.0));
            assertThat(m.get("probe_http_duration_seconds{phase=\"tls\"}")).isGreaterThan(0);
            assertThat(m.keySet()).anyMatch(k -> k.startsWith("probe_tls_version_info{version=\"TLS 1."));
        } finally {
            https.stop(0);
        }
    }

    @Test
    void tcpQueryResponseDialogue() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        OutputStream out = s.getOutputStream();
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        out.write("220 mail.example ESMTP ready\r\n".getBytes(StandardCharsets.UTF_8));
                        String helo = in.readLine();
                        out.write(("250 hello " + (helo == null ? "" : helo.substring(5)) + "\r\n").getBytes(StandardCharsets.UTF_8));
                        in.readLine();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            BlackboxConfig c = config("""
                    modules:
                      smtp:
                        prober: tcp
                        timeout: 3s
                        tcp:
                          query_response:
                            - expect: "^220 ([^ ]+) ESMTP"
                            - send: "HELO ${1}"
                            - expect: "^250 hello mail.example"
                            - send: QUIT
                      wrong_banner:
                        prober: tcp
                        timeout: 2s
                        tcp: {query_response: [{expect: "^220 other"}]}
                    """);
            String target = "127.0.0.1:" + server.getLocalPort();
            assertThat(parse(Prober.probe(c.modules().get("smtp"), target, null)))
                    .containsEntry("probe_success", 1.0).containsEntry("probe_ip_protocol", 4.0)
                    .containsEntry("probe_failed_due_to_regex", 0.0);
            // The server keeps the line open after its banner: the expect times out, a read error as blackbox_exporter
            // counts it (not a regex failure), bounded by the module's timeout.
            Map<String, Double> wrong = parse(Prober.probe(c.modules().get("wrong_banner"), target, null));
            assertThat(wrong).containsEntry("probe_success", 0.0).containsEntry("probe_failed_due_to_regex", 0.0);
            assertThat(wrong.get("probe_duration_seconds")).isBetween(1.9, 3.0);
        }
    }

    @Test
    void theScrapeTimeoutBoundsTheModuleTimeout() throws Exception {
        BlackboxConfig c = config("modules: {a: {prober: tcp, timeout: 30s}, b: {prober: tcp}}");
        assertThat(Prober.timeout(c.modules().get("a"), Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(9500));
        assertThat(Prober.timeout(c.modules().get("a"), null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Prober.timeout(c.modules().get("b"), null)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void unsupportedOrBadModulesAreRefusedAtFileLineColumn() {
        assertThatThrownBy(() -> config("modules:\n  icmp:\n    prober: icmp\n"))
                .hasMessageEndingWith("blackbox.yml:3:13: prober: \"icmp\" is not supported here (http or tcp)");
        assertThatThrownBy(() -> config("modules:\n  p:\n    prober: http\n    http:\n      proxy_url: http://proxy\n"))
                .hasMessageContaining("blackbox.yml:5:18: unknown key \"proxy_url\" in http");
        assertThatThrownBy(() -> config("modules:\n  p:\n    prober: http\n    http: {fail_if_body_matches_regexp: ['((']}\n"))
                .hasMessageContaining("blackbox.yml:4:42: fail_if_body_matches_regexp: invalid regular expression");
    }
}
