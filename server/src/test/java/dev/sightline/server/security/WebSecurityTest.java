package dev.sightline.server.security;

import com.google.protobuf.CodedInputStream;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The guard and TLS of WebSecurity on a real Vert.x listener, with the JDK's HTTP client. */
class WebSecurityTest {
    static final String ALICE = OpenBSDBCrypt.generate("2y", "alice-pw".toCharArray(), new byte[16], 10);
    static final String READER = OpenBSDBCrypt.generate("2y", "reader-pw".toCharArray(), new byte[16], 4);
    static final String WRITER_TOKEN = "writer-token-0123456789abcdef";
    static final String TENANT_TOKEN = "tenant-token-0123456789abcdef";
    static final String CREDENTIALS = """
            basic_auth_users:
              alice: %s
              reader: %s
            basic_auth_scopes:
              reader: {scopes: [read]}
            bearer_tokens:
              - {name: writer, sha256: %s, scopes: [write]}
              - {name: team-a-sender, sha256: %s, scopes: [write, read], tenant: team-a}
            http_server_config:
              headers:
                X-Content-Type-Options: nosniff
            """.formatted(ALICE, READER, Authenticator.sha256Hex(WRITER_TOKEN), Authenticator.sha256Hex(TENANT_TOKEN));

    @TempDir
    Path tmp;
    private final Vertx vertx = Vertx.vertx();
    private HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private WebSecurity security;
    private String base;

    @AfterEach
    void close() throws Exception {
        client.close();
        if (security != null) {
            security.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Answers "ok BYTES TENANT": how much body arrived and the tenant header the handler saw. */
    private static final Handler<HttpServerRequest> ECHO = req -> req.body().onSuccess(b -> req.response()
            .end("ok " + b.length() + " " + req.getHeader(WebSecurity.TENANT_HEADER)));

    private void start(String config, WebSecurity.Listener listener) throws Exception {
        Path file = tmp.resolve("web.yml");
        Files.writeString(file, config);
        security = WebSecurity.load(vertx, file);
        HttpServerOptions options = security.configure(new HttpServerOptions().setHost("127.0.0.1").setPort(0), listener);
        HttpServer server = vertx.createHttpServer(options).requestHandler(security.guard(listener, ECHO)).listen()
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        security.attach(server, listener);
        base = (security.config().tls() == null ? "http" : "https") + "://127.0.0.1:" + server.actualPort();
    }

    private HttpResponse<String> send(String method, String path, String authorization, String tenant) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("x".repeat(100_000))
                        : HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (tenant != null) {
            b.header(WebSecurity.TENANT_HEADER, tenant);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutAFileEverythingPasses() throws Exception {
        security = WebSecurity.open(vertx);
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(security.guard(WebSecurity.Listener.HTTP, ECHO)).listen()
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
        assertThat(send("POST", "/-/reload", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void credentialsScopesAndOpenHealthChecks() throws Exception {
        start(CREDENTIALS, WebSecurity.Listener.HTTP);
        assertThat(send("GET", "/-/healthy", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/-/ready", null, null).statusCode()).isEqualTo(200);

        HttpResponse<String> none = send("GET", "/api/v1/query", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly(
                "Basic realm=\"Sightline\", charset=\"UTF-8\"", "Bearer realm=\"Sightline\"");
        assertThat(none.body()).contains("\"errorType\":\"unauthorized\"").contains("credentials required");
        assertThat(none.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(send("GET", "/metrics", null, null).body()).isEqualTo("credentials required: send basic auth or a bearer token\n");

        assertThat(send("GET", "/api/v1/query", basic("alice", "wrong"), null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/query", basic("mallory", "alice-pw"), null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/query", "Bearer nope", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/query", "Digest x", null).body()).contains("unsupported authorization scheme");
        assertThat(send("GET", "/api/v1/query", "Basic !!!", null).body()).contains("malformed basic auth header");

        // The first check of alice runs bcrypt on a worker with the request held: the whole body still arrives.
        HttpResponse<String> first = send("POST", "/-/reload", basic("alice", "alice-pw"), null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("ok 100000 null");
        assertThat(send("POST", "/-/reload", basic("alice", "alice-pw"), null).body()).isEqualTo("ok 100000 null");

        assertThat(send("GET", "/api/v1/query", basic("reader", "reader-pw"), null).statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/api/v1/query", basic("reader", "reader-pw"), null).statusCode()).isEqualTo(200);
        HttpResponse<String> readerWrites = send("POST", "/api/v1/write", basic("reader", "reader-pw"), null);
        assertThat(readerWrites.statusCode()).isEqualTo(403);
        assertThat(readerWrites.body()).contains("\\\"reader\\\" lacks scope write needed for POST /api/v1/write");

        assertThat(send("POST", "/api/v1/write", "Bearer " + WRITER_TOKEN, null).body()).isEqualTo("ok 100000 null");
        assertThat(send("GET", "/api/v1/query", "Bearer " + WRITER_TOKEN, null).statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v2/silences", "bearer " + WRITER_TOKEN, null).body()).contains("lacks scope admin");
        // an endpoint the table does not list needs admin
        assertThat(send("GET", "/api/v1/unlisted", basic("reader", "reader-pw"), null).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/v1/unlisted", basic("alice", "alice-pw"), null).statusCode()).isEqualTo(200);
        // the router's normalization cannot carry a request past the table: %77rite is write
        assertThat(send("POST", "/api/v1/%77rite", basic("reader", "reader-pw"), null).statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/query/../write", basic("reader", "reader-pw"), null).statusCode()).isEqualTo(403);
    }

    @Test
    void aTenantBoundTokenSetsItsTenantAndRefusesAnother() throws Exception {
        start(CREDENTIALS, WebSecurity.Listener.HTTP);
        String token = "Bearer " + TENANT_TOKEN;
        assertThat(send("POST", "/api/v1/write", token, null).body()).isEqualTo("ok 100000 team-a");
        assertThat(send("POST", "/api/v1/write", token, "team-a").body()).isEqualTo("ok 100000 team-a");
        HttpResponse<String> other = send("GET", "/api/v1/query", token, "team-b");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("bound to tenant \\\"team-a\\\"; the request names tenant \\\"team-b\\\"");
        // an unbound credential passes the header through as sent
        assertThat(send("POST", "/api/v1/write", "Bearer " + WRITER_TOKEN, "team-b").body()).isEqualTo("ok 100000 team-b");
    }

    @Test
    void otlpListenersNeedWriteOnEveryPath() throws Exception {
        start(CREDENTIALS, WebSecurity.Listener.OTLP_HTTP);
        assertThat(send("POST", "/v1/metrics", "Bearer " + WRITER_TOKEN, null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v1/metrics", basic("reader", "reader-pw"), null).statusCode()).isEqualTo(403);
        HttpResponse<byte[]> none = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/metrics"))
                .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(none.statusCode()).isEqualTo(401);
        CodedInputStream status = CodedInputStream.newInstance(none.body()); // google.rpc.Status
        assertThat(status.readTag()).isEqualTo(1 << 3);
        assertThat(status.readInt32()).isEqualTo(16);
        assertThat(status.readTag()).isEqualTo(2 << 3 | 2);
        assertThat(status.readString()).startsWith("credentials required");
        HttpResponse<String> json = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/logs"))
                .header("Content-Type", "application/json").header("Authorization", basic("reader", "reader-pw"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(403);
        assertThat(json.body()).contains("\"code\":7").contains("lacks scope write");
    }

    @Test
    void grpcRequestsAreRefusedWithGrpcStatuses() throws Exception {
        start(CREDENTIALS, WebSecurity.Listener.OTLP_GRPC);
        HttpResponse<String> none = client.send(HttpRequest.newBuilder(URI.create(base + "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"))
                .header("Content-Type", "application/grpc").POST(HttpRequest.BodyPublishers.ofString("")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(none.headers().firstValue("grpc-status")).hasValue("16");
        HttpResponse<String> reader = client.send(HttpRequest.newBuilder(URI.create(base + "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"))
                .header("Content-Type", "application/grpc").header("Authorization", basic("reader", "reader-pw"))
                .POST(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reader.headers().firstValue("grpc-status")).hasValue("7");
        assertThat(reader.headers().firstValue("grpc-message").orElseThrow()).contains("lacks%20scope%20write");
    }

    @Test
    void tlsCertificatesAreReloadedWhenTheyChangeAndABrokenFileKeepsTheOldOnes() throws Exception {
        TestCerts certs = TestCerts.create(tmp);
        start("""
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                """ + CREDENTIALS, WebSecurity.Listener.HTTP);
        client = HttpClient.newBuilder().sslContext(certs.clientContext(false)).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> before = send("GET", "/api/v1/query", basic("reader", "reader-pw"), null);
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(before.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(subject(before)).isEqualTo("CN=localhost");
        assertThat(security.reloadIfChanged()).isFalse();

        String renewed = certs.renewServer();
        assertThat(security.reloadIfChanged()).isTrue();
        client.close();
        client = HttpClient.newBuilder().sslContext(certs.clientContext(false)).connectTimeout(Duration.ofSeconds(5)).build();
        assertThat(subject(send("GET", "/api/v1/query", basic("reader", "reader-pw"), null))).isEqualTo(renewed);

        // A key that is not PEM: the error names the fields, the listener keeps serving the renewed certificate.
        Files.writeString(certs.serverKey, "not a key");
        assertThat(security.reloadIfChanged()).isFalse();
        assertThat(security.lastError()).contains("tls_server_config.cert_file/key_file: cannot load the certificate and key");
        assertThat(security.reloadIfChanged()).as("logged once per change").isFalse();
        client.close();
        client = HttpClient.newBuilder().sslContext(certs.clientContext(false)).connectTimeout(Duration.ofSeconds(5)).build();
        assertThat(subject(send("GET", "/api/v1/query", basic("reader", "reader-pw"), null))).isEqualTo(renewed);

        // The file itself: a new token works after the reload; a broken file keeps it.
        Path file = tmp.resolve("web.yml");
        certs.renewServer();
        Files.writeString(file, Files.readString(file).replace("scopes: [write]}", "scopes: [write, read]}"));
        assertThat(security.reloadIfChanged()).isTrue();
        assertThat(send("GET", "/api/v1/query", "Bearer " + WRITER_TOKEN, null).statusCode()).isEqualTo(200);
        Files.writeString(file, Files.readString(file).replace("min_version", "x") + "\nbearer_tokens: 3\n");
        assertThat(security.reloadIfChanged()).isFalse();
        assertThat(security.lastError()).contains("invalid YAML");
        assertThat(send("GET", "/api/v1/query", "Bearer " + WRITER_TOKEN, null).statusCode()).isEqualTo(200);
        Files.writeString(file, CREDENTIALS);
        assertThat(security.reloadIfChanged()).isFalse();
        assertThat(security.lastError()).contains("tls_server_config: turning TLS off needs a restart");
    }

    /** The gRPC listener keeps speaking HTTP/2 after new certificates, and a tenant is set on HTTP/2 requests too. */
    @Test
    void grpcOverTlsAfterACertificateReload() throws Exception {
        TestCerts certs = TestCerts.create(tmp);
        start("tls_server_config: {cert_file: server.crt, key_file: server.key}\n" + CREDENTIALS, WebSecurity.Listener.OTLP_GRPC);
        String renewed = certs.renewServer();
        assertThat(security.reloadIfChanged()).isTrue();
        client = HttpClient.newBuilder().sslContext(certs.clientContext(false)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"))
                .header("Content-Type", "application/grpc").header("Authorization", "Bearer " + TENANT_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("abc")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(subject(r)).isEqualTo(renewed);
        assertThat(r.body()).isEqualTo("ok 3 team-a");
    }

    @Test
    void theWatcherPicksUpAChangeByItself() throws Exception {
        start(CREDENTIALS, WebSecurity.Listener.HTTP);
        security.watch(100);
        assertThat(send("GET", "/api/v1/query", "Bearer " + WRITER_TOKEN, null).statusCode()).isEqualTo(403);
        Files.writeString(tmp.resolve("web.yml"), CREDENTIALS.replace("scopes: [write]}", "scopes: [read]}"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status = 0;
        while (System.nanoTime() < deadline && (status = send("GET", "/api/v1/query", "Bearer " + WRITER_TOKEN, null).statusCode()) != 200) {
            Thread.sleep(50);
        }
        assertThat(status).isEqualTo(200);
    }

    private static final String MUTUAL_TLS = """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_ca_file: ca.crt
              client_auth_type: RequireAndVerifyClientCert
            """;

    @Test
    void mutualTlsRefusesClientsWithoutATrustedCertificate() throws Exception {
        TestCerts certs = TestCerts.create(tmp);
        start(MUTUAL_TLS, WebSecurity.Listener.HTTP);
        client = HttpClient.newBuilder().sslContext(certs.clientContext(true)).build();
        assertThat(send("POST", "/-/reload", null, null).statusCode()).isEqualTo(200);
        HttpClient noCert = HttpClient.newBuilder().sslContext(certs.clientContext(false)).build();
        assertThatThrownBy(() -> noCert.send(HttpRequest.newBuilder(URI.create(base + "/-/healthy")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        noCert.close();
    }

    @Test
    void allowedSansAreCheckedOnTheClientCertificate() throws Exception {
        TestCerts certs = TestCerts.create(tmp);
        start(MUTUAL_TLS + "  client_allowed_sans: [other.example]\n", WebSecurity.Listener.HTTP);
        client = HttpClient.newBuilder().sslContext(certs.clientContext(true)).build();
        HttpResponse<String> r = send("GET", "/api/v1/query", null, null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("client_allowed_sans");
        Files.writeString(tmp.resolve("web.yml"), Files.readString(tmp.resolve("web.yml")).replace("other.example", "client.example"));
        assertThat(security.reloadIfChanged()).isTrue();
        assertThat(send("GET", "/api/v1/query", null, null).statusCode()).isEqualTo(200);
    }

    /** examples/web-config.yml as shipped, beside certificates named as it names them. */
    @Test
    void theExampleFileWorksAsTheReadmeSays() throws Exception {
        TestCerts certs = TestCerts.create(tmp);
        start(Files.readString(Path.of("../examples/web-config.yml")), WebSecurity.Listener.HTTP);
        client = HttpClient.newBuilder().sslContext(certs.clientContext(false)).build();
        assertThat(send("GET", "/-/healthy", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/query", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> admin = send("POST", "/-/reload", basic("admin", "change-me"), null);
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.headers().firstValue("X-Frame-Options")).hasValue("deny");
        assertThat(send("GET", "/api/v1/query", basic("grafana", "grafana-pw"), null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/api/v1/write", basic("grafana", "grafana-pw"), null).statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/write", "Bearer example-collector-token-replace-me", null).body())
                .isEqualTo("ok 100000 team-a");
        assertThat(send("GET", "/api/v1/query", "Bearer example-grafana-token-replace-me", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aBadCertificateRefusesTheStartNamingTheField() throws Exception {
        TestCerts.create(tmp);
        Files.writeString(tmp.resolve("web.yml"), "tls_server_config: {cert_file: ca.crt, key_file: server.key}\n");
        Files.writeString(tmp.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> WebSecurity.load(vertx, tmp.resolve("web.yml"))).isInstanceOf(WebConfigException.class)
                .hasMessageContaining("tls_server_config.cert_file/key_file: cannot load the certificate and key");
    }

    private static String subject(HttpResponse<?> r) throws Exception {
        return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }
}
