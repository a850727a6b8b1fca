package dev.sightline.server.traces;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A small Java HTTP app for {@link AgentTracesIT}, run in a child JVM with the OpenTelemetry Java agent attached and
 * no tracing code of its own: a JDK HTTP server whose /orders handler calls /stock on itself with the JDK HTTP client,
 * {@code args[0]} requests in all; then it exits, and the agent exports what it recorded at shutdown.
 */
public final class AgentDemoApp {
    private AgentDemoApp() {
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(args[0]);
        HttpClient client = HttpClient.newHttpClient();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String base = "http://127.0.0.1:";
        server.createContext("/stock", ex -> {
            byte[] body = "42".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/orders", ex -> {
            String stock;
            try {
                stock = client.send(HttpRequest.newBuilder(URI.create(base + server.getAddress().getPort() + "/stock")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stock = "?";
            }
            byte[] body = ("stock " + stock).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        // A handler that calls this server again needs a second thread (the default runs handlers on the dispatcher).
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + server.getAddress().getPort()
                    + "/orders?n=" + i)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("request " + i + ": " + r.statusCode() + " " + r.body());
        }
        server.stop(0);
        System.out.println("done");
        System.exit(0); // the executor's threads are not daemons
    }
}
