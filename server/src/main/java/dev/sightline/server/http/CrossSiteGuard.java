package dev.sightline.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Refuses state-changing requests (anything but GET, HEAD and OPTIONS) that a browser says come from another site,
 * so a page elsewhere cannot make a signed-in browser reload the configuration, create a silence or delete series
 * (the browser re-sends basic-auth credentials to any page's requests). A browser's {@code Sec-Fetch-Site} is
 * believed first: only {@code same-origin} and {@code none} (typed by the user) pass. Older browsers send only
 * {@code Origin}: it must name this request's host. Requests with neither header are not from a browser page
 * (remote-write, OTLP, Alertmanager, curl) and pass, as do requests from an origin the configuration trusts
 * ({@link CrossOrigin}). Refused requests get 403 naming the header.
 */
public final class CrossSiteGuard {
    private CrossSiteGuard() {
    }

    /** The route handler: passes the request on or answers 403; requests from {@code trusted} origins pass. */
    public static void handle(RoutingContext ctx, CrossOrigin trusted) {
        String origin = ctx.request().getHeader("Origin");
        String why = trusted.trusts(origin) ? null : refusal(ctx.request().method(),
                ctx.request().getHeader("Sec-Fetch-Site"), origin,
                ctx.request().authority() == null ? null : ctx.request().authority().toString());
        if (why == null) {
            ctx.next();
        } else {
            HttpApi.respond(ctx, 403, "text/plain; charset=utf-8", Buffer.buffer("cross-site request refused: " + why
                    + "; state-changing calls are taken only from this server's own pages, from origins cors.origin "
                    + "trusts, or from clients that are not browsers\n"));
        }
    }

    /** Why such a request is refused, or null when it passes. */
    static String refusal(HttpMethod method, String secFetchSite, String origin, String host) {
        if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
            return null;
        }
        if (secFetchSite != null) {
            String site = secFetchSite.trim().toLowerCase(Locale.ROOT);
            return site.equals("same-origin") || site.equals("none") ? null : "Sec-Fetch-Site is " + secFetchSite;
        }
        if (origin == null) {
            return null;
        }
        String originHost;
        try {
            originHost = new URI(origin.trim()).getAuthority();
        } catch (URISyntaxException e) {
            originHost = null;
        }
        if (originHost != null && host != null && originHost.equalsIgnoreCase(host)) {
            return null;
        }
        return "Origin " + origin + " is not " + (host == null ? "this server" : host);
    }
}
