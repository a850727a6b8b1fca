package dev.sightline.server.otlp;

import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.otlp.OtlpResult;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.ingest.IngestGuards;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OTLP/HTTP {@code POST /v1/metrics}: binary protobuf ({@code application/x-protobuf}) or OTLP JSON
 * ({@code application/json}), optionally gzip-compressed. As the OTLP specification says: 200 with an
 * {@code ExportMetricsServiceResponse} (carrying {@code partial_success} when points were refused; the valid ones are
 * kept), 400 with a {@code google.rpc.Status} for a body that cannot be decoded, 413 for a body over the limit, 415
 * for another content type or encoding, 503 (retryable) while storage is not ready or a commit failed. Responses use
 * the encoding of the request.
 */
public final class OtlpHttpEndpoint {
    private static final Logger LOG = Logger.getLogger(OtlpHttpEndpoint.class.getName());
    public static final String PATH = "/v1/metrics";
    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON = "application/json";
    /** google.rpc.Code UNAVAILABLE. */
    private static final int CODE_UNAVAILABLE = 14;
    private static final int CODE_INTERNAL = 13;

    private final OtlpIngester ingester;
    private final OtlpIngestMetrics metrics;
    private final long maxBodyBytes;

    OtlpHttpEndpoint(OtlpIngester ingester, OtlpIngestMetrics metrics, long maxBodyBytes) {
        this.ingester = ingester;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** On the main HTTP port, with its request metrics. */
    void register(HttpApi api) {
        api.router().post(PATH).handler(this::checkLength);
        api.post(PATH, maxBodyBytes, this::handle);
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
            ingester.guards().breach(IngestGuards.MAX_REQUEST_BODY_BYTES, OtlpIngestMetrics.HTTP);
            error(ctx, 413, mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)).equals(JSON),
                    OtlpCodec.CODE_INVALID_ARGUMENT, "request body of " + declared + " bytes exceeds the limit of "
                            + maxBodyBytes + " bytes (max_request_body_bytes)");
            return;
        }
        ctx.next();
    }

    /** The router of the dedicated OTLP/HTTP listener (4318): only /v1/metrics. */
    Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.route(PATH).method(HttpMethod.POST).handler(this::checkLength);
        router.route(PATH).method(HttpMethod.POST).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::handle);
        return router;
    }

    private void handle(RoutingContext ctx) {
        String type = mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
        boolean json = type.equals(JSON);
        if (!json && !type.equals(PROTOBUF)) {
            error(ctx, 415, false, OtlpCodec.CODE_INVALID_ARGUMENT, "unsupported Content-Type \"" + type + "\": use "
                    + PROTOBUF + " or " + JSON);
            return;
        }
        String encoding = ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING);
        boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity") && !encoding.isBlank()) {
            error(ctx, 415, json, OtlpCodec.CODE_INVALID_ARGUMENT, "unsupported Content-Encoding \"" + encoding + "\": use gzip or none");
            return;
        }
        Buffer body = ctx.body().buffer();
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        ctx.vertx().executeBlocking(() -> process(bytes, gzip, json), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.log(Level.WARNING, "OTLP/HTTP metrics request failed", ar.cause());
                error(ctx, 500, json, CODE_INTERNAL, "OTLP metrics export failed: " + ar.cause().getMessage());
                return;
            }
            Outcome o = ar.result();
            if (o.result == null) {
                error(ctx, o.status, json, o.status == 503 ? CODE_UNAVAILABLE : OtlpCodec.CODE_INVALID_ARGUMENT, o.message);
                return;
            }
            metrics.request(OtlpIngestMetrics.HTTP, "200", o.result);
            var response = OtlpCodec.response(o.result);
            HttpApi.respond(ctx, 200, json ? JSON : PROTOBUF, Buffer.buffer(json ? OtlpCodec.toJson(response) : response.toByteArray()));
        });
    }

    private record Outcome(int status, String message, OtlpResult result) {
    }

    /** On a worker: inflate, decode, append and commit. Binary bodies are decoded as they are appended. */
    private Outcome process(byte[] body, boolean gzip, boolean json) {
        try {
            byte[] raw = gzip ? OtlpCodec.gunzip(body, maxBodyBytes) : body;
            OtlpResult result = json ? ingester.ingest(OtlpCodec.parseJson(raw), OtlpIngestMetrics.HTTP)
                    : ingester.ingest(raw, OtlpIngestMetrics.HTTP);
            return new Outcome(200, "", result);
        } catch (MalformedOtlpException e) {
            return new Outcome(400, e.getMessage(), null);
        } catch (OtlpCodec.TooLargeException e) {
            ingester.guards().breach(IngestGuards.MAX_REQUEST_BODY_BYTES, OtlpIngestMetrics.HTTP);
            return new Outcome(413, e.getMessage() + " (max_request_body_bytes)", null);
        } catch (OtlpIngester.UnavailableException e) {
            return new Outcome(503, e.getMessage(), null);
        }
    }

    private void error(RoutingContext ctx, int status, boolean json, int rpcCode, String message) {
        metrics.request(OtlpIngestMetrics.HTTP, Integer.toString(status), null);
        if (ctx.response().ended()) {
            return;
        }
        byte[] body = json ? OtlpCodec.statusJson(rpcCode, message) : OtlpCodec.statusProtobuf(rpcCode, message);
        if (status == 503) {
            // OTLP clients honour Retry-After on retryable answers.
            ctx.response().putHeader("Retry-After", "1");
        }
        HttpApi.respond(ctx, status, json ? JSON : PROTOBUF, Buffer.buffer(body));
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }
}
