package dev.sightline.server.security;

import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.server.http.HttpApi;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.net.RFC3986;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ServerSSLOptions;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The web config in force on every listener: TLS on the sockets, and in front of every request handler the
 * credential check, the route's scope and the token's tenant. {@link #guard} wraps a listener's request handler, so
 * nothing (route, body handler, gRPC service) sees a request that has not passed. The file and the certificate files
 * it names are checked for changes every few seconds; a change is loaded whole or not at all, a broken file keeping
 * the config in force and logging the field at fault.
 */
public final class WebSecurity implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebSecurity.class.getName());
    /** How often the files are checked for changes. */
    public static final long DEFAULT_CHECK_MS = 5_000;
    /** The tenant header of Mimir, Loki and Tempo; a tenant-bound credential sets it. */
    public static final String TENANT_HEADER = "X-Scope-OrgID";
    private static final String REALM = "Sightline";
    /** google.rpc.Code values of a refusal, for gRPC and OTLP/HTTP clients. */
    private static final int RPC_PERMISSION_DENIED = 7;
    private static final int RPC_UNAUTHENTICATED = 16;

    /** The three listeners: the main HTTP API, OTLP/HTTP and OTLP/gRPC. */
    public enum Listener { HTTP, OTLP_HTTP, OTLP_GRPC }

    /** One loaded config with its credential checker; replaced whole on reload. */
    private record State(WebConfig config, Authenticator auth, Map<Path, String> stamps) {
    }

    private record Attached(HttpServer server, Listener listener) {
    }

    private final Vertx vertx;
    private final Path file;
    private final List<Attached> attached = new CopyOnWriteArrayList<>();
    private volatile State state;
    private volatile String lastError;
    private long timer = -1;

    private WebSecurity(Vertx vertx, Path file, WebConfig config) {
        this.vertx = vertx;
        this.file = file;
        this.state = new State(config, new Authenticator(config), stamps(config.files()));
    }

    /** No file: every request passes, plain HTTP. */
    public static WebSecurity open(Vertx vertx) {
        return new WebSecurity(vertx, null, WebConfig.OPEN);
    }

    /** The config of {@code file} (null: {@link #open}); a bad file or certificate fails here, naming the field. */
    public static WebSecurity load(Vertx vertx, Path file) throws WebConfigException {
        if (file == null) {
            return open(vertx);
        }
        WebConfig config = WebConfig.load(file);
        if (config.tls() != null) {
            for (Listener l : Listener.values()) {
                TlsSupport.sslOptions(vertx, config.tls(), alpn(l, config)); // fails now rather than at bind
            }
        }
        return new WebSecurity(vertx, file, config);
    }

    /** The config in force. */
    public WebConfig config() {
        return state.config();
    }

    /** The last reload's error (null once a reload succeeds): what the log said. */
    public String lastError() {
        return lastError;
    }

    /** Sets TLS on a listener's options when the config has it. */
    public HttpServerOptions configure(HttpServerOptions options, Listener listener) throws WebConfigException {
        WebConfig c = state.config();
        if (c.tls() == null) {
            return options;
        }
        ServerSSLOptions ssl = TlsSupport.sslOptions(vertx, c.tls(), alpn(listener, c));
        options.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions()).setClientAuth(ssl.getClientAuth())
                .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols()).setUseAlpn(true);
        if (ssl.getTrustOptions() != null) {
            options.setTrustOptions(ssl.getTrustOptions());
        }
        ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        options.setAlpnVersions(alpn(listener, c).contains("h2") ? List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)
                : List.of(HttpVersion.HTTP_1_1));
        return options;
    }

    /** HTTP/2 over TLS when http_server_config.http2 (gRPC always: it needs HTTP/2). */
    private static List<String> alpn(Listener listener, WebConfig c) {
        return listener == Listener.OTLP_GRPC ? List.of("h2")
                : c.http2() ? List.of("h2", "http/1.1") : List.of("http/1.1");
    }

    /** Registers a bound listener so that new certificates reach it on reload. */
    public void attach(HttpServer server, Listener listener) {
        attached.add(new Attached(server, listener));
    }

    /** Starts checking the files for changes every {@code periodMs}; nothing without a file. */
    public synchronized void watch(long periodMs) {
        if (file == null || timer >= 0) {
            return;
        }
        timer = vertx.setPeriodic(periodMs, id -> vertx.executeBlocking(() -> {
            reloadIfChanged();
            return null;
        }, false));
    }

    @Override
    public synchronized void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /**
     * Loads the file again when it or a file it names changed; returns whether a new config took effect. A broken
     * file is logged and the config in force stays.
     */
    public synchronized boolean reloadIfChanged() {
        State old = state;
        if (file == null || stamps(old.config().files()).equals(old.stamps())) {
            return false;
        }
        try {
            WebConfig next = WebConfig.load(file);
            if ((next.tls() == null) != (old.config().tls() == null)) {
                throw new WebConfigException("tls_server_config", "turning TLS " + (next.tls() == null ? "off" : "on")
                        + " needs a restart");
            }
            if (next.http2() != old.config().http2()) {
                LOG.warning("web config " + file + ": http_server_config.http2 changes only at restart");
            }
            if (next.tls() != null) {
                List<Future<Boolean>> updates = new ArrayList<>();
                Map<Attached, ServerSSLOptions> options = new LinkedHashMap<>();
                for (Attached a : attached) {
                    options.put(a, TlsSupport.sslOptions(vertx, next.tls(), alpn(a.listener(), old.config())));
                }
                options.forEach((a, o) -> updates.add(a.server().updateSSLOptions(o, true)));
                try {
                    Future.all(updates).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new WebConfigException("tls_server_config", "listeners refused the new certificates: " + e, e);
                }
            }
            state = new State(next, new Authenticator(next), stamps(next.files()));
            lastError = null;
            LOG.info("web config " + file + " reloaded: " + describe(next));
            return true;
        } catch (WebConfigException e) {
            lastError = e.getMessage();
            // The stamps of the broken files are kept, so the error is logged once per change, not every check.
            state = new State(old.config(), old.auth(), stamps(old.config().files()));
            LOG.severe("web config " + file + ": " + e.getMessage() + "; keeping the previous configuration");
            return false;
        }
    }

    /** A log line's summary: what is on, never a secret. */
    public static String describe(WebConfig c) {
        return (c.tls() == null ? "plain HTTP" : "TLS " + c.tls().protocols() + ", client certificates "
                + c.tls().clientAuth()) + ", " + c.users().size() + " basic-auth users, " + c.tokens().size() + " bearer tokens";
    }

    /** Modification time and size of each file: a change of either is a change. */
    private static Map<Path, String> stamps(List<Path> files) {
        Map<Path, String> m = new LinkedHashMap<>();
        for (Path p : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                m.put(p, a.lastModifiedTime() + "/" + a.size() + "/" + a.fileKey());
            } catch (IOException e) {
                m.put(p, "missing");
            }
        }
        return m;
    }

    /**
     * Wraps a listener's request handler: adds the configured headers, then lets through health and readiness,
     * asks for credentials once any are configured, checks the route's scope and the credential's tenant.
     */
    public Handler<HttpServerRequest> guard(Listener listener, Handler<HttpServerRequest> next) {
        return req -> {
            State s = state;
            WebConfig c = s.config();
            if (!c.headers().isEmpty()) {
                HttpServerResponse r = req.response();
                c.headers().forEach(r::putHeader);
            }
            // The router matches the normalized path; so does the scope table, so both see the same endpoint.
            String path = RFC3986.normalizePath(req.path() == null ? "/" : req.path());
            if (listener == Listener.HTTP && RouteScopes.isOpen(path)) {
                next.handle(req);
                return;
            }
            if (c.tls() != null && !c.tls().allowedSans().isEmpty() && !sanAllowed(req, c.tls().allowedSans())) {
                deny(req, listener, c, 403, "the client certificate has no subject alternative name listed in client_allowed_sans");
                return;
            }
            if (!c.requiresCredentials()) {
                next.handle(req);
                return;
            }
            String authz = req.getHeader(HttpHeaders.AUTHORIZATION);
            if (authz == null || authz.isBlank()) {
                deny(req, listener, c, 401, "credentials required: send basic auth or a bearer token");
                return;
            }
            int space = authz.indexOf(' ');
            String scheme = space < 0 ? authz : authz.substring(0, space);
            String value = space < 0 ? "" : authz.substring(space + 1);
            if (scheme.equalsIgnoreCase("Bearer")) {
                admit(req, listener, c, path, s.auth().bearer(value), "the bearer token is not known", next);
            } else if (scheme.equalsIgnoreCase("Basic")) {
                Authenticator.Basic b = Authenticator.decodeBasic(value);
                if (b == null) {
                    deny(req, listener, c, 401, "malformed basic auth header");
                } else if (s.auth().isCached(b)) {
                    admit(req, listener, c, path, s.auth().basic(b), "wrong user name or password", next);
                } else {
                    // bcrypt takes tens of milliseconds: off the event loop, the request held until it is done.
                    req.pause();
                    vertx.executeBlocking(() -> s.auth().basic(b), false).onComplete(ar -> {
                        admit(req, listener, c, path, ar.succeeded() ? ar.result() : null, "wrong user name or password", next);
                        req.resume();
                    });
                }
            } else {
                deny(req, listener, c, 401, "unsupported authorization scheme \"" + scheme + "\": use Basic or Bearer");
            }
        };
    }

    private static void admit(HttpServerRequest req, Listener listener, WebConfig c, String path, Principal p,
                              String unknown, Handler<HttpServerRequest> next) {
        if (p == null) {
            deny(req, listener, c, 401, unknown);
            return;
        }
        Scope need = listener == Listener.HTTP ? RouteScopes.required(req.method().name(), path) : Scope.WRITE;
        if (!p.scopes().contains(need)) {
            deny(req, listener, c, 403, "\"" + p.name() + "\" lacks scope " + need.id() + " needed for "
                    + req.method() + " " + path);
            return;
        }
        if (p.tenant() != null) {
            String asked = req.getHeader(TENANT_HEADER);
            if (asked != null && !asked.equals(p.tenant())) {
                deny(req, listener, c, 403, "\"" + p.name() + "\" is bound to tenant \"" + p.tenant()
                        + "\"; the request names tenant \"" + asked + "\"");
                return;
            }
            req.headers().set(TENANT_HEADER, p.tenant());
        }
        next.handle(req);
    }

    private static boolean sanAllowed(HttpServerRequest req, List<String> allowed) {
        try {
            List<Certificate> chain = req.connection().peerCertificates();
            return TlsSupport.sanAllowed(chain, allowed);
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /**
     * Refuses a request: gRPC clients get the status UNAUTHENTICATED (16) or PERMISSION_DENIED (7) in a trailers-only
     * answer; HTTP clients 401 with WWW-Authenticate naming the schemes configured, or 403, with a body saying why:
     * OTLP/HTTP's google.rpc.Status, Prometheus's error envelope under /api/, else text.
     */
    private static void deny(HttpServerRequest req, Listener listener, WebConfig c, int status, String why) {
        HttpServerResponse r = req.response();
        String contentType = HttpApi.mediaType(req.getHeader(HttpHeaders.CONTENT_TYPE));
        int rpcCode = status == 401 ? RPC_UNAUTHENTICATED : RPC_PERMISSION_DENIED;
        if (listener == Listener.OTLP_GRPC || contentType.startsWith("application/grpc")) {
            r.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
                    .putHeader("grpc-status", Integer.toString(rpcCode))
                    .putHeader("grpc-message", URLEncoder.encode(why, StandardCharsets.UTF_8).replace("+", "%20"))
                    .end();
            return;
        }
        if (status == 401) {
            if (!c.users().isEmpty()) {
                r.headers().add("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
            }
            if (!c.tokens().isEmpty()) {
                r.headers().add("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
            }
        }
        String path = Objects.requireNonNullElse(req.path(), "/");
        r.setStatusCode(status);
        if (listener == Listener.OTLP_HTTP || path.startsWith("/v1/")) {
            boolean json = contentType.equals("application/json");
            r.putHeader(HttpHeaders.CONTENT_TYPE, json ? "application/json" : "application/x-protobuf").end(Buffer.buffer(
                    json ? OtlpCodec.statusJson(rpcCode, why) : OtlpCodec.statusProtobuf(rpcCode, why)));
        } else if (path.startsWith("/api/")) {
            // Prometheus's error envelope, which API clients parse.
            r.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(new JsonObject().put("status", "error")
                    .put("errorType", status == 401 ? "unauthorized" : "forbidden").put("error", why).toBuffer());
        } else {
            r.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(Buffer.buffer(why + "\n"));
        }
    }
}
