package dev.sightline.server.otlp;

import dev.sightline.core.WritePriority;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.ingest.WriteMarks;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OTLP/HTTP {@code POST} of one signal ({@code /v1/metrics}, {@code /v1/traces}, {@code /v1/logs}): binary protobuf
 * ({@code application/x-protobuf}) or OTLP JSON ({@code application/json}), optionally gzip-compressed. As the OTLP
 * specification says: 200 with the signal's Export response (carrying {@code partial_success} when points or spans
 * were refused; the valid ones are kept), 400 with a {@code google.rpc.Status} for a body that cannot be decoded, 413
 * for a body over the limit, 415 for another content type or encoding, 503 (retryable) while storage is not ready or
 * a commit failed. Responses use the encoding of the request.
 */
public final class OtlpHttpEndpoint<R> {
    private static final Logger LOG = Logger.getLogger(OtlpHttpEndpoint.class.getName());
    /** The metrics path. */
    public static final String PATH = "/v1/metrics";
    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON = "application/json";
    /** google.rpc.Code UNAVAILABLE. */
    private static final int CODE_UNAVAILABLE = 14;
    private static final int CODE_INTERNAL = 13;
    private static final int CODE_RESOURCE_EXHAUSTED = 8;
    private static final int CODE_UNAUTHENTICATED = 16;
    private static final int CODE_UNIMPLEMENTED = 12;

    private final OtlpExport<R> export;
    private final long maxBodyBytes;
    private final Tenants tenants;
    private final WritePriority writes;

    OtlpHttpEndpoint(OtlpExport<R> export, long maxBodyBytes, Tenants tenants, WritePriority writes) {
        this.writes = writes;
        this.export = export;
        this.maxBodyBytes = maxBodyBytes;
        this.tenants = tenants;
    }

    /** On the main HTTP port, with its request metrics. */
    void register(HttpApi api) {
        api.router().post(export.signal().path()).handler(this::checkLength);
        api.post(export.signal().path(), maxBodyBytes, WriteMarks.marked(writes, this::handle));
    }

    /**
     * A declared length over the limit is answered before any byte is read, naming the limit; a chunked body over it
     * still gets the body handler's bare 413.
     */
    private void checkLength(RoutingContext ctx) {
        String s = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long declared;
        try {
            declared = s == null ? -1 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            declared = -1;
        }
        if (declared > maxBodyBytes) {
            export.bodyTooLarge(OtlpIngestMetrics.HTTP);
            error(ctx, 413, HttpApi.mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)).equals(JSON),
                    OtlpCodec.CODE_INVALID_ARGUMENT, "request body of " + declared + " bytes exceeds the limit of "
                            + maxBodyBytes + " bytes (max_request_body_bytes)");
            return;
        }
        ctx.next();
    }

    /** On the router of the dedicated OTLP/HTTP listener (4318). */
    void route(Router router) {
        router.route(export.signal().path()).method(HttpMethod.POST).handler(this::checkLength);
        router.route(export.signal().path()).method(HttpMethod.POST).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(WriteMarks.marked(writes, this::handle));
    }

    private void handle(RoutingContext ctx) {
        String type = HttpApi.mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
        boolean json = type.equals(JSON);
        if (!json && !type.equals(PROTOBUF)) {
            error(ctx, 415, false, OtlpCodec.CODE_INVALID_ARGUMENT, "unsupported Content-Type \"" + type + "\": use "
                    + PROTOBUF + " or " + JSON);
            return;
        }
        String encoding = ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING);
        String unsupported = HttpApi.unsupportedEncoding(encoding);
        if (unsupported != null) {
            error(ctx, 415, json, OtlpCodec.CODE_INVALID_ARGUMENT, unsupported);
            return;
        }
        Tenant tenant;
        try {
            tenant = tenants.of(ctx.request());
        } catch (TenantException e) {
            error(ctx, e.status(), json, rpcCode(e.status()), e.getMessage());
            return;
        }
        boolean gzip = HttpApi.isGzip(encoding);
        byte[] bytes = HttpApi.bodyBytes(ctx);
        ctx.vertx().executeBlocking(() -> process(tenant, bytes, gzip, json), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.log(Level.WARNING, "OTLP/HTTP " + export.signal().path() + " request failed", ar.cause());
                error(ctx, 500, json, CODE_INTERNAL, "OTLP export to " + export.signal().path() + " failed: " + ar.cause().getMessage());
                return;
            }
            Outcome<R> o = ar.result();
            if (o.result == null) {
                error(ctx, o.status, json, rpcCode(o.status), o.message);
                return;
            }
            export.count(OtlpIngestMetrics.HTTP, "200", o.result);
            var response = export.response(o.result);
            HttpApi.respond(ctx, 200, json ? JSON : PROTOBUF, Buffer.buffer(json ? OtlpCodec.toJson(response) : response.toByteArray()));
        });
    }

    /** The google.rpc.Code of an error answer's status. */
    private static int rpcCode(int status) {
        return switch (status) {
            case 503 -> CODE_UNAVAILABLE;
            case 429 -> CODE_RESOURCE_EXHAUSTED;
            case 401 -> CODE_UNAUTHENTICATED;
            case 501 -> CODE_UNIMPLEMENTED;
            default -> OtlpCodec.CODE_INVALID_ARGUMENT;
        };
    }

    private record Outcome<R>(int status, String message, R result) {
    }

    /** On a worker: inflate, decode, append and commit. Binary bodies are decoded as they are appended. */
    private Outcome<R> process(Tenant tenant, byte[] body, boolean gzip, boolean json) {
        try {
            byte[] raw = gzip ? OtlpCodec.gunzip(body, maxBodyBytes) : body;
            return new Outcome<>(200, "", export.ingest(tenant, raw, json, OtlpIngestMetrics.HTTP));
        } catch (TenantException e) {
            return new Outcome<>(e.status(), e.getMessage(), null);
        } catch (MalformedOtlpException e) {
            return new Outcome<>(400, e.getMessage(), null);
        } catch (OtlpCodec.TooLargeException e) {
            export.bodyTooLarge(OtlpIngestMetrics.HTTP);
            return new Outcome<>(413, e.getMessage() + " (max_request_body_bytes)", null);
        } catch (StorageUnavailableException e) {
            return new Outcome<>(503, e.getMessage(), null);
        }
    }

    private void error(RoutingContext ctx, int status, boolean json, int rpcCode, String message) {
        export.count(OtlpIngestMetrics.HTTP, Integer.toString(status), null);
        if (ctx.response().ended()) {
            return;
        }
        byte[] body = json ? OtlpCodec.statusJson(rpcCode, message) : OtlpCodec.statusProtobuf(rpcCode, message);
        if (status == 503 || status == 429) {
            // OTLP clients honour Retry-After on retryable answers.
            ctx.response().putHeader("Retry-After", "1");
        }
        HttpApi.respond(ctx, status, json ? JSON : PROTOBUF, Buffer.buffer(body));
    }
}
