package dev.sightline.synthetics.canary;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The seed's second incident in small: an app with a "database" and a cache in front of it. {@code POST /db} writes
 * the database (and invalidates the cache); {@code GET /cache} answers {@code {"value": ...}} from the cache, filled
 * from the database when invalidated. The database is the app's own value, or a query given at start (a real
 * PostgreSQL), in which case the cache is invalidated after {@code ttlMs}. After {@link #breakInvalidation()} the
 * cache is never invalidated again: it keeps serving its old value with 200 OK, as the incident's caches did.
 * {@link #hang()} makes every request hang (a reader that never answers).
 */
public final class StaleCacheApp implements AutoCloseable {
    private final HttpServer server;
    private final Callable<String> database;
    private final long ttlMs;
    private final AtomicReference<String> stored = new AtomicReference<>("");
    private volatile String cached;
    private volatile long cachedAtMs;
    private volatile boolean invalid = true;
    private volatile boolean broken;
    private volatile boolean hang;
    /** Hung requests wait on this; closing the app releases them. */
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private StaleCacheApp(Callable<String> database, long ttlMs) throws IOException {
        this.database = database != null ? database : stored::get;
        this.ttlMs = ttlMs;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/db", this::db);
        server.createContext("/cache", this::cache);
        server.start();
    }

    /** An app with its own in-memory database, written through POST /db. */
    public static StaleCacheApp inMemory() throws IOException {
        return new StaleCacheApp(null, Long.MAX_VALUE);
    }

    /** An app whose database is a query (a PostgreSQL table): the cache refreshes after {@code ttlMs}. */
    public static StaleCacheApp over(Callable<String> database, long ttlMs) throws IOException {
        return new StaleCacheApp(database, ttlMs);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void breakInvalidation() {
        broken = true;
    }

    public void hang() {
        hang = true;
    }

    private void db(HttpExchange ex) throws IOException {
        if (hangIfAsked(ex)) {
            return;
        }
        if (!ex.getRequestMethod().equals("POST")) {
            respond(ex, 405, "");
            return;
        }
        stored.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        invalid = true;
        respond(ex, 204, "");
    }

    private void cache(HttpExchange ex) throws IOException {
        if (hangIfAsked(ex)) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            if (!broken && (invalid || now - cachedAtMs > ttlMs)) {
                invalid = false;
                cached = database.call();
                cachedAtMs = now;
            }
        } catch (Exception e) {
            respond(ex, 500, e.toString());
            return;
        }
        respond(ex, 200, "{\"value\": \"" + (cached == null ? "" : cached) + "\"}");
    }

    private boolean hangIfAsked(HttpExchange ex) {
        if (!hang) {
            return false;
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ex.close();
        return true;
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
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
        closed.countDown();
        server.stop(0);
    }
}
