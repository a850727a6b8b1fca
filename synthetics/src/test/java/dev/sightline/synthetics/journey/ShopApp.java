package dev.sightline.synthetics.journey;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small shop for journey tests: login, search, add-to-cart, checkout and a cart delete for cleanup, with faults a
 * test switches on: search answering 200 with the wrong content, a slow add-to-cart, a checkout that fails on its
 * second call only.
 */
final class ShopApp implements AutoCloseable {
    static final String PASSWORD = "hunter2-secret";

    volatile boolean wrongContent;
    volatile long cartDelayMs;
    volatile boolean checkoutFailsOnSecondCall;
    final AtomicInteger checkouts = new AtomicInteger();
    final AtomicInteger cartDeletes = new AtomicInteger();
    volatile String lastAuthorization;
    private final HttpServer server;

    ShopApp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/login", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (body.contains("\"password\":\"" + PASSWORD + "\"")) {
                send(ex, 200, "{\"token\":\"t-42\",\"user\":\"alice\"}");
            } else {
                send(ex, 401, "{\"error\":\"bad credentials\"}");
            }
        });
        server.createContext("/search", ex -> {
            lastAuthorization = ex.getRequestHeaders().getFirst("Authorization");
            if (!"Bearer t-42".equals(lastAuthorization)) {
                send(ex, 401, "{\"error\":\"no token\"}");
            } else if (wrongContent) {
                // The seed's failure mode: 200 OK with a page that is not the answer.
                send(ex, 200, "{\"results\":[],\"banner\":\"We are down for maintenance\"}");
            } else {
                send(ex, 200, "{\"results\":[{\"id\":\"p-7\",\"name\":\"Red shoes\",\"price\":59.5}],\"total\":1}");
            }
        });
        server.createContext("/cart", ex -> {
            if (ex.getRequestMethod().equals("DELETE")) {
                cartDeletes.incrementAndGet();
                send(ex, 204, "");
                return;
            }
            sleep(cartDelayMs);
            send(ex, 201, "{\"ok\":true,\"cart\":\"c-1\",\"items\":1}");
        });
        server.createContext("/checkout", ex -> {
            int n = checkouts.incrementAndGet();
            if (checkoutFailsOnSecondCall && n == 2) {
                send(ex, 500, "{\"error\":\"payment backend unavailable\"}");
            } else {
                send(ex, 200, "{\"order\":\"o-" + n + "\",\"status\":\"confirmed\"}");
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
