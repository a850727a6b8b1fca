package dev.sightline.server.otlp;

import dev.sightline.core.WritePriority;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.otlp.OtlpMetricsTranslator;
import dev.sightline.ingest.otlp.OtlpTracesDecoder;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.metricstore.Storage;
import dev.sightline.server.http.CrossOrigin;
import dev.sightline.server.http.CrossSiteGuard;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.logs.LogIngester;
import dev.sightline.server.security.WebConfigException;
import dev.sightline.server.security.WebSecurity;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.server.traces.SpanIngester;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * OTLP ingestion: {@code /v1/metrics}, {@code /v1/traces} and {@code /v1/logs} on the main HTTP port, plus the ports OpenTelemetry SDKs
 * send to by default, OTLP/gRPC (4317) and OTLP/HTTP (4318). One metrics translator (holding the delta-to-cumulative
 * totals) serves all three. Usage: construct, {@link #register} on the main API, {@link #listen}, and {@link #close}
 * before storage closes.
 */
public final class OtlpReceiver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OtlpReceiver.class.getName());
    public static final int DEFAULT_GRPC_PORT = 4317;
    public static final int DEFAULT_HTTP_PORT = 4318;
    /** A port value that turns a listener off. */
    public static final int DISABLED = -1;
    /** Rejection messages kept for one partial-success answer. */
    private static final int MAX_REPORTED_ERRORS = 10;

    private final List<OtlpHttpEndpoint<?>> http = new ArrayList<>();
    private final OtlpGrpcService grpc;
    private final List<HttpServer> servers = new ArrayList<>();
    private int grpcPort = DISABLED;
    private int httpPort = DISABLED;

    /** {@code storage} yields null while storage is not open (answered as retryable). Self-metrics go to {@code registry}. */
    public OtlpReceiver(Supplier<? extends Storage> storage, PrometheusRegistry registry, IngestLimits limits) {
        this(storage, registry, limits, IngestGuards.none(), null, SpanLimits.DEFAULT);
    }

    /**
     * As above, with the series limit, metadata store and limit-breach counters shared with the other ingest paths;
     * {@code limits.maxDecompressedBytes()} bounds the body before and after gzip, and a gRPC message. With
     * {@code spans} (null: metrics only) traces are received too, bounded by {@code spanLimits}.
     */
    public OtlpReceiver(Supplier<? extends Storage> storage, PrometheusRegistry registry, IngestLimits limits,
                        IngestGuards guards, SpanIngester spans, SpanLimits spanLimits) {
        this(storage, registry, limits, guards, spans, spanLimits, null);
    }

    /** As above, with {@code logs} (null: no logs) receiving {@code /v1/logs} and {@code LogsService/Export}. */
    public OtlpReceiver(Supplier<? extends Storage> storage, PrometheusRegistry registry, IngestLimits limits,
                        IngestGuards guards, SpanIngester spans, SpanLimits spanLimits, LogIngester logs) {
        this(storage, registry, limits, guards, spans, spanLimits, logs, Tenants.disabled(guards));
    }

    /** As above, each request stored into the share of the tenant its {@code X-Scope-OrgID} names ({@code tenants}). */
    public OtlpReceiver(Supplier<? extends Storage> storage, PrometheusRegistry registry, IngestLimits limits,
                        IngestGuards guards, SpanIngester spans, SpanLimits spanLimits, LogIngester logs,
                        Tenants tenants) {
        this(storage, registry, limits, guards, spans, spanLimits, logs, tenants, new WritePriority());
    }

    /** As above, marking each request on every listener on {@code writes}, which API queries give way to. */
    public OtlpReceiver(Supplier<? extends Storage> storage, PrometheusRegistry registry, IngestLimits limits,
                        IngestGuards guards, SpanIngester spans, SpanLimits spanLimits, LogIngester logs,
                        Tenants tenants, WritePriority writes) {
        List<OtlpExport<?>> exports = new ArrayList<>();
        exports.add(new OtlpIngester(storage, new OtlpMetricsTranslator(limits), guards, new OtlpIngestMetrics(registry)));
        if (spans != null) {
            exports.add(new OtlpTracesExport(spans, new OtlpTracesDecoder(spanLimits, MAX_REPORTED_ERRORS), guards));
        }
        if (logs != null) {
            exports.add(new OtlpLogsExport(logs, guards));
        }
        for (OtlpExport<?> e : exports) {
            http.add(new OtlpHttpEndpoint<>(e, limits.maxDecompressedBytes(), tenants, writes));
        }
        this.grpc = new OtlpGrpcService(List.copyOf(exports), limits.maxDecompressedBytes(), tenants, writes);
    }

    /** Serves {@code POST /v1/metrics} (and {@code /v1/traces}, {@code /v1/logs}) on the main HTTP API. */
    public void register(HttpApi api) {
        http.forEach(h -> h.register(api));
    }

    /** As below, open to everyone over plain HTTP. */
    public void listen(Vertx vertx, String host, int grpcPort, int httpPort) throws IOException {
        listen(vertx, host, grpcPort, httpPort, WebSecurity.open(vertx));
    }

    /** As below, trusting no other site's pages. */
    public void listen(Vertx vertx, String host, int grpcPort, int httpPort, WebSecurity security) throws IOException {
        listen(vertx, host, grpcPort, httpPort, security, () -> CrossOrigin.NONE);
    }

    /**
     * Starts the OTLP/gRPC and OTLP/HTTP listeners (0 picks a free port, {@link #DISABLED} skips one) with the TLS
     * and credential checks of {@code security}; returns once both are bound. OTLP/HTTP refuses exports a browser
     * sends from another site's page, as the main port does, unless {@code origins} trusts it (a page exporting
     * spans with OpenTelemetry JS), whose preflights it answers; {@code origins} is read per request (reloads).
     */
    public void listen(Vertx vertx, String host, int grpcPort, int httpPort, WebSecurity security,
                       Supplier<CrossOrigin> origins)
            throws IOException {
        try {
            if (grpcPort != DISABLED) {
                // gRPC needs HTTP/2; clients without TLS speak it with prior knowledge (h2c), which Vert.x accepts.
                HttpServerOptions options = security.configure(new HttpServerOptions().setHost(host).setPort(grpcPort)
                        .setHttp2ClearTextEnabled(true), WebSecurity.Listener.OTLP_GRPC);
                HttpServer s = bind(vertx.createHttpServer(options).requestHandler(
                        security.guard(WebSecurity.Listener.OTLP_GRPC, grpc.server(vertx))), "OTLP/gRPC", host, grpcPort);
                security.attach(s, WebSecurity.Listener.OTLP_GRPC);
                this.grpcPort = s.actualPort();
            }
            if (httpPort != DISABLED) {
                Router router = Router.router(vertx);
                router.route().handler(ctx -> CrossSiteGuard.handle(ctx, origins.get()));
                http.forEach(h -> h.route(router));
                HttpServerOptions options = security.configure(new HttpServerOptions().setHost(host).setPort(httpPort),
                        WebSecurity.Listener.OTLP_HTTP);
                HttpServer s = bind(vertx.createHttpServer(options).requestHandler(
                        CrossOrigin.wrap(origins, security.guard(WebSecurity.Listener.OTLP_HTTP, router))), "OTLP/HTTP",
                        host, httpPort);
                security.attach(s, WebSecurity.Listener.OTLP_HTTP);
                this.httpPort = s.actualPort();
            }
        } catch (WebConfigException e) {
            throw new IOException("invalid web config: " + e.getMessage(), e);
        }
    }

    private HttpServer bind(HttpServer server, String what, String host, int port) throws IOException {
        try {
            HttpServer s = server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            servers.add(s);
            LOG.info(what + " listening on " + host + ":" + s.actualPort());
            return s;
        } catch (ExecutionException e) {
            throw new IOException("cannot listen for " + what + " on " + host + ":" + port + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IOException("cannot listen for " + what + " on " + host + ":" + port + ": " + e, e);
        }
    }

    /** The bound gRPC port, or {@link #DISABLED}. */
    public int grpcPort() {
        return grpcPort;
    }

    /** The bound OTLP/HTTP port, or {@link #DISABLED}. */
    public int httpPort() {
        return httpPort;
    }

    /** Stops the OTLP listeners, letting requests in flight finish (up to 5 s). */
    @Override
    public void close() {
        List<Future<Void>> stops = new ArrayList<>();
        for (HttpServer s : servers) {
            stops.add(s.shutdown(5, TimeUnit.SECONDS));
        }
        try {
            Future.join(stops).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("OTLP listeners did not stop cleanly: " + e);
        }
        servers.clear();
    }
}
