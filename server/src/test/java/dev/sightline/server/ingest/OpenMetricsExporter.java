package dev.sightline.server.ingest;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A local target for scrape tests: serves a fixed OpenMetrics exposition on /metrics of 127.0.0.1 (a free port).
 * As a static {@code @RegisterExtension} field it is stopped after all tests of the class.
 */
final class OpenMetricsExporter implements AutoCloseable, AfterAllCallback {
    private final HttpServer server;

    OpenMetricsExporter(String exposition) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] b = exposition.getBytes(StandardCharsets.UTF_8);
        server.createContext("/metrics", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
    }

    /** A {@code scrape_configs:} section with one job scraping this exporter every second. */
    String scrapeConfig(String job) {
        return """
                scrape_configs:
                  - job_name: %s
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(job, server.getAddress().getPort());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
