package dev.sightline.server.ui;

import dev.sightline.server.http.ContentCoding;
import dev.sightline.server.http.HttpApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

/**
 * The web UI: {@code /} and every page's paths ({@link #PAGES}: {@code /explore}, {@code /alerts?...},
 * {@code /traces/<id>}, ...) are the UI's index.html, whose script renders the page the path names;
 * {@code /ui/<file>} are its files from the classpath (module ui, under dev/sightline/ui),
 * {@code /ui/vendor/uplot/<file>} uPlot's dist folder from its WebJar. Only regular names with a
 * known extension are served, so a directory, a hidden file or a path with dot segments or escapes is a 404.
 * Every answer carries an ETag and {@code Cache-Control: no-cache}: browsers revalidate and get a 304 until the
 * server runs a new build. Text files are gzipped once when first loaded and sent so to clients that accept gzip
 * (a first page is about a quarter of its size), with an ETag of their own. Every answer carries
 * {@link #CONTENT_SECURITY_POLICY}: the UI has no inline script or style, so an injected one does not run.
 */
public final class UiEndpoint {
    private static final String UI_ROOT = "dev/sightline/ui/";
    private static final String UPLOT_PREFIX = "vendor/uplot/";
    /** The UI's pages (the first path segment; app.js routes them): each answers index.html, below it too. */
    static final List<String> PAGES = List.of("explore", "dashboards", "services", "alerts", "traces", "logs", "synthetics", "maturity",
            "status");
    /** Slash-separated segments of letters, digits, '_', '-' and '.', none starting with '.' (no "..", no hidden files). */
    private static final Pattern SAFE_PATH = Pattern.compile("([A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "json", "application/json",
            "png", "image/png");

    /**
     * Scripts, styles and connections from this server only: no inline script, no inline style element or
     * attribute, no eval (the UI sets element styles through the CSSOM, which this allows, as uPlot does); images
     * also as data: URLs (the empty favicon); no plugins, no framing by other sites, forms post only here.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'; form-action 'self'";

    private final ClassLoader loader;
    private final String uplotRoot;
    /** Files found so far: bounded by the files on the classpath, since misses are not kept. */
    private final Map<String, Asset> assets = new ConcurrentHashMap<>();

    /** A file and, for text, its gzip form (null for what does not compress, e.g. PNG). */
    record Asset(String contentType, Buffer body, String etag, Buffer gzipBody, String gzipEtag) {
    }

    public UiEndpoint() {
        this(UiEndpoint.class.getClassLoader());
    }

    UiEndpoint(ClassLoader loader) {
        this.loader = loader;
        this.uplotRoot = "META-INF/resources/webjars/uplot/" + webJarVersion(loader, "org.webjars.npm", "uplot") + "/dist/";
    }

    public void register(HttpApi api) {
        api.get("/", ctx -> serve(ctx, "index.html"));
        for (String page : PAGES) {
            api.get("/" + page, ctx -> serve(ctx, "index.html"));
            api.get("/" + page + "/*", ctx -> serve(ctx, "index.html"));
        }
        api.get("/ui/*", ctx -> serve(ctx, ctx.normalizedPath().substring("/ui/".length())));
    }

    private void serve(RoutingContext ctx, String name) {
        Asset cached = assets.get(name);
        if (cached != null) {
            send(ctx, cached);
            return;
        }
        // Reading from a jar blocks: off the event loop, once per file.
        ctx.vertx().executeBlocking(() -> Optional.ofNullable(load(name)), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().isEmpty()) {
                ctx.fail(404);
            } else {
                Asset asset = ar.result().get();
                assets.putIfAbsent(name, asset);
                send(ctx, asset);
            }
        });
    }

    /** The file behind a request path below /ui/, or null when there is none or the name is not one we serve. */
    Asset load(String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String contentType = dot < 0 ? null : CONTENT_TYPES.get(name.substring(dot + 1));
        if (contentType == null || !SAFE_PATH.matcher(name).matches()) {
            return null;
        }
        String resource = name.startsWith(UPLOT_PREFIX) ? uplotRoot + name.substring(UPLOT_PREFIX.length()) : UI_ROOT + name;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readAllBytes();
            String etag = etag(bytes);
            if (contentType.startsWith("image/png")) {
                return new Asset(contentType, Buffer.buffer(bytes), etag, null, null);
            }
            return new Asset(contentType, Buffer.buffer(bytes), etag,
                    Buffer.buffer(ContentCoding.gzip(bytes, Deflater.BEST_COMPRESSION)),
                    etag.substring(0, etag.length() - 1) + "-gzip\"");
        }
    }

    private static void send(RoutingContext ctx, Asset asset) {
        boolean gzip = asset.gzipBody() != null && ContentCoding.accepts(ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING), ContentCoding.GZIP);
        String etag = gzip ? asset.gzipEtag() : asset.etag();
        ctx.response()
                .putHeader(HttpHeaders.ETAG, etag)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("Referrer-Policy", "same-origin");
        String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && ifNoneMatch.contains(etag)) {
            ctx.response().setStatusCode(304).end();
            return;
        }
        if (gzip) {
            ctx.response().putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
        }
        HttpApi.respond(ctx, 200, asset.contentType(), gzip ? asset.gzipBody() : asset.body());
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A WebJar's version from its Maven metadata, so that the pom alone says which version is served. */
    static String webJarVersion(ClassLoader loader, String groupId, String artifactId) {
        String resource = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("WebJar " + groupId + ":" + artifactId + " is not on the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
