package dev.sightline.synthetics.http;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * How a TLS peer is checked: {@code insecure} skips chain and host name verification (blackbox_exporter's
 * insecure_skip_verify); {@code caFile} (PEM, or null for the JVM's default trust store) replaces the trusted roots;
 * {@code serverName} (or null: the URL's host) is the SNI name and the name the certificate must carry.
 */
public record TlsOptions(boolean insecure, Path caFile, String serverName) {
    public static final TlsOptions DEFAULT = new TlsOptions(false, null, null);

    /** A context trusting what these options say; read at each call so a renewed CA file is picked up. */
    SSLContext context() throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            TrustManager[] trust;
            if (insecure) {
                trust = new TrustManager[] {new TrustAll()};
            } else if (caFile != null) {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                try (InputStream in = Files.newInputStream(caFile)) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        ks.setCertificateEntry("ca" + i++, c);
                    }
                    if (i == 0) {
                        throw new IOException("no certificate in CA file " + caFile);
                    }
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                trust = tmf.getTrustManagers();
            } else {
                trust = null;
            }
            ctx.init(null, trust, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS" + (caFile == null ? "" : " with CA file " + caFile) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Accepts any chain: the certificates are still read, so their expiry can be reported and asserted. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
