package dev.sightline.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.otlp.ForwardingMetricExporter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
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
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real clients against a Sightline started with --web.config.file over TLS: Debian's Prometheus remote-writing and
 * sending alerts with basic auth, Debian's amtool (Alertmanager's client) posting alerts and silences, the
 * OpenTelemetry Java SDK exporting with a bearer token over gRPC and HTTP, and curl with a client certificate. Each
 * is also refused: 401 without credentials, 403 with a credential lacking the scope.
 */
class WebAuthPeersIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path AMTOOL = Path.of("/usr/bin/amtool");
    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OTEL_TOKEN = "otel-4b0c7e1f9d2a48e6b5c3a1f0e9d8c7b6";
    private static final String DASH_TOKEN = "dash-8e2f1a7c3b9d4e5f6a0b1c2d3e4f5a6b";

    @TempDir
    Path tmp;
    private TestCerts certs;
    private SightlineServer server;
    private HttpClient client;
    private String base;

    @BeforeEach
    void start() throws Exception {
        certs = TestCerts.create(tmp.resolve("tls"));
        Path web = tmp.resolve("tls/web-config.yml");
        Files.writeString(web, """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  client_ca_file: ca.crt
                  client_auth_type: VerifyClientCertIfGiven
                basic_auth_users:
                  prom: %s
                  reader: %s
                  admin: %s
                basic_auth_scopes:
                  prom: {scopes: [write]}
                  reader: {scopes: [read]}
                bearer_tokens:
                  - {name: otel, sha256: %s, scopes: [write]}
                  - {name: dashboards, sha256: %s, scopes: [read]}
                """.formatted(hash("prom-pw"), hash("reader-pw"), hash("admin-pw"),
                Authenticator.sha256Hex(OTEL_TOKEN), Authenticator.sha256Hex(DASH_TOKEN)));
        // A configuration file (empty: defaults), so that /-/reload has something to reload.
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, "");
        server = SightlineServer.start(new SightlineServer.Settings(tmp.resolve("data"), "127.0.0.1", 0,
                SightlineConfig.defaults(), config, web));
        server.storage().get(60, TimeUnit.SECONDS);
        client = HttpClient.newBuilder().sslContext(certs.clientContext(false)).connectTimeout(Duration.ofSeconds(5)).build();
        base = "https://127.0.0.1:" + server.httpPort();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String hash(String password) {
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), new byte[16], 10);
    }

    @Test
    void prometheusRemoteWritesAndSendsAlertsOverTlsWithBasicAuth() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "peer not available: " + PROMETHEUS + " (Debian package prometheus)");
        int promPort = freePort();
        String ca = certs.ca.toString();
        Files.writeString(tmp.resolve("rules.yml"), """
                groups:
                  - name: webauth
                    interval: 1s
                    rules:
                      - alert: WebAuthAlways
                        expr: vector(1)
                """);
        String target = "127.0.0.1:" + server.httpPort();
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [%s]
                scrape_configs:
                  - job_name: prometheus
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                remote_write:
                  - name: sender
                    url: https://%s/api/v1/write
                    tls_config: {ca_file: %s}
                    basic_auth: {username: prom, password: prom-pw}
                    queue_config: {batch_send_deadline: 500ms, min_backoff: 100ms}
                  - name: anonymous
                    url: https://%s/api/v1/write
                    tls_config: {ca_file: %s}
                    queue_config: {batch_send_deadline: 500ms, min_backoff: 100ms}
                  - name: readonly
                    url: https://%s/api/v1/write
                    tls_config: {ca_file: %s}
                    basic_auth: {username: reader, password: reader-pw}
                    queue_config: {batch_send_deadline: 500ms, min_backoff: 100ms}
                alerting:
                  alertmanagers:
                    - scheme: https
                      api_version: v2
                      tls_config: {ca_file: %s}
                      basic_auth: {username: prom, password: prom-pw}
                      static_configs: [{targets: ['%s']}]
                """.formatted(tmp.resolve("rules.yml"), promPort, target, ca, target, ca, target, ca, ca, target));
        Path log = tmp.resolve("prometheus.log");
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            JsonNode up = poll(() -> query("up{job=\"prometheus\"}", basicAuth("reader", "reader-pw")),
                    r -> r.path("data").path("result").size() > 0, "remote-written up series");
            assertThat(up.path("data").path("result").get(0).path("value").get(1).asText()).isEqualTo("1");
            JsonNode alerts = poll(() -> getJson("/api/v2/alerts", basicAuth("reader", "reader-pw")),
                    r -> r.toString().contains("WebAuthAlways"), "alert sent by Prometheus");
            assertThat(alerts.toString()).contains("WebAuthAlways");
            // The other two queues are refused; Prometheus logs each as a non-recoverable error.
            poll(() -> JSON.valueToTree(Files.readString(log)), l -> l.asText().contains("HTTP status 403")
                    && l.asText().contains("HTTP status 401"), "401 and 403 in Prometheus's log");
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("remote_name=anonymous").contains("HTTP status 401 Unauthorized"));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("remote_name=readonly").contains("HTTP status 403 Forbidden")
                    .contains("lacks scope write"));
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void amtoolPostsAlertsWithWriteAndSilencesOnlyWithAdmin() throws Exception {
        assumeTrue(Files.isExecutable(AMTOOL), "peer not available: " + AMTOOL + " (Debian package prometheus-alertmanager)");
        Path sender = amtoolConfig("prom", "prom-pw");
        Path admin = amtoolConfig("admin", "admin-pw");
        Path anonymous = tmp.resolve("amtool-anonymous.yml");
        Files.writeString(anonymous, "tls_config: {ca_file: " + certs.ca + "}\n");

        Run posted = run(List.of(AMTOOL.toString(), "--alertmanager.url=" + base, "--http.config.file=" + sender,
                "alert", "add", "AmtoolAlert", "severity=page"));
        assertThat(posted.exit()).as(posted.output()).isZero();
        assertThat(getJson("/api/v2/alerts", "Bearer " + DASH_TOKEN).toString()).contains("AmtoolAlert");

        Run refused = run(List.of(AMTOOL.toString(), "--alertmanager.url=" + base, "--http.config.file=" + sender,
                "silence", "add", "alertname=AmtoolAlert", "--comment=webauth", "--author=test"));
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.output()).contains("403");
        Run nobody = run(List.of(AMTOOL.toString(), "--alertmanager.url=" + base, "--http.config.file=" + anonymous,
                "alert", "add", "AnonymousAlert"));
        assertThat(nobody.exit()).isNotZero();
        assertThat(nobody.output()).contains("401");
        Run silenced = run(List.of(AMTOOL.toString(), "--alertmanager.url=" + base, "--http.config.file=" + admin,
                "silence", "add", "alertname=AmtoolAlert", "--comment=webauth", "--author=test"));
        assertThat(silenced.exit()).as(silenced.output()).isZero();
        assertThat(getJson("/api/v2/silences", basicAuth("reader", "reader-pw")).toString()).contains("AmtoolAlert");
    }

    private Path amtoolConfig(String user, String password) throws Exception {
        Path p = tmp.resolve("amtool-" + user + ".yml");
        Files.writeString(p, "basic_auth: {username: " + user + ", password: " + password + "}\ntls_config: {ca_file: "
                + certs.ca + "}\n");
        return p;
    }

    @Test
    void openTelemetrySdkExportsWithABearerTokenOverTlsOnGrpcAndHttp() throws Exception {
        byte[] ca = Files.readAllBytes(certs.ca);
        String grpc = "https://localhost:" + server.otlp().grpcPort();
        String http = "https://localhost:" + server.otlp().httpPort() + "/v1/metrics";
        List<String> logged = new ArrayList<>();
        Logger otel = Logger.getLogger("io.opentelemetry.exporter");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (logged) {
                    logged.add(String.valueOf(r.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        otel.addHandler(capture);
        try {
            assertThat(export("grpc-ok", OtlpGrpcMetricExporter.builder().setEndpoint(grpc).setTrustedCertificates(ca)
                    .addHeader("Authorization", "Bearer " + OTEL_TOKEN).build())).isTrue();
            assertThat(export("http-ok", OtlpHttpMetricExporter.builder().setEndpoint(http).setTrustedCertificates(ca)
                    .addHeader("Authorization", "Bearer " + OTEL_TOKEN).build())).isTrue();
            assertThat(export("grpc-anon", OtlpGrpcMetricExporter.builder().setEndpoint(grpc).setTrustedCertificates(ca).build())).isFalse();
            assertThat(export("grpc-read", OtlpGrpcMetricExporter.builder().setEndpoint(grpc).setTrustedCertificates(ca)
                    .addHeader("Authorization", "Bearer " + DASH_TOKEN).build())).isFalse();
            assertThat(export("http-anon", OtlpHttpMetricExporter.builder().setEndpoint(http).setTrustedCertificates(ca).build())).isFalse();
            assertThat(export("http-read", OtlpHttpMetricExporter.builder().setEndpoint(http).setTrustedCertificates(ca)
                    .addHeader("Authorization", "Bearer " + DASH_TOKEN).build())).isFalse();
        } finally {
            otel.removeHandler(capture);
        }
        synchronized (logged) {
            String all = String.join("\n", logged);
            assertThat(all).contains("gRPC status code 16. Error message: credentials required")
                    .contains("gRPC status code 7. Error message: \"dashboards\" lacks scope write")
                    .contains("HTTP status code 401. Error message: credentials required")
                    .contains("HTTP status code 403. Error message: \"dashboards\" lacks scope write");
        }
        for (String service : List.of("grpc-ok", "http-ok")) {
            JsonNode r = poll(() -> query("webauth_exports_total{job=\"" + service + "\"}", "Bearer " + DASH_TOKEN),
                    j -> j.path("data").path("result").size() == 1, service + " in storage");
            assertThat(r.path("data").path("result").get(0).path("value").get(1).asText()).isEqualTo("1");
        }
        for (String service : List.of("grpc-anon", "grpc-read", "http-anon", "http-read")) {
            assertThat(query("webauth_exports_total{job=\"" + service + "\"}", "Bearer " + DASH_TOKEN)
                    .path("data").path("result").size()).as(service).isZero();
        }
    }

    /** Exports one counter through {@code exporter}; whether the export (not the reader's flush) succeeded. */
    private static boolean export(String service, MetricExporter exporter) {
        Recording recording = new Recording(exporter);
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service))))
                .registerMetricReader(PeriodicMetricReader.builder(recording).setInterval(Duration.ofHours(1)).build()).build();
        try {
            provider.get("webauth").counterBuilder("webauth.exports").build().add(1);
            provider.forceFlush().join(60, TimeUnit.SECONDS);
            return recording.last != null && recording.last.join(60, TimeUnit.SECONDS).isSuccess();
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    /** Keeps the result of the exporter's last export: the SDK's reader reports success whatever the exporter met. */
    private static final class Recording extends ForwardingMetricExporter {
        volatile CompletableResultCode last;

        Recording(MetricExporter delegate) {
            super(delegate);
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            last = delegate.export(metrics);
            return last;
        }
    }

    @Test
    void curlWithAClientCertificate() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "peer not available: " + CURL + " (Debian package curl)");
        List<String> mtls = List.of(CURL.toString(), "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
                certs.ca.toString(), "--cert", certs.clientCert.toString(), "--key", certs.clientKey.toString());
        assertThat(curl(mtls, "/-/healthy").output()).isEqualTo("200");
        assertThat(curl(mtls, "/api/v1/status/buildinfo").output()).isEqualTo("401");
        assertThat(curl(mtls, "/api/v1/status/buildinfo", "-u", "reader:reader-pw").output()).isEqualTo("200");
        assertThat(curl(mtls, "/-/reload", "-u", "reader:reader-pw", "-X", "POST").output()).isEqualTo("403");
        assertThat(curl(mtls, "/-/reload", "-u", "admin:admin-pw", "-X", "POST").output()).isEqualTo("200");
        // A certificate from a CA the server does not trust ends the handshake: no HTTP status at all.
        List<String> stranger = List.of(CURL.toString(), "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
                certs.ca.toString(), "--cert", certs.strangerCert.toString(), "--key", certs.strangerKey.toString());
        Run refused = curl(stranger, "/-/healthy");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.output()).contains("certificate unknown").endsWith("000");
    }

    private Run curl(List<String> command, String path, String... more) throws Exception {
        List<String> c = new ArrayList<>(command);
        c.addAll(List.of(more));
        c.add(base + path);
        return run(c);
    }

    private record Run(int exit, String output) {
    }

    private static Run run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static String basicAuth(String user, String password) {
        return WebSecurityTest.basic(user, password);
    }

    private JsonNode query(String promql, String authorization) throws Exception {
        return getJson("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), authorization);
    }

    private JsonNode getJson(String path, String authorization) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @FunctionalInterface
    private interface Get {
        JsonNode get() throws Exception;
    }

    private static JsonNode poll(Get get, Function<JsonNode, Boolean> done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get.get();
            if (done.apply(last)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting for " + what + "; last: " + last);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
