package dev.sightline.synthetics.journey;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made with the JDK's keytool (its -startdate puts validity in the past, so an expired
 * certificate needs no fake clock), and an HTTPS server presenting one.
 */
public final class TestCerts {
    public static final String PASSWORD = "changeit";

    private TestCerts() {
    }

    /** A PKCS12 key store with a certificate for localhost/127.0.0.1, valid from {@code startDate} for {@code days}. */
    public static Path keyStore(Path dir, String name, String startDate, int days) throws IOException, InterruptedException {
        Path ks = dir.resolve(name + ".p12");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "shop", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", Integer.toString(days),
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (startDate != null) {
            cmd.addAll(List.of("-startdate", startDate));
        }
        run(cmd);
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-exportcert", "-rfc",
                "-alias", "shop", "-keystore", ks.toString(), "-storepass", PASSWORD,
                "-file", dir.resolve(name + ".pem").toString()));
        return ks;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
    }

    /** An HTTPS server on 127.0.0.1 answering 200 "secure ok" at every path, with the key store's certificate. */
    public static HttpsServer httpsServer(Path keyStore) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", ex -> ShopApp.send(ex, 200, "{\"secure\":\"ok\"}"));
        server.start();
        return server;
    }
}
