package dev.sightline.benchmarks.traces;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic traces of an eight-service shop, deterministic by seed and trace index (so requests can be built in
 * parallel and a trace found again by its index): 5-30 spans per trace, an HTTP server span per service hop with the
 * client span that called it, database calls with their statements and internal spans; 10-20 attributes per span
 * named as OpenTelemetry's semantic conventions name them, a few events, errors about 2% of server spans with an
 * exception event. Times in Unix nanoseconds; the encoders turn a trace into OTLP or Zipkin.
 */
final class TraceShape {
    static final String[] SERVICES = {"frontend", "api-gateway", "checkout", "cart", "payment", "inventory", "users",
            "shipping"};
    static final int INSTANCES = 3;
    /** Who calls whom: the frontend calls only the gateway, leaves call nobody but their databases. */
    private static final int[][] DOWNSTREAM = {{1}, {2, 3, 6, 5}, {4, 3, 5, 7, 6}, {5, 6}, {6}, {}, {}, {5}};
    private static final String[][] ROUTES = {
            {"/", "/checkout", "/cart", "/product/{id}", "/account"},
            {"/api/v1/orders", "/api/v1/cart/{id}", "/api/v1/users/{id}", "/api/v1/products"},
            {"/checkout/{orderId}", "/checkout/quote", "/checkout/confirm"},
            {"/cart/{id}", "/cart/{id}/items", "/cart/{id}/total"},
            {"/payments", "/payments/{id}/capture", "/payments/{id}/refund"},
            {"/stock/{sku}", "/stock/reserve", "/stock/release"},
            {"/users/{id}", "/users/{id}/preferences", "/sessions/{token}"},
            {"/shipments", "/shipments/{id}/quote", "/shipments/{id}/label"}};
    private static final String[] DB_SYSTEMS = {"postgresql", "redis", "postgresql", "redis", "postgresql", "postgresql",
            "mongodb", "postgresql"};
    private static final String[] TABLES = {"orders", "order_items", "carts", "products", "users", "payments", "stock",
            "shipments", "sessions", "addresses"};
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    private static final String[] AGENTS = {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
            "okhttp/4.12.0", "Java-http-client/21.0.5"};
    static final String[] TIERS = {"free", "standard", "premium", "enterprise"};

    /** One attribute: value is a String, Long, Double or Boolean. */
    record Attr(String key, Object value) {
    }

    record Event(long timeNanos, String name, List<Attr> attrs) {
    }

    /** OTLP's SpanKind numbers: 1 internal, 2 server, 3 client. */
    record Span(int service, int instance, long spanId, long parentId, String name, int kind, long startNanos,
                long endNanos, List<Attr> attrs, List<Event> events, boolean error) {
        long durationNanos() {
            return endNanos - startNanos;
        }
    }

    record Trace(long idHigh, long idLow, List<Span> spans) {
        String idHex() {
            return String.format("%016x%016x", idHigh, idLow);
        }
    }

    private final long seed;

    TraceShape(long seed) {
        this.seed = seed;
    }

    /** Trace {@code index}, starting at {@code startNanos}. */
    Trace trace(long index, long startNanos) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        long hi = rnd.nextLong(), lo = rnd.nextLong();
        int target = 5 + rnd.nextInt(26);
        List<Span> spans = new ArrayList<>(target);
        // Root: a slow tail (1 in 50 traces takes seconds), most requests tens of milliseconds.
        long rootDur = (long) (Math.exp(rnd.nextDouble(14.5, 18.0)) * (rnd.nextInt(50) == 0 ? 8 : 1));
        String tenant = "tenant-" + rnd.nextInt(200);
        String user = "user-" + rnd.nextInt(100_000);
        spans.add(server(rnd, 0, 0, startNanos, startNanos + rootDur, tenant, user));
        while (spans.size() < target) {
            Span parent = spans.get(rnd.nextInt(spans.size()));
            if (parent.kind == 3) {
                continue; // client spans have their one server child, or are leaves (database calls)
            }
            int[] down = DOWNSTREAM[parent.service];
            long room = parent.endNanos - parent.startNanos;
            long start = parent.startNanos + (long) (room * rnd.nextDouble(0.02, 0.5));
            long end = start + (long) ((parent.endNanos - start) * rnd.nextDouble(0.1, 0.9));
            int choice = rnd.nextInt(10);
            if (down.length > 0 && choice < 5 && target - spans.size() >= 2) {
                int callee = down[rnd.nextInt(down.length)];
                Span client = httpClient(rnd, parent, callee, start, end, tenant, user);
                spans.add(client);
                long net = Math.min((end - start) / 4, 200_000 + rnd.nextInt(300_000));
                spans.add(server(rnd, callee, client.spanId, start + net, end - net, tenant, user));
            } else if (choice < 8) {
                spans.add(database(rnd, parent, start, end, tenant));
            } else {
                spans.add(internal(rnd, parent, start, end, tenant, user));
            }
        }
        return new Trace(hi, lo, spans);
    }

    private static Span server(SplittableRandom rnd, int service, long parent, long start, long end, String tenant,
                               String user) {
        String route = ROUTES[service][rnd.nextInt(ROUTES[service].length)];
        String method = METHODS[rnd.nextInt(METHODS.length)];
        boolean error = rnd.nextInt(50) == 0;
        int status = error ? (rnd.nextBoolean() ? 500 : 503) : (rnd.nextInt(20) == 0 ? 404 : 200);
        List<Attr> a = new ArrayList<>(20);
        a.add(new Attr("http.request.method", method));
        a.add(new Attr("http.route", route));
        a.add(new Attr("url.path", route.replace("{id}", Integer.toString(rnd.nextInt(1_000_000)))
                .replace("{orderId}", "o-" + Integer.toHexString(rnd.nextInt())).replace("{sku}", "SKU-" + rnd.nextInt(50_000))
                .replace("{token}", Long.toHexString(rnd.nextLong()))));
        a.add(new Attr("url.scheme", "http"));
        a.add(new Attr("http.response.status_code", (long) status));
        a.add(new Attr("server.address", SERVICES[service]));
        a.add(new Attr("server.port", 8080L));
        a.add(new Attr("network.protocol.version", "1.1"));
        a.add(new Attr("client.address", "10.1." + rnd.nextInt(256) + "." + rnd.nextInt(256)));
        a.add(new Attr("http.request.body.size", method.equals("GET") ? 0L : (long) rnd.nextInt(4096)));
        a.add(new Attr("http.response.body.size", (long) rnd.nextInt(65_536)));
        a.add(new Attr("enduser.id", user));
        a.add(new Attr("app.tenant.id", tenant));
        if (service == 0) {
            a.add(new Attr("user_agent.original", AGENTS[rnd.nextInt(AGENTS.length)]));
            a.add(new Attr("app.customer.tier", TIERS[rnd.nextInt(TIERS.length)]));
        }
        extras(rnd, a);
        List<Event> ev = new ArrayList<>(2);
        if (error) {
            ev.add(new Event(end - (end - start) / 10, "exception", List.of(
                    new Attr("exception.type", "java.net.SocketTimeoutException"),
                    new Attr("exception.message", "Read timed out after 2000 ms"),
                    new Attr("exception.escaped", Boolean.TRUE))));
        }
        return new Span(service, rnd.nextInt(INSTANCES), rnd.nextLong(), parent, method + " " + route, 2, start, end, a,
                ev, error);
    }

    private static Span httpClient(SplittableRandom rnd, Span parent, int callee, long start, long end, String tenant,
                                   String user) {
        String route = ROUTES[callee][rnd.nextInt(ROUTES[callee].length)];
        String method = METHODS[rnd.nextInt(METHODS.length)];
        List<Attr> a = new ArrayList<>(20);
        a.add(new Attr("http.request.method", method));
        a.add(new Attr("url.full", "http://" + SERVICES[callee] + ":8080" + route.replace("{id}", Integer.toString(rnd.nextInt(1_000_000)))));
        a.add(new Attr("server.address", SERVICES[callee]));
        a.add(new Attr("server.port", 8080L));
        a.add(new Attr("http.response.status_code", 200L));
        a.add(new Attr("network.peer.address", "10.2." + rnd.nextInt(256) + "." + rnd.nextInt(256)));
        a.add(new Attr("network.protocol.version", "1.1"));
        a.add(new Attr("http.request.body.size", (long) rnd.nextInt(2048)));
        a.add(new Attr("http.response.body.size", (long) rnd.nextInt(16_384)));
        a.add(new Attr("peer.service", SERVICES[callee]));
        a.add(new Attr("app.tenant.id", tenant));
        a.add(new Attr("enduser.id", user));
        extras(rnd, a);
        List<Event> ev = new ArrayList<>(1);
        if (rnd.nextInt(10) == 0) {
            ev.add(new Event(start + (end - start) / 3, "http.retry", List.of(new Attr("http.request.resend_count", 1L),
                    new Attr("retry.reason", "connection reset"))));
        }
        return new Span(parent.service, parent.instance, rnd.nextLong(), parent.spanId, method, 3, start, end, a, ev,
                false);
    }

    private static Span database(SplittableRandom rnd, Span parent, long start, long end, String tenant) {
        String system = DB_SYSTEMS[parent.service];
        String table = TABLES[rnd.nextInt(TABLES.length)];
        boolean redis = system.equals("redis");
        String op = redis ? (rnd.nextBoolean() ? "GET" : "SET") : (rnd.nextInt(4) == 0 ? "UPDATE" : "SELECT");
        String statement = redis ? op + " " + table + ":" + rnd.nextInt(1_000_000)
                : op.equals("SELECT") ? "SELECT id, status, total, updated_at FROM " + table + " WHERE tenant_id = $1 AND id = $2"
                : "UPDATE " + table + " SET status = $1, updated_at = now() WHERE id = $2";
        List<Attr> a = new ArrayList<>(20);
        a.add(new Attr("db.system", system));
        a.add(new Attr("db.namespace", SERVICES[parent.service].replace("-", "_")));
        a.add(new Attr("db.operation.name", op));
        a.add(new Attr("db.collection.name", table));
        a.add(new Attr("db.query.text", statement));
        a.add(new Attr("server.address", system + "-" + SERVICES[parent.service] + ".db.internal"));
        a.add(new Attr("server.port", redis ? 6379L : 5432L));
        a.add(new Attr("network.peer.address", "10.3." + rnd.nextInt(256) + "." + rnd.nextInt(256)));
        a.add(new Attr("db.response.returned_rows", (long) rnd.nextInt(50)));
        a.add(new Attr("db.client.connection.pool.name", "hikari-" + SERVICES[parent.service]));
        a.add(new Attr("app.tenant.id", tenant));
        extras(rnd, a);
        return new Span(parent.service, parent.instance, rnd.nextLong(), parent.spanId, op + " " + table, 3, start, end,
                a, List.of(), false);
    }

    private static Span internal(SplittableRandom rnd, Span parent, long start, long end, String tenant, String user) {
        String fn = new String[]{"validate", "priceItems", "applyDiscounts", "serialize", "loadProfile", "checkLimits"}[rnd.nextInt(6)];
        List<Attr> a = new ArrayList<>(20);
        a.add(new Attr("code.function.name", fn));
        a.add(new Attr("code.namespace", "com.example.shop." + SERVICES[parent.service].replace("-", "") + ".service"));
        a.add(new Attr("code.file.path", "src/main/java/com/example/shop/" + fn + ".java"));
        a.add(new Attr("code.line.number", (long) (20 + rnd.nextInt(400))));
        a.add(new Attr("thread.id", (long) (30 + rnd.nextInt(200))));
        a.add(new Attr("thread.name", "http-nio-8080-exec-" + rnd.nextInt(200)));
        a.add(new Attr("app.cache.hit", rnd.nextBoolean()));
        a.add(new Attr("app.items.count", (long) rnd.nextInt(40)));
        a.add(new Attr("app.tenant.id", tenant));
        a.add(new Attr("enduser.id", user));
        extras(rnd, a);
        List<Event> ev = new ArrayList<>(2);
        if (rnd.nextInt(3) == 0) {
            ev.add(new Event(start + (end - start) / 2, "cache.lookup", List.of(new Attr("cache.key", fn + ":" + rnd.nextInt(10_000)),
                    new Attr("cache.hit", rnd.nextBoolean()))));
        }
        return new Span(parent.service, parent.instance, rnd.nextLong(), parent.spanId, fn, 1, start, end, a, ev, false);
    }

    /** Zero to four more attributes, as applications add their own, so spans carry 10-20. */
    private static void extras(SplittableRandom rnd, List<Attr> a) {
        int n = rnd.nextInt(Math.max(1, Math.min(5, 21 - a.size())));
        for (int i = 0; i < n && a.size() < 20; i++) {
            switch (rnd.nextInt(4)) {
                case 0 -> a.add(new Attr("app.request.id", Long.toHexString(rnd.nextLong())));
                case 1 -> a.add(new Attr("app.feature_flag.new_checkout", rnd.nextBoolean()));
                case 2 -> a.add(new Attr("app.region", "eu-west-" + (1 + rnd.nextInt(3))));
                default -> a.add(new Attr("app.latency.budget_ms", (double) (50 + rnd.nextInt(950))));
            }
        }
    }

    /** The resource of one service instance, as the OpenTelemetry Java agent describes a Kubernetes pod. */
    static List<Attr> resource(int service, int instance) {
        String s = SERVICES[service];
        String pod = s + "-7d9f8c6b5-" + Integer.toString(service * 7 + instance * 31 + 46_656, 36);
        return List.of(new Attr("service.name", s), new Attr("service.namespace", "shop"),
                new Attr("service.version", "1." + (service + 3) + ".2"),
                new Attr("service.instance.id", pod), new Attr("host.name", pod), new Attr("host.arch", "amd64"),
                new Attr("os.type", "linux"), new Attr("process.pid", 1L),
                new Attr("process.runtime.name", "OpenJDK Runtime Environment"),
                new Attr("process.runtime.version", "21.0.5+11-LTS"), new Attr("telemetry.sdk.name", "opentelemetry"),
                new Attr("telemetry.sdk.language", "java"), new Attr("telemetry.sdk.version", "1.56.0"),
                new Attr("k8s.namespace.name", "shop"), new Attr("k8s.pod.name", pod),
                new Attr("k8s.deployment.name", s), new Attr("deployment.environment.name", "production"));
    }

    /** The pod's IPv4 address for Zipkin's endpoints. */
    static String ip(int service, int instance) {
        return "10.0." + service + "." + (10 + instance);
    }
}
