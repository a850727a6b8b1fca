package dev.sightline.ingest.scrape;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** https targets: a self-signed certificate (made with the JDK's keytool) trusted through ca_file or skipped. */
class ScrapeTlsTest {
    @TempDir
    static Path dir;
    private HttpsServer server;
    private Path caPem;
    private final RecordingStorage storage = new RecordingStorage();

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @BeforeEach
    void start() throws Exception {
        Path ks = dir.resolve("server.p12");
        if (!Files.exists(ks)) {
            keytool("-genkeypair", "-alias", "s", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit");
            keytool("-exportcert", "-rfc", "-alias", "s", "-keystore", ks.toString(), "-storepass", "changeit",
                    "-file", dir.resolve("ca.pem").toString());
        }
        caPem = dir.resolve("ca.pem");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/metrics", ex -> {
            byte[] b = "secure 1\n".getBytes();
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ScrapeLoop.Result scrape(TlsConfig tls) throws Exception {
        ScrapeConfig c = new ScrapeConfig("tls", Duration.ofSeconds(15), Duration.ofSeconds(5), null, "https", null, null, null,
                null, null, null, null, null, null, null, null, tls, null, null, null, null, null);
        TargetBuilder.Result r = TargetBuilder.build(c, Map.of("__address__", "127.0.0.1:" + server.getAddress().getPort()), Map.of());
        return new ScrapeLoop(r.target(), c, HttpClients.forConfig(c), storage, null).scrapeOnce();
    }

    @Test
    void caFileTrustsTheServer() throws Exception {
        assertThat(scrape(new TlsConfig(caPem.toString(), null, null, null, null)).error()).isNull();
        assertThat(RecordingStorage.value(storage.last(), "secure")).isEqualTo(1);
    }

    @Test
    void insecureSkipVerifyAcceptsAnyCertificate() throws Exception {
        assertThat(scrape(new TlsConfig(null, null, null, null, true)).error()).isNull();
    }

    @Test
    void anUntrustedCertificateFailsTheScrape() throws Exception {
        assertThat(scrape(null).error()).startsWith("Get \"https://127.0.0.1:");
        assertThat(RecordingStorage.value(storage.last(), "up")).isEqualTo(0);
    }
}
