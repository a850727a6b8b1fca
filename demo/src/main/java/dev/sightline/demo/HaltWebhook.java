package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The trading desk's "halt strategy" endpoint: an Alertmanager webhook receiver ({@code POST /halt}, the version 4
 * payload). Every firing alert with a {@code strategy} label halts that strategy.
 */
final class HaltWebhook implements AutoCloseable {
    static final String PATH = "/halt";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    HaltWebhook(String host, int port, Consumer<JsonNode> onFiringAlert) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext(PATH, ex -> handle(ex, onFiringAlert));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange ex, Consumer<JsonNode> onFiringAlert) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, "POST only\n");
                return;
            }
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                body = JSON.readTree(in);
            } catch (IOException e) {
                reply(ex, 400, "body is not JSON: " + e.getMessage() + "\n");
                return;
            }
            JsonNode alerts = body == null ? null : body.get("alerts");
            if (alerts == null || !alerts.isArray()) {
                reply(ex, 400, "body has no \"alerts\" array (an Alertmanager webhook payload is expected)\n");
                return;
            }
            for (JsonNode a : alerts) {
                if ("firing".equals(a.path("status").asText())) {
                    onFiringAlert.accept(a);
                }
            }
            reply(ex, 200, "ok\n");
        }
    }

    static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
