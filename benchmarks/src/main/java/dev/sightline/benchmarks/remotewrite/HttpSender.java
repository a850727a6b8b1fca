package dev.sightline.benchmarks.remotewrite;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection that POSTs remote-write bodies and reads each answer (status, headers, and a
 * body by Content-Length, chunked or until the server closes). Not thread-safe: one per sender.
 * <p>
 * Hand-written because the load generator's CPU comes out of the two cores the measured servers share, and the
 * libraries at hand cost several times more of it. The JDK's HttpClient spent about 2 ms of CPU per 50 kB request
 * (its selector and executor threads hand every exchange over). Vert.x 5's HttpClient (four request chains on one
 * event loop, one keep-alive connection each; commit 4c102cdc) measured as the benchmark's "load generator ... s CPU",
 * runs interleaved with this class's on the same machine (load average 2-10), with
 * {@code SIGHTLINE_BUILD=... benchmarks/remote-write.sh --only sightline} and
 * <ul>
 * <li>{@code --series 100000 --rounds 10}: Vert.x 1.9, 1.6, 2.0, 1.4 s; this class 0.3, 0.3, 0.4, 0.3 s;</li>
 * <li>{@code --series 1000000 --rounds 5}: Vert.x 4.8, 2.9, 3.1 s; this class 1.7, 0.8, 0.8 s (and Sightline took
 * 11.6-11.8 s against Vert.x, 10.3-10.6 s against this class).</li>
 * </ul>
 * Vert.x's event loop alone took about 0.8 ms of CPU per request (2.0 s for 2,500), and the JIT compiling its and
 * Netty's code about 1 s per run more than with this class.
 */
final class HttpSender implements Closeable {
    /** A server's answer; the body as text (error bodies are short). */
    record Answer(int status, String body) {
    }

    private static final int TIMEOUT_MS = 60_000;

    private final InetSocketAddress address;
    /** The request line and headers up to the Content-Length value. */
    private final String head;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    HttpSender(URI uri, String... headers) {
        this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
        StringBuilder b = new StringBuilder("POST ").append(uri.getRawPath()).append(" HTTP/1.1\r\nHost: ")
                .append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            b.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        this.head = b.append("Content-Length: ").toString();
    }

    /** Sends {@code payload} and returns the answer; on an I/O error the connection is dropped and the next call opens another. */
    Answer post(byte[] payload) throws IOException {
        try {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(address, 5_000);
                socket.setSoTimeout(TIMEOUT_MS);
                in = new BufferedInputStream(socket.getInputStream(), 8192);
                out = socket.getOutputStream();
            }
            out.write((head + payload.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            return readAnswer();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private Answer readAnswer() throws IOException {
        String status = line();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false, keepAlive = parts[0].equals("HTTP/1.1");
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            String name = h.substring(0, Math.max(colon, 0)).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.endsWith("chunked");
                case "connection" -> keepAlive = value.equals("keep-alive") || (keepAlive && !value.equals("close"));
                default -> {
                }
            }
        }
        body.reset();
        if (code == 204 || code == 304 || code / 100 == 1) {
            // no body
        } else if (chunked) {
            for (long n = chunkSize(); n > 0; n = chunkSize()) {
                copy(n);
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            copy(length);
        } else {
            in.transferTo(body);
            keepAlive = false;
        }
        if (!keepAlive) {
            close();
        }
        return new Answer(code, body.toString(StandardCharsets.UTF_8));
    }

    private long chunkSize() throws IOException {
        String s = line();
        int semi = s.indexOf(';');
        return Long.parseLong((semi < 0 ? s : s.substring(0, semi)).trim(), 16);
    }

    private void copy(long n) throws IOException {
        for (long i = 0; i < n; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("answer body ended after " + i + " of " + n + " bytes");
            }
            body.write(b);
        }
    }

    /** One header line without its CRLF. */
    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed in the answer's head");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a connection we are done with
            }
            socket = null;
        }
    }
}
