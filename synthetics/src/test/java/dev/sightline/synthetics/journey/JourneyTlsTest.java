package dev.sightline.synthetics.journey;

import com.sun.net.httpserver.HttpsServer;
import dev.sightline.synthetics.journey.JourneyRun.Status;
import dev.sightline.synthetics.journey.JourneyRun.StepResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Certificate checks against HTTPS servers with a fresh and an expired certificate. */
class JourneyTlsTest {
    /** keytool starts a JVM per call: the certificates are made once for the class. */
    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        TestCerts.keyStore(dir, "fresh", null, 365);
        TestCerts.keyStore(dir, "expired", "2020/01/01 00:00:00", 30);
    }

    /** One step against an HTTPS server presenting the named certificate. */
    private static StepResult run(String certificate, String tls, String assertions) throws Exception {
        HttpsServer server = TestCerts.httpsServer(dir.resolve(certificate + ".p12"));
        try {
            String yaml = """
                    name: secure
                    steps:
                      - name: home
                        request: {url: "https://localhost:%d/", tls: %s}
                        assert: %s
                    """.formatted(server.getAddress().getPort(), tls, assertions);
            Journey j = JourneyParser.parse(YamlNode.parse("secure.yml", yaml.getBytes()), dir);
            return JourneyRunner.system().run(j, s -> { }).steps().getFirst();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aFreshCertificateTrustedThroughTheCaFilePassesWithItsTlsPhaseTimed() throws Exception {
        StepResult r = run("fresh", "{ca_file: fresh.pem}", "[{status: 200}, {cert_expiry_days: 30}, {jsonpath: $.secure, equals: ok}]");
        assertThat(r.failure()).isNull();
        assertThat(r.status()).isEqualTo(Status.PASSED);
        assertThat(r.timings().tls).isGreaterThan(0);
    }

    @Test
    void aCertificateNearItsEndFailsTheExpiryAssertion() throws Exception {
        StepResult r = run("fresh", "{ca_file: fresh.pem}", "[{cert_expiry_days: 400}]");
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.failure()).contains("certificate CN=localhost expires in 36").contains("need >= 400 days");
    }

    @Test
    void anExpiredCertificateFailsTheHandshakeWhenVerified() throws Exception {
        StepResult r = run("expired", "{ca_file: expired.pem}", "[{status: 200}]");
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.failure()).startsWith("request failed:").contains("certificate CN=localhost expired (not after 2020-01-31");
        assertThat(r.timings().connect).isGreaterThan(0);
        assertThat(r.timings().tls).isEqualTo(-1);
    }

    @Test
    void anExpiredCertificateFailsTheExpiryAssertionWhenNotVerified() throws Exception {
        StepResult r = run("expired", "{insecure: true}", "[{status: 200}, {cert_expiry_days: 14}]");
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.assertion()).isEqualTo("certificate valid >= 14 days");
        assertThat(r.failure()).contains("certificate CN=localhost expired").contains("not after 2020-01-31");
    }
}
