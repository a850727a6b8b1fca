package dev.sightline.demo;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stand-in OTLP/HTTP server: keeps every request body sent to {@code /v1/<signal>} and answers as it is told. */
final class OtlpCapture implements AutoCloseable {
    final List<byte[]> metrics = new CopyOnWriteArrayList<>();
    final List<byte[]> traces = new CopyOnWriteArrayList<>();
    final List<byte[]> logs = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    OtlpCapture(int status, byte[] answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        for (var e : new Object[][] {{"/v1/metrics", metrics}, {"/v1/traces", traces}, {"/v1/logs", logs}}) {
            @SuppressWarnings("unchecked")
            List<byte[]> into = (List<byte[]>) e[1];
            server.createContext((String) e[0], ex -> {
                if (!"application/x-protobuf".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
                    throw new IOException("not protobuf: " + ex.getRequestHeaders().getFirst("Content-Type"));
                }
                into.add(ex.getRequestBody().readAllBytes());
                ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
                ex.getResponseBody().write(answer);
                ex.close();
            });
        }
        server.start();
    }

    /** Also answers GET {@code path} with JSON (a stand-in for one of the server's HTTP APIs). */
    void json(String path, String body) {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        server.createContext(path, ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
