package dev.sightline.synthetics.http;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP/1.1 client written on plain sockets so each phase of an exchange (DNS, connect, TLS, first byte, download)
 * is timed where it happens; java.net.http.HttpClient hides them. One connection per exchange
 * ({@code Connection: close}), no compression asked for, so the body read is the body sent. The whole exchange,
 * redirects included, is bounded by the request's timeout.
 */
public final class PhasedHttpClient {
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_HEADER_BYTES = 64 << 10;

    /**
     * One request; {@code headers} are sent as given (Host, Content-Length and Connection are added when absent).
     * {@code ip} orders the addresses a name resolves to.
     */
    public record Request(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout,
                          TlsOptions tls, boolean followRedirects, long maxBodyBytes, IpPreference ip) {
    }

    /**
     * Which address family to try first ({@code ip4}, {@code ip6}, or null: the resolver's order), and whether the
     * other one may be used when the preferred one has no address (blackbox_exporter's preferred_ip_protocol and
     * ip_protocol_fallback).
     */
    public record IpPreference(String preferred, boolean fallback) {
        public static final IpPreference ANY = new IpPreference(null, true);

        List<InetAddress> order(InetAddress[] all) {
            if (preferred == null) {
                return List.of(all);
            }
            boolean six = preferred.equals("ip6");
            List<InetAddress> first = new ArrayList<>();
            List<InetAddress> rest = new ArrayList<>();
            for (InetAddress a : all) {
                (a instanceof Inet6Address == six ? first : rest).add(a);
            }
            if (fallback) {
                first.addAll(rest);
            }
            return first;
        }
    }

    /**
     * The final response; {@code headers} are keyed case-insensitively, {@code url} is where it came from,
     * {@code tlsVersion} the protocol negotiated ("TLSv1.3") or null, {@code address} the peer's IP.
     */
    public record Response(int status, String version, Map<String, List<String>> headers, byte[] body,
                           List<X509Certificate> peerCertificates, String tlsVersion, InetAddress address,
                           Timings timings, int redirects, URI url) {
        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.getFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An exchange that failed; {@link #timings()} holds the phases reached before it did. */
    public static final class ExchangeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Timings timings;

        ExchangeException(String message, Timings timings, Throwable cause) {
            super(message, cause);
            this.timings = timings;
        }

        public Timings timings() {
            return timings;
        }
    }

    /**
     * A connected socket (TLS done when asked) with the peer's certificates (empty without TLS) and the negotiated
     * TLS version (null without).
     */
    public record Connection(Socket socket, List<X509Certificate> peerCertificates, String tlsVersion) {
    }

    private PhasedHttpClient() {
    }

    /** Runs the request, following redirects when asked. */
    public static Response execute(Request request) throws ExchangeException {
        long start = System.nanoTime();
        long deadline = start + request.timeout().toNanos();
        Timings sum = new Timings();
        URI uri = request.uri();
        String method = request.method();
        byte[] body = request.body();
        for (int redirects = 0; ; redirects++) {
            Timings hop = new Timings();
            Response r;
            try {
                r = once(request, method, uri, body, deadline, hop);
            } catch (IOException e) {
                sum.add(hop);
                sum.total = System.nanoTime() - start;
                throw new ExchangeException(describe(e), sum, e);
            }
            sum.add(hop);
            String location = r.header("Location");
            if (!request.followRedirects() || r.status() < 300 || r.status() > 399 || location == null) {
                sum.total = System.nanoTime() - start;
                return new Response(r.status(), r.version(), r.headers(), r.body(), r.peerCertificates(),
                        r.tlsVersion(), r.address(), sum, redirects, uri);
            }
            if (redirects == MAX_REDIRECTS) {
                sum.total = System.nanoTime() - start;
                throw new ExchangeException("stopped after " + MAX_REDIRECTS + " redirects", sum, null);
            }
            uri = uri.resolve(location);
            // 303, and 301/302 after a POST, turn into a GET without body, as browsers and Go's client do.
            if (r.status() == 303 || ((r.status() == 301 || r.status() == 302) && method.equals("POST"))) {
                method = "GET";
                body = null;
            }
        }
    }

    private static String describe(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out: " + e.getMessage();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // A TLS failure's reason is usually in its cause (CertificateExpiredException and the like).
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c.getMessage() != null && !msg.contains(c.getMessage())) {
                msg = msg + ": " + c.getMessage();
            }
        }
        return msg;
    }

    private static Response once(Request request, String method, URI uri, byte[] body, long deadline, Timings t)
            throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException("unsupported URL scheme \"" + uri.getScheme() + "\" (http or https)");
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        Connection c = connect(uri.getHost(), port, tls ? request.tls() : null, request.ip(), deadline, t);
        try (Socket s = c.socket()) {
            long ready = System.nanoTime();
            OutputStream out = s.getOutputStream();
            out.write(head(request, method, uri, body, port, tls));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            setTimeout(s, deadline);
            int first = in.read();
            if (first < 0) {
                throw new IOException("connection closed before a response");
            }
            long firstAt = System.nanoTime();
            t.firstByte = firstAt - ready;
            String statusLine = (char) first + readLine(in, s, deadline);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP response: " + excerpt(statusLine));
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("bad status line: " + excerpt(statusLine), e);
            }
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            int headerBytes = 0;
            for (String line = readLine(in, s, deadline); !line.isEmpty(); line = readLine(in, s, deadline)) {
                headerBytes += line.length();
                if (headerBytes > MAX_HEADER_BYTES) {
                    throw new IOException("response headers larger than " + MAX_HEADER_BYTES + " bytes");
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
                            .add(line.substring(colon + 1).trim());
                }
            }
            byte[] content = readBody(in, s, deadline, method, status, headers, request.maxBodyBytes());
            t.download = System.nanoTime() - firstAt;
            return new Response(status, parts[0], headers, content, c.peerCertificates(), c.tlsVersion(),
                    s.getInetAddress(), t, 0, uri);
        }
    }

    /**
     * Resolves {@code host}, connects to the first address that answers and, when {@code tls} is not null, does the
     * TLS handshake, each phase timed into {@code t}. Used for HTTP and for blackbox's TCP prober.
     */
    public static Connection connect(String host, int port, TlsOptions tls, IpPreference ip, long deadlineNanos,
                                     Timings t) throws IOException {
        if (host == null || host.isEmpty()) {
            throw new IOException("no host to connect to");
        }
        long start = System.nanoTime();
        List<InetAddress> addresses = ip.order(
                InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host));
        t.dns = System.nanoTime() - start;
        long connectStart = System.nanoTime();
        Socket socket = null;
        IOException last = null;
        for (InetAddress a : addresses) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(a, port), remainingMillis(deadlineNanos));
                socket = s;
                break;
            } catch (IOException e) {
                s.close();
                last = e;
            }
        }
        if (socket == null) {
            throw last != null ? last : new IOException("no " + ip.preferred() + " address for " + host);
        }
        t.connect = System.nanoTime() - connectStart;
        if (tls == null) {
            return new Connection(socket, List.of(), null);
        }
        try {
            SSLSocket ssl = upgrade(socket, host, port, tls, deadlineNanos, t);
            return new Connection(ssl, peerCertificates(ssl, tls), ssl.getSession().getProtocol());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * The TLS handshake over a connected socket (also STARTTLS after a plain dialogue), timed into {@code t.tls};
     * the host name is checked and sent as SNI unless the options say otherwise.
     */
    public static SSLSocket upgrade(Socket socket, String host, int port, TlsOptions tls, long deadlineNanos, Timings t)
            throws IOException {
        long tlsStart = System.nanoTime();
        setTimeout(socket, deadlineNanos);
        String name = tls.serverName() != null ? tls.serverName() : host;
        SSLSocket ssl = (SSLSocket) tls.context().getSocketFactory().createSocket(socket, name, port, true);
        SSLParameters params = ssl.getSSLParameters();
        if (!tls.insecure()) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isIpLiteral(name)) {
            params.setServerNames(List.of(new SNIHostName(name)));
        }
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        peerCertificates(ssl, tls);
        t.tls = System.nanoTime() - tlsStart;
        return ssl;
    }

    /** The peer's chain; unless insecure, each certificate's dates are checked too. */
    public static List<X509Certificate> peerCertificates(SSLSocket ssl, TlsOptions tls) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : ssl.getSession().getPeerCertificates()) {
            if (c instanceof X509Certificate x) {
                // PKIX does not check a trust anchor's dates, so a self-signed certificate trusted through a CA
                // file would pass expired; browsers and Go refuse it, and so does this.
                if (!tls.insecure()) {
                    checkDates(x);
                }
                chain.add(x);
            }
        }
        return List.copyOf(chain);
    }

    private static void checkDates(X509Certificate c) throws SSLHandshakeException {
        try {
            c.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new SSLHandshakeException("certificate " + c.getSubjectX500Principal().getName() + " expired (not after "
                    + c.getNotAfter().toInstant() + ")");
        } catch (CertificateNotYetValidException e) {
            throw new SSLHandshakeException("certificate " + c.getSubjectX500Principal().getName()
                    + " not yet valid (not before " + c.getNotBefore().toInstant() + ")");
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
    }

    /** Time left before the deadline as a socket timeout (at least 1 ms: 0 would mean forever). */
    static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    public static void setTimeout(Socket s, long deadlineNanos) throws IOException {
        s.setSoTimeout(remainingMillis(deadlineNanos));
    }

    private static byte[] head(Request r, String method, URI uri, byte[] body, int port, boolean tls) {
        StringBuilder sb = new StringBuilder();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(r.headers());
        boolean defaultPort = port == (tls ? 443 : 80);
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("Host", defaultPort ? host : host + ":" + port);
        out.put("User-Agent", "Sightline-Synthetics");
        out.put("Accept", "*/*");
        out.putAll(headers);
        out.put("Connection", "close");
        if (body != null) {
            out.put("Content-Length", Integer.toString(body.length));
        }
        for (Map.Entry<String, String> e : out.entrySet()) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in, Socket s, long deadline) throws IOException {
        setTimeout(s, deadline);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed in the response head");
            }
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > MAX_HEADER_BYTES) {
                throw new IOException("response line longer than " + MAX_HEADER_BYTES + " bytes");
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readBody(InputStream in, Socket s, long deadline, String method, int status,
                                   Map<String, List<String>> headers, long max) throws IOException {
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
            return new byte[0];
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> te = headers.get("Transfer-Encoding");
        if (te != null && te.getLast().toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String sizeLine = readLine(in, s, deadline);
                int semi = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size: " + excerpt(sizeLine), e);
                }
                if (size == 0) {
                    while (!readLine(in, s, deadline).isEmpty()) {
                        // trailers are read and dropped
                    }
                    return body.toByteArray();
                }
                copy(in, s, deadline, body, size, max);
                readLine(in, s, deadline);
            }
        }
        List<String> cl = headers.get("Content-Length");
        if (cl != null) {
            long length;
            try {
                length = Long.parseLong(cl.getFirst().trim());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + excerpt(cl.getFirst()), e);
            }
            copy(in, s, deadline, body, length, max);
            return body.toByteArray();
        }
        copy(in, s, deadline, body, -1, max);
        return body.toByteArray();
    }

    /** Copies {@code length} bytes (-1: to the end of the stream), failing past {@code max} bytes in all. */
    private static void copy(InputStream in, Socket s, long deadline, ByteArrayOutputStream to, long length, long max)
            throws IOException {
        byte[] buf = new byte[8192];
        long left = length;
        while (left != 0) {
            setTimeout(s, deadline);
            int n = in.read(buf, 0, (int) (left < 0 ? buf.length : Math.min(buf.length, left)));
            if (n < 0) {
                if (length < 0) {
                    return;
                }
                throw new IOException("connection closed after " + (length - left) + " of " + length + " body bytes");
            }
            if (to.size() + n > max) {
                throw new IOException("response body larger than the limit of " + max + " bytes");
            }
            to.write(buf, 0, n);
            if (left > 0) {
                left -= n;
            }
        }
    }

    private static String excerpt(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
