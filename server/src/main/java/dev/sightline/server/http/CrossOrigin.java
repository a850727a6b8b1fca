package dev.sightline.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The origins trusted to call from other sites ({@code cors.origin} in sightline.yml, a regular expression matched
 * against the whole {@code Origin} header as Prometheus's {@code --web.cors.origin}): a Grafana in browser-access
 * mode, a page sending spans with an OpenTelemetry JS exporter. Requests from them get CORS headers and pass the
 * {@link CrossSiteGuard}; their preflights are answered here, before any credential check, since a browser never
 * sends credentials on a preflight. Other origins get neither: with no setting, only this server's own pages call
 * in. Applied alike to the HTTP and the OTLP/HTTP listener.
 */
public final class CrossOrigin {
    /** No origin trusted: the default. */
    public static final CrossOrigin NONE = new CrossOrigin(null);
    private static final String METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
    /** How long a browser may reuse a preflight's answer (seconds). */
    private static final String MAX_AGE = "600";

    private final Pattern origins;

    private CrossOrigin(Pattern origins) {
        this.origins = origins;
    }

    /** The origins matching {@code regex} as a whole; null or empty: none. A bad one is refused naming {@code origin}. */
    public static CrossOrigin of(String regex) {
        if (regex == null || regex.isEmpty()) {
            return NONE;
        }
        try {
            return new CrossOrigin(Pattern.compile("^(?:" + regex + ")$"));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("origin: not a valid regular expression: " + e.getDescription()
                    + " near index " + e.getIndex() + " of " + regex, e);
        }
    }

    /** Whether {@code origin} (an Origin header, may be null) is trusted. */
    public boolean trusts(String origin) {
        return origins != null && origin != null && origins.matcher(origin.trim()).matches();
    }

    /**
     * Wraps a listener's handler: a CORS preflight from an origin {@code origins} trusts (read per request, so a
     * reload's cors.origin applies at once) is answered 204 at once; any other request from one gets the CORS
     * headers and goes on; the rest go on untouched.
     */
    public static Handler<HttpServerRequest> wrap(Supplier<CrossOrigin> origins, Handler<HttpServerRequest> next) {
        return req -> origins.get().handle(req, next);
    }

    private void handle(HttpServerRequest req, Handler<HttpServerRequest> next) {
        String origin = req.getHeader("Origin");
        if (!trusts(origin)) {
            next.handle(req);
            return;
        }
        HttpServerResponse r = req.response();
        r.putHeader("Access-Control-Allow-Origin", origin.trim())
                .putHeader("Access-Control-Allow-Credentials", "true")
                .putHeader("Vary", "Origin");
        String method = req.getHeader("Access-Control-Request-Method");
        if (req.method() != HttpMethod.OPTIONS || method == null) {
            next.handle(req);
            return;
        }
        String headers = req.getHeader("Access-Control-Request-Headers");
        r.putHeader("Access-Control-Allow-Methods", METHODS).putHeader("Access-Control-Max-Age", MAX_AGE);
        if (headers != null) {
            r.putHeader("Access-Control-Allow-Headers", headers);
        }
        r.setStatusCode(204).end();
    }
}
