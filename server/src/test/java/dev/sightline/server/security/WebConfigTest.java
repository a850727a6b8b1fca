package dev.sightline.server.security;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebConfigTest {
    static final String HASH = OpenBSDBCrypt.generate("2y", "secret".toCharArray(), new byte[16], 4);

    @TempDir
    Path tmp;

    private WebConfig parse(String yaml) throws WebConfigException {
        return WebConfig.parse(yaml.getBytes(StandardCharsets.UTF_8), tmp, null);
    }

    private void refused(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(WebConfigException.class).hasMessageContaining(message);
    }

    @Test
    void anEmptyFileIsOpen() throws Exception {
        WebConfig c = parse("");
        assertThat(c.tls()).isNull();
        assertThat(c.requiresCredentials()).isFalse();
        assertThat(c.http2()).isTrue();
    }

    @Test
    void exporterToolkitFieldsAndSightlineScopes() throws Exception {
        TestCerts certs = TestCerts.create(tmp);
        WebConfig c = parse("""
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  client_ca_file: ca.crt
                  client_auth_type: RequireAndVerifyClientCert
                  client_allowed_sans: [client.example]
                  min_version: TLS13
                  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
                  prefer_server_cipher_suites: true
                http_server_config:
                  http2: false
                  headers:
                    X-Frame-Options: deny
                    Strict-Transport-Security: max-age=31536000
                basic_auth_users:
                  alice: %s
                  grafana: %s
                basic_auth_scopes:
                  grafana: {scopes: [read], tenant: team-a}
                bearer_tokens:
                  - name: collector
                    sha256: %s
                    scopes: [write]
                    tenant: team-b
                """.formatted(HASH, HASH, Authenticator.sha256Hex("tok")));
        assertThat(c.tls().clientAuth()).isEqualTo(WebConfig.ClientAuth.RequireAndVerifyClientCert);
        assertThat(c.tls().protocols()).containsExactly("TLSv1.3");
        assertThat(c.tls().certPem()).isEqualTo(Files.readString(certs.serverCert));
        assertThat(c.http2()).isFalse();
        assertThat(c.headers()).containsEntry("X-Frame-Options", "deny").hasSize(2);
        assertThat(c.users().get("alice").scopes()).isEqualTo(Scope.ALL);
        assertThat(c.users().get("grafana").scopes()).isEqualTo(Set.of(Scope.READ));
        assertThat(c.users().get("grafana").tenant()).isEqualTo("team-a");
        assertThat(c.tokens()).singleElement().satisfies(t -> {
            assertThat(t.scopes()).containsExactly(Scope.WRITE);
            assertThat(t.tenant()).isEqualTo("team-b");
        });
        assertThat(c.files()).containsExactly(tmp.resolve("server.crt"), tmp.resolve("server.key"), tmp.resolve("ca.crt"));
        assertThat(c.requiresCredentials()).isTrue();
    }

    @Test
    void badInputNamesTheField() throws Exception {
        TestCerts.create(tmp);
        refused("tls_server_config: {cert_file: server.crt}", "tls_server_config.key_file: missing");
        refused("tls_server_config: {cert_file: nope.crt, key_file: server.key}", "tls_server_config.cert_file: cannot read");
        refused("tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS14}",
                "tls_server_config.min_version: \"TLS14\" is not one of");
        refused("tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS13, max_version: TLS12}",
                "tls_server_config.min_version: TLS13 is above max_version TLS12");
        refused("tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: Maybe}",
                "tls_server_config.client_auth_type: \"Maybe\" is not one of");
        refused("tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireAndVerifyClientCert}",
                "tls_server_config.client_ca_file: missing");
        refused("tls_server_config: {cert_file: server.crt, key_file: server.key, cipher_suites: [TLS_NOPE]}",
                "tls_server_config.cipher_suites[0]: \"TLS_NOPE\" is not a cipher suite");
        refused("tls_server_config: {cert_file: server.crt, key_file: server.key, curve_preferences: [X25519]}",
                "tls_server_config.curve_preferences: not supported");
        refused("tls_server_config: {cert_file: server.crt, key_file: server.key, client_allowed_sans: [a]}",
                "tls_server_config.client_allowed_sans: needs client_auth_type");
        refused("tls_server_config: {cert: x, cert_file: server.crt, key_file: server.key}",
                "tls_server_config.cert: set cert or cert_file, not both");
        refused("tls_server_config: {certfile: server.crt}", "tls_server_config.certfile: unknown field");
        refused("http_server_config: {headers: {Server: x}}", "http_server_config.headers.Server: this header cannot be set");
        refused("http_server_config: {headers: {X-Frame-Options: always}}", "http_server_config.headers.X-Frame-Options: \"always\" is not one of");
        refused("http_server_config: {http2: maybe}", "http_server_config.http2: must be true or false");
        refused("basic_auth_users: {alice: plaintext}", "basic_auth_users.alice: not a bcrypt hash");
        refused("basic_auth_users: {\"a:b\": " + HASH + "}", "basic_auth_users.a:b: a user name must be");
        refused("basic_auth_scopes: {bob: {scopes: [read]}}", "basic_auth_scopes.bob: no such user");
        refused("basic_auth_users: {alice: " + HASH + "}\nbasic_auth_scopes: {alice: {scopes: [delete]}}",
                "basic_auth_scopes.alice.scopes[0]: \"delete\" is not one of read, write, admin");
        refused("bearer_tokens: [{name: a, sha256: abc, scopes: [read]}]", "bearer_tokens[0].sha256: must be the 64 hex digits");
        refused("bearer_tokens: [{name: a, sha256: " + "a".repeat(64) + "}]", "bearer_tokens[0].scopes: missing");
        refused("bearer_tokens: [{name: a, sha256: " + "a".repeat(64) + ", scopes: []}]", "bearer_tokens[0].scopes: empty");
        refused("bearer_tokens: [{name: a, sha256: " + "a".repeat(64) + ", scopes: [read]}, {name: a, sha256: "
                + "b".repeat(64) + ", scopes: [read]}]", "bearer_tokens[1].name: \"a\" is used by another token");
        refused("bearer_tokens: [{name: a, sha256: " + "a".repeat(64) + ", scopes: [read], tenant: \"a/b\"}]",
                "bearer_tokens[0].tenant: tenant ID 'a/b' contains unsupported characters");
        refused("bearer_tokens: {a: b}", "bearer_tokens: must be a list");
        refused("rate_limit: {interval: 1s, burst: 2}", "rate_limit: not supported");
        refused("basic_auth_user: {}", "basic_auth_user: unknown field");
        refused("a: [", "web config: invalid YAML");
        refused("basic_auth_users: {a: " + HASH + ", a: " + HASH + "}", "invalid YAML");
    }

    @Test
    void aTlsSectionWithoutCertificateOrClientSettingsIsPlainHttp() throws Exception {
        assertThat(parse("tls_server_config: {min_version: TLS13}").tls()).isNull();
        assertThat(parse("tls_server_config: {}").tls()).isNull();
        assertThat(List.of(WebConfig.ClientAuth.values())).hasSize(5);
    }
}
