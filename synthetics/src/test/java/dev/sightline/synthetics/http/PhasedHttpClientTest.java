package dev.sightline.synthetics.http;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PhasedHttpClientTest {
    private static PhasedHttpClient.Request get(String url, long maxBody) {
        return new PhasedHttpClient.Request("GET", URI.create(url), Map.of(), null, Duration.ofSeconds(5),
                TlsOptions.DEFAULT, false, maxBody, PhasedHttpClient.IpPreference.ANY);
    }

    @Test
    void aChunkedBodyIsReassembledAndTheRequestCarriesHostAndBody() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String[] seen = new String[2];
        server.createContext("/", ex -> {
            seen[0] = ex.getRequestHeaders().getFirst("Host");
            seen[1] = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 3; i++) {
                    out.write(("part" + i + ";").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            PhasedHttpClient.Response r = PhasedHttpClient.execute(new PhasedHttpClient.Request("POST",
                    URI.create("http://127.0.0.1:" + port + "/x?q=1"), Map.of("X-A", "b"), "hello".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(5), TlsOptions.DEFAULT, false, 1 << 20, PhasedHttpClient.IpPreference.ANY));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.bodyText()).isEqualTo("part0;part1;part2;");
            assertThat(seen).containsExactly("127.0.0.1:" + port, "hello");
        } finally {
            server.stop(0);
        }
    }

    /** A raw server: one connection answered with {@code response}, then closed. */
    private static String rawServer(ServerSocket ss, String response) {
        Thread.ofVirtual().start(() -> {
            try (Socket s = ss.accept()) {
                s.getInputStream().read(new byte[4096]);
                s.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
            } catch (Exception e) {
                // the test sees what the client got
            }
        });
        return "http://127.0.0.1:" + ss.getLocalPort() + "/";
    }

    @Test
    void aBodyWithoutLengthIsReadToTheEndOfTheConnection() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String url = rawServer(ss, "HTTP/1.0 200 OK\r\nX-Multi: a\r\nX-Multi: b\r\n\r\nuntil close");
            PhasedHttpClient.Response r = PhasedHttpClient.execute(get(url, 1 << 20));
            assertThat(r.version()).isEqualTo("HTTP/1.0");
            assertThat(r.bodyText()).isEqualTo("until close");
            assertThat(r.headers().get("x-multi")).containsExactly("a", "b");
        }
    }

    @Test
    void aBodyOverTheLimitOrATruncatedOneFailsWithTheirReason() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String url = rawServer(ss, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100));
            assertThatThrownBy(() -> PhasedHttpClient.execute(get(url, 10)))
                    .hasMessage("response body larger than the limit of 10 bytes");
        }
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String url = rawServer(ss, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
            assertThatThrownBy(() -> PhasedHttpClient.execute(get(url, 1 << 20)))
                    .hasMessage("connection closed after 5 of 100 body bytes")
                    .isInstanceOfSatisfying(PhasedHttpClient.ExchangeException.class,
                            e -> assertThat(e.timings().firstByte).isGreaterThan(0));
        }
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String url = rawServer(ss, "SSH-2.0-OpenSSH\r\n");
            assertThatThrownBy(() -> PhasedHttpClient.execute(get(url, 1 << 20)))
                    .hasMessage("not an HTTP response: SSH-2.0-OpenSSH");
        }
    }

    @Test
    void anUnknownHostFailsInTheDnsPhase() {
        assertThatThrownBy(() -> PhasedHttpClient.execute(get("http://no-such-host.invalid/", 1024)))
                .isInstanceOfSatisfying(PhasedHttpClient.ExchangeException.class,
                        e -> assertThat(e.timings().connect).isEqualTo(-1));
    }
}
