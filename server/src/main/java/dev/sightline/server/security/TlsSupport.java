package dev.sightline.server.security;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Turns {@code tls_server_config} into Vert.x server SSL options, checking certificate, key and CA on the way. */
final class TlsSupport {
    private TlsSupport() {
    }

    /** Every cipher suite name the JVM knows (IANA names, as Go's crypto/tls uses). */
    static Set<String> supportedCipherSuites() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }

    /**
     * The SSL options of {@code tls} for a listener speaking {@code alpn} (h2 and/or http/1.1). Certificate, key and
     * client CA are loaded here, so a bad one fails with the field it came from instead of at the next handshake.
     */
    static ServerSSLOptions sslOptions(Vertx vertx, WebConfig.Tls tls, List<String> alpn) throws WebConfigException {
        ServerSSLOptions o = new ServerSSLOptions();
        PemKeyCertOptions keyCert = new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(tls.certPem())).setKeyValue(Buffer.buffer(tls.keyPem()));
        try {
            if (keyCert.getKeyManagerFactory(vertx) == null) {
                throw new IllegalArgumentException("no key found");
            }
        } catch (Exception e) {
            throw new WebConfigException("tls_server_config.cert_file/key_file", "cannot load the certificate and key: " + message(e), e);
        }
        o.setKeyCertOptions(keyCert);
        WebConfig.ClientAuth auth = tls.clientAuth();
        o.setClientAuth(auth.requires ? ClientAuth.REQUIRED : auth.asks ? ClientAuth.REQUEST : ClientAuth.NONE);
        if (auth.verifies) {
            PemTrustOptions trust = new PemTrustOptions().addCertValue(Buffer.buffer(tls.clientCaPem()));
            try {
                trust.getTrustManagerFactory(vertx);
            } catch (Exception e) {
                throw new WebConfigException("tls_server_config.client_ca_file", "cannot load the client CA: " + message(e), e);
            }
            o.setTrustOptions(trust);
        } else if (auth.asks) {
            // RequestClientCert and RequireAnyClientCert take any certificate without checking it, as in Go.
            o.setTrustOptions(TrustOptions.wrap(new AcceptAny()));
        }
        o.setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.protocols()));
        if (!tls.cipherSuites().isEmpty()) {
            // Go's cipher_suites apply up to TLS 1.2; TLS 1.3's suites stay on, as in Go where they are not configurable.
            for (String s : tls.cipherSuites()) {
                o.addEnabledCipherSuite(s);
            }
            for (String s : supportedCipherSuites()) {
                if (s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")) {
                    o.addEnabledCipherSuite(s);
                }
            }
        }
        o.setUseAlpn(true).setApplicationLayerProtocols(alpn);
        return o;
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** Whether the leaf certificate has a subject alternative name (DNS, IP, e-mail or URI) equal to one of {@code allowed}. */
    static boolean sanAllowed(List<Certificate> chain, List<String> allowed) {
        if (chain == null || chain.isEmpty() || !(chain.getFirst() instanceof X509Certificate leaf)) {
            return false;
        }
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans == null) {
                return false;
            }
            for (List<?> san : sans) {
                // Types 1 (e-mail), 2 (DNS), 6 (URI) and 7 (IP) are strings; others are not matched, as in the toolkit.
                if (san.size() == 2 && san.get(1) instanceof String value && allowed.contains(value)) {
                    return true;
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        return false;
    }

    /** A trust manager that takes every client certificate (Go's RequestClientCert and RequireAnyClientCert). */
    private static final class AcceptAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // accepted unchecked: the policy asks for a certificate without verifying it
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("server side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
