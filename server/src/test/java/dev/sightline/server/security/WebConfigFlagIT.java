package dev.sightline.server.security;

import dev.sightline.server.ChildServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sightline server --web.config.file}: a good file serves TLS with credentials, a bad one refuses the start. */
class WebConfigFlagIT {
    @TempDir
    Path tmp;

    @Test
    void theServerCommandServesTheWebConfigFile() throws Exception {
        TestCerts certs = TestCerts.create(tmp);
        Path web = tmp.resolve("web.yml");
        Files.writeString(web, "tls_server_config: {cert_file: server.crt, key_file: server.key}\n" + WebSecurityTest.CREDENTIALS);
        ChildServer child = ChildServer.start(tmp.resolve("data"), tmp.resolve("server.log"), "--web.config.file", web.toString());
        try {
            int port = child.awaitPort();
            assertThat(child.output()).contains("web config " + web + ": TLS [TLSv1.2, TLSv1.3], client certificates NoClientCert, 2 basic-auth users, 2 bearer tokens");
            try (HttpClient client = HttpClient.newBuilder().sslContext(certs.clientContext(false)).build()) {
                String base = "https://127.0.0.1:" + port;
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/-/healthy")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/status/buildinfo")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/status/buildinfo"))
                        .header("Authorization", WebSecurityTest.basic("reader", "reader-pw")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
            assertThat(child.output()).doesNotContain("reader-pw");
        } finally {
            child.process().destroy();
            child.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBadWebConfigFileRefusesTheStartNamingTheField() throws Exception {
        Path web = tmp.resolve("web.yml");
        Files.writeString(web, "basic_auth_users:\n  alice: hunter2\n");
        ChildServer child = ChildServer.start(tmp.resolve("data"), tmp.resolve("server.log"), "--web.config.file", web.toString());
        assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.process().exitValue()).isEqualTo(1);
        assertThat(child.output()).contains("invalid web config file " + web + ": basic_auth_users.alice: not a bcrypt hash")
                .doesNotContain("hunter2");
    }
}
