package dev.sightline.server.http;

import dev.sightline.server.BuildInfo;
import dev.sightline.server.selfmetrics.SelfMetrics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP routes. Every endpoint is registered through {@link #get} with its route pattern, which is also the
 * {@code handler} label of sightline_http_request_duration_seconds, so label cardinality stays bounded by the number
 * of routes whatever paths clients send.
 */
public final class HttpApi {
    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
    private static final String HANDLER_KEY = "sightline.handler";
    /** Handler label of requests no route matched (404, 405). */
    static final String UNMATCHED = "unmatched";
    private static final Set<String> KNOWN_METHODS = Set.of("get", "head", "post", "put", "delete", "patch", "options");
    private static final String TEXT = "text/plain; charset=utf-8";

    /**
     * Request line plus headers: Go's http.Server reads up to DefaultMaxHeaderBytes (1 MiB) of them, and tools send
     * long regex lists in GET query strings, so Prometheus's limit rather than Netty's 4 KiB and 8 KiB.
     */
    public static final int MAX_REQUEST_LINE_AND_HEADER_BYTES = 1 << 20;
    /**
     * Form bodies: Go's Request.ParseForm reads up to 10 MiB of an application/x-www-form-urlencoded body. Form
     * endpoints pass it as their body limit; the form decoder itself is unbounded, so that a body over the limit
     * always fails as a 413 of the body handler instead of an IOException of Netty's decoder.
     */
    public static final int MAX_FORM_BYTES = 10 << 20;

    private final Router router;
    private final SelfMetrics metrics;
    /** Every endpoint as "METHOD pattern", in registration order: what the security route table must classify. */
    private final List<String> routes = new ArrayList<>();
    /** Origins whose state-changing calls pass the cross-site check. */
    private volatile CrossOrigin trusted = CrossOrigin.NONE;

    public HttpApi(Vertx vertx, SelfMetrics metrics, BuildInfo buildInfo, BooleanSupplier ready) {
        this.metrics = metrics;
        this.router = Router.router(vertx);
        router.route().handler(this::timeRequest);
        router.route().handler(ctx -> CrossSiteGuard.handle(ctx, trusted));

        get("/-/healthy", ctx -> text(ctx, 200, "Sightline is Healthy.\n"));
        // 503 until storage has replayed its WAL, as Prometheus does while it starts.
        get("/-/ready", ctx -> {
            if (ready.getAsBoolean()) {
                text(ctx, 200, "Sightline is Ready.\n");
            } else {
                text(ctx, 503, "Service Unavailable");
            }
        });
        JsonObject buildInfoBody = buildInfoJson(buildInfo);
        get("/api/v1/status/buildinfo", ctx -> respond(ctx, 200, "application/json", buildInfoBody.toBuffer()));
        get("/metrics", ctx -> ctx.vertx().executeBlocking(metrics::scrape, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            respond(ctx, 200, SelfMetrics.CONTENT_TYPE, Buffer.buffer(ar.result()));
        }));

        // Go's net/http texts, which Prometheus answers with.
        router.errorHandler(404, ctx -> text(ctx, 404, "404 page not found\n"));
        router.errorHandler(405, ctx -> text(ctx, 405, "405 method not allowed\n"));
        router.errorHandler(500, this::internalError);
    }

    public Router router() {
        return router;
    }

    /** Lets state-changing calls from {@code origins} pass the cross-site check (cors.origin; again on reload). */
    public void trustOrigins(CrossOrigin origins) {
        this.trusted = origins;
    }

    /** The origins trusted now: what the listeners' CORS handling reads per request. */
    public CrossOrigin trustedOrigins() {
        return trusted;
    }

    /** Every registered endpoint as {@code "GET /api/v1/query"} (GET stands for HEAD too). */
    public List<String> routes() {
        return List.copyOf(routes);
    }

    /** Server options with Prometheus's request size limits; the caller sets host and port. */
    public static HttpServerOptions serverOptions() {
        HttpServerOptions options = new HttpServerOptions()
                .setMaxInitialLineLength(MAX_REQUEST_LINE_AND_HEADER_BYTES)
                .setMaxHeaderSize(MAX_REQUEST_LINE_AND_HEADER_BYTES)
                .setMaxFormAttributeSize(-1)
                .setMaxFormBufferedBytes(-1)
                .setMaxFormFields(-1);
        // Clients upgrading to h2c (Java's HttpClient does) send the same request line as HTTP/2 headers.
        options.getInitialSettings().setMaxHeaderListSize(MAX_REQUEST_LINE_AND_HEADER_BYTES);
        return options;
    }

    /** Registers a GET (and HEAD) endpoint; {@code pattern} becomes the handler label of its request metrics. */
    public void get(String pattern, Handler<RoutingContext> handler) {
        routes.add("GET " + pattern);
        router.route(pattern).method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(ctx -> {
                    ctx.put(HANDLER_KEY, pattern);
                    ctx.next();
                })
                .handler(handler);
    }

    /** Registers a DELETE endpoint; {@code pattern} is the handler label as for {@link #get}. */
    public void delete(String pattern, Handler<RoutingContext> handler) {
        routes.add("DELETE " + pattern);
        router.route(pattern).method(HttpMethod.DELETE)
                .handler(ctx -> {
                    ctx.put(HANDLER_KEY, pattern);
                    ctx.next();
                })
                .handler(handler);
    }

    /**
     * Registers a POST endpoint whose body is read first (form bodies become {@code request().formAttributes()}),
     * refusing bodies over {@code maxBodyBytes} with 413; {@code pattern} is the handler label as for {@link #get}.
     * Returns the route of the endpoint's handler, for a failure handler of its own (the 413 among others).
     */
    public Route post(String pattern, long maxBodyBytes, Handler<RoutingContext> handler) {
        return withBody(HttpMethod.POST, pattern, maxBodyBytes, handler);
    }

    /** Registers a PUT endpoint whose body is read first, as {@link #post} does. */
    public Route put(String pattern, long maxBodyBytes, Handler<RoutingContext> handler) {
        return withBody(HttpMethod.PUT, pattern, maxBodyBytes, handler);
    }

    private Route withBody(HttpMethod method, String pattern, long maxBodyBytes, Handler<RoutingContext> handler) {
        routes.add(method.name() + " " + pattern);
        // Vert.x refuses a body handler after a user handler on one route, so the label is set by a route of its
        // own, registered first so that it also labels a 413 from the body handler.
        router.route(pattern).method(method)
                .handler(ctx -> {
                    ctx.put(HANDLER_KEY, pattern);
                    ctx.next();
                });
        return router.route(pattern).method(method)
                // Sized from Content-Length (Vert.x caps it at 64 KB) rather than grown by doubling from 1 KB: a
                // 50 KB remote-write body was copied six times and left 120 KB of garbage.
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes).setPreallocateBodyBuffer(true))
                .handler(handler);
    }

    /** Whether a Content-Encoding header names gzip (false for none or identity). */
    public static boolean isGzip(String encoding) {
        return encoding != null && encoding.trim().equalsIgnoreCase("gzip");
    }

    /**
     * Why a push endpoint cannot read a body with this Content-Encoding (its 415 message), or null when it can:
     * none, identity or gzip.
     */
    public static String unsupportedEncoding(String encoding) {
        if (encoding == null || encoding.isBlank() || isGzip(encoding) || encoding.trim().equalsIgnoreCase("identity")) {
            return null;
        }
        return "unsupported Content-Encoding \"" + encoding + "\": use gzip or none";
    }

    /** The request body read by the body handler; empty when there is none. */
    public static byte[] bodyBytes(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        return body == null ? new byte[0] : body.getBytes();
    }

    /** The media type of a Content-Type header, lower case without parameters; "" when absent. */
    public static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    static JsonObject buildInfoJson(BuildInfo info) {
        // Prometheus's exact shape. goVersion carries the Java runtime version: there is no Go here, and Grafana
        // reads only "version".
        return new JsonObject()
                .put("status", "success")
                .put("data", new JsonObject()
                        .put("version", info.prometheusCompatibleVersion())
                        .put("revision", info.revision())
                        .put("branch", info.branch())
                        .put("buildUser", info.buildUser())
                        .put("buildDate", info.buildDate())
                        .put("goVersion", info.javaVersion()));
    }

    private void timeRequest(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(ar -> {
            String method = ctx.request().method().name().toLowerCase(Locale.ROOT);
            metrics.observeHttpRequest(ctx.get(HANDLER_KEY, UNMATCHED), ctx.response().getStatusCode(),
                    KNOWN_METHODS.contains(method) ? method : "other", (System.nanoTime() - start) / 1e9);
        });
        ctx.next();
    }

    private void internalError(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        LOG.log(Level.WARNING, "request " + ctx.request().method() + " " + ctx.request().path() + " failed", failure);
        if (!ctx.response().ended() && !ctx.response().headWritten()) {
            text(ctx, 500, "internal error: " + (failure == null ? "unknown" : String.valueOf(failure.getMessage())) + "\n");
        } else if (!ctx.response().ended()) {
            ctx.response().reset();
        }
    }

    private static void text(RoutingContext ctx, int status, String body) {
        respond(ctx, status, TEXT, Buffer.buffer(body));
    }

    /**
     * Ends the response with a body, or for HEAD with the same headers (Content-Length included) and no body:
     * Vert.x would otherwise write the body on HEAD too. The future completes once the body is written (or failed to).
     */
    public static Future<Void> respond(RoutingContext ctx, int status, String contentType, Buffer body) {
        HttpServerResponse r = ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType);
        if (ctx.request().method() == HttpMethod.HEAD) {
            return r.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length())).end();
        }
        return r.end(body);
    }

    /**
     * A {@code limit}-like query parameter: {@code fallback} when absent, else a whole number from 1 to {@code max};
     * anything else is answered 400 in Prometheus's error envelope naming the parameter, and -1 returned.
     */
    public static int boundedParam(RoutingContext ctx, String name, int fallback, int max) {
        String v = ctx.request().getParam(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > max) {
            respond(ctx, 400, "application/json", new JsonObject().put("status", "error").put("errorType", "bad_data")
                    .put("error", name + ": \"" + v + "\" is not a whole number from 1 to " + max).toBuffer());
            return -1;
        }
        return n;
    }
}
