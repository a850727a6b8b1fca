package dev.sightline.synthetics.journey;

import com.sun.net.httpserver.HttpsServer;
import dev.sightline.synthetics.journey.JourneyRun.Status;
import dev.sightline.synthetics.journey.JourneyRun.StepResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Certificate checks against HTTPS servers with a fresh and an expired certificate. */
class JourneyTlsTest {
    @TempDir
    Path dir;

    private StepResult run(HttpsServer server, String tls, String assertions) throws Exception {
        String yaml = """
                name: secure
                steps:
                  - name: home
                    request: {url: "https://localhost:%d/", tls: %s}
                    assert: %s
                """.formatted(server.getAddress().getPort(), tls, assertions);
        JourneyRun run = JourneyRunner.system().run(JourneyParser.parse(YamlNode.parse("secure.yml", yaml.getBytes()), dir), s -> { });
        return run.steps().getFirst();
    }

    @Test
    void aFreshCertificateTrustedThroughTheCaFilePassesWithItsTlsPhaseTimed() throws Exception {
        Path ks = TestCerts.keyStore(dir, "fresh", null, 365);
        HttpsServer server = TestCerts.httpsServer(ks);
        try {
            StepResult r = run(server, "{ca_file: fresh.pem}", "[{status: 200}, {cert_expiry_days: 30}, {jsonpath: $.secure, equals: ok}]");
            assertThat(r.failure()).isNull();
            assertThat(r.status()).isEqualTo(Status.PASSED);
            assertThat(r.timings().tls).isGreaterThan(0);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anExpiredCertificateFailsTheHandshakeWhenVerified() throws Exception {
        Path ks = TestCerts.keyStore(dir, "expired", "2020/01/01 00:00:00", 30);
        HttpsServer server = TestCerts.httpsServer(ks);
        try {
            StepResult r = run(server, "{ca_file: expired.pem}", "[{status: 200}]");
            assertThat(r.status()).isEqualTo(Status.FAILED);
            assertThat(r.failure()).startsWith("request failed:").contains("certificate CN=localhost expired (not after 2020-01-31");
            assertThat(r.timings().connect).isGreaterThan(0);
            assertThat(r.timings().tls).isEqualTo(-1);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anExpiredCertificateFailsTheExpiryAssertionWhenNotVerified() throws Exception {
        Path ks = TestCerts.keyStore(dir, "expired", "2020/01/01 00:00:00", 30);
        HttpsServer server = TestCerts.httpsServer(ks);
        try {
            StepResult r = run(server, "{insecure: true}", "[{status: 200}, {cert_expiry_days: 14}]");
            assertThat(r.status()).isEqualTo(Status.FAILED);
            assertThat(r.httpStatus()).isEqualTo(200);
            assertThat(r.assertion()).isEqualTo("certificate valid >= 14 days");
            assertThat(r.failure()).contains("certificate CN=localhost expired").contains("not after 2020-01-31");
        } finally {
            server.stop(0);
        }
    }
}
