package dev.sightline.server.security;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made for a test with BouncyCastle: a CA, a server certificate for localhost and 127.0.0.1, a client
 * certificate from the CA (SAN DNS client.example) and a stranger's from another CA, each written as PEM files.
 */
final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    final Path dir;
    final Path ca;
    final Path serverCert;
    final Path serverKey;
    final Path clientCert;
    final Path clientKey;
    final Path strangerCert;
    final Path strangerKey;
    private final X509Certificate caCert;
    private final X509Certificate client;
    private final PrivateKey clientPrivate;
    /** The CA's key: set when the CA signs itself, used for certificates renewed later. */
    private PrivateKey caPrivate;

    private TestCerts(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir);
        KeyPair caKeys = keys();
        caCert = sign("CN=Sightline test CA", caKeys, "CN=Sightline test CA", caKeys.getPrivate(), true, null);
        ca = write("ca.crt", pem("CERTIFICATE", caCert.getEncoded()));
        KeyPair serverKeys = keys();
        X509Certificate server = sign("CN=localhost", serverKeys, "CN=Sightline test CA", caKeys.getPrivate(), false,
                new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        serverCert = write("server.crt", pem("CERTIFICATE", server.getEncoded()));
        serverKey = write("server.key", pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
        KeyPair clientKeys = keys();
        client = sign("CN=client", clientKeys, "CN=Sightline test CA", caKeys.getPrivate(), false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "client.example")));
        clientPrivate = clientKeys.getPrivate();
        clientCert = write("client.crt", pem("CERTIFICATE", client.getEncoded()));
        clientKey = write("client.key", pem("PRIVATE KEY", clientPrivate.getEncoded()));
        KeyPair otherCa = keys();
        KeyPair strangerKeys = keys();
        X509Certificate stranger = sign("CN=stranger", strangerKeys, "CN=Other CA", otherCa.getPrivate(), false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "client.example")));
        strangerCert = write("stranger.crt", pem("CERTIFICATE", stranger.getEncoded()));
        strangerKey = write("stranger.key", pem("PRIVATE KEY", strangerKeys.getPrivate().getEncoded()));
    }

    static TestCerts create(Path dir) throws Exception {
        return new TestCerts(dir);
    }

    /** A fresh server certificate for localhost from the same CA, written over server.crt and server.key. */
    String renewServer() throws Exception {
        KeyPair serverKeys = keys();
        X509Certificate server = sign("CN=localhost renewed", serverKeys, "CN=Sightline test CA", null, false,
                new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        Files.writeString(serverKey, pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
        Files.writeString(serverCert, pem("CERTIFICATE", server.getEncoded()));
        return server.getSubjectX500Principal().getName();
    }

    /** A client TLS context trusting the CA, presenting the client certificate when {@code withClientCert}. */
    SSLContext clientContext(boolean withClientCert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", caCert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = null;
        if (withClientCert) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", clientPrivate, new char[0], new Certificate[] {client});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
        }
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private X509Certificate sign(String subject, KeyPair keys, String issuer, PrivateKey issuerKey, boolean isCa,
                                 GeneralNames sans) throws Exception {
        if (isCa) {
            caPrivate = keys.getPrivate();
        }
        PrivateKey signer = issuerKey != null ? issuerKey : caPrivate;
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)), new X500Name(subject), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        }
        if (sans != null) {
            b.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
