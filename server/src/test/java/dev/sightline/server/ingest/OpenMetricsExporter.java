package dev.sightline.server.ingest;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A local target for scrape tests: serves a fixed OpenMetrics exposition on /metrics of 127.0.0.1 (a free port). */
final class OpenMetricsExporter {
    private OpenMetricsExporter() {
    }

    static HttpServer start(String exposition) throws IOException {
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] b = exposition.getBytes(StandardCharsets.UTF_8);
        exporter.createContext("/metrics", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        exporter.start();
        return exporter;
    }
}
