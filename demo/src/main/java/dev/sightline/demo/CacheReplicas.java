package dev.sightline.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.SimClock;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The product cache over HTTP, for a freshness canary to write to and read back: {@code POST /cache/primary} stores
 * the body in the "database", {@code GET /cache/<replica>} (e.g. /cache/eu-west-2) answers the newest value that
 * replica holds. A replica holds the writes up to the time {@link Applied} gives it, so the stale-cache incident
 * (a replica that stops applying) shows as a value that stops changing while the replica keeps answering 200 OK.
 * The same server answers the company's own routes ({@link CompanyApi}, under {@value CompanyApi#PATH}), so the demo
 * opens one port for everything Sightline checks from the outside.
 */
final class CacheReplicas implements AutoCloseable {
    static final String PATH = "/cache/";
    static final String PRIMARY = "primary";
    /** Writes kept: a canary round every 30 s keeps 17 hours, longer than any incident. */
    static final int KEPT = 2048;
    private static final int MAX_VALUE_BYTES = 4096;

    /** Write time up to which a replica holds the primary's writes at {@code t} ({@link Company#replicaAppliedUntil}). */
    @FunctionalInterface
    interface Applied {
        long until(int region, int replica, long t);
    }

    private record Write(long millis, String value) {
    }

    private final HttpServer server;
    private final SimClock clock;
    private final Applied applied;
    private final ArrayDeque<Write> writes = new ArrayDeque<>(); // oldest first; guarded by itself

    CacheReplicas(String host, int port, SimClock clock, Applied applied, CompanyApi api) throws IOException {
        this.clock = clock;
        this.applied = applied;
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext(PATH, this::handle);
        server.createContext(CompanyApi.PATH, api::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getPath().substring(PATH.length());
            if (name.equals(PRIMARY)) {
                if (!"POST".equals(ex.getRequestMethod()) && !"PUT".equals(ex.getRequestMethod())) {
                    HaltWebhook.reply(ex, 405, "POST or PUT the value to " + PATH + PRIMARY + "\n");
                    return;
                }
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readNBytes(MAX_VALUE_BYTES + 1);
                }
                if (body.length == 0 || body.length > MAX_VALUE_BYTES) {
                    HaltWebhook.reply(ex, 400, "the body is the value: 1 to " + MAX_VALUE_BYTES + " bytes\n");
                    return;
                }
                write(clock.millis(), new String(body, StandardCharsets.UTF_8));
                HaltWebhook.reply(ex, 200, "ok\n");
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                HaltWebhook.reply(ex, 405, "GET a replica; writes go to " + PATH + PRIMARY + "\n");
                return;
            }
            for (int r = 0; r < Company.CACHE_REGIONS.size(); r++) {
                for (int k = 0; k < Company.CACHE_REPLICAS; k++) {
                    if (Company.replicaName(r, k).equals(name)) {
                        String value = newestUpTo(applied.until(r, k, clock.millis()));
                        HaltWebhook.reply(ex, value == null ? 404 : 200, value == null ? "nothing written yet\n" : value);
                        return;
                    }
                }
            }
            HaltWebhook.reply(ex, 404, "no replica \"" + name + "\" (replicas are <region>-<1.." + Company.CACHE_REPLICAS
                    + "> of " + Company.CACHE_REGIONS + ")\n");
        }
    }

    private void write(long millis, String value) {
        synchronized (writes) {
            writes.addLast(new Write(millis, value));
            if (writes.size() > KEPT) {
                writes.removeFirst();
            }
        }
    }

    /** The newest value written at or before {@code millis}, or null. */
    private String newestUpTo(long millis) {
        synchronized (writes) {
            for (Iterator<Write> it = writes.descendingIterator(); it.hasNext(); ) {
                Write w = it.next();
                if (w.millis() <= millis) {
                    return w.value();
                }
            }
            return null;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
