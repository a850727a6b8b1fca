package dev.sightline.server.traces;

import dev.sightline.core.WritePriority;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.ingest.zipkin.MalformedZipkinException;
import dev.sightline.ingest.zipkin.ZipkinJsonDecoder;
import dev.sightline.ingest.zipkin.ZipkinProtoDecoder;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.ingest.WriteMarks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Level;
import java.util.logging.Logger;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;

/**
 * Zipkin v2 {@code POST /api/v2/spans}: a JSON array of spans ({@code application/json}, also the default without a
 * Content-Type, as Zipkin reads it) or a proto3 ListOfSpans ({@code application/x-protobuf}), optionally
 * gzip-compressed (Zipkin's senders compress by default). As the Zipkin server answers: 202 with no body once the
 * spans are stored; 400 with a text message naming the JSON path or byte offset of a body that cannot be decoded
 * (nothing of it is stored), or naming the spans rejected for invalid ids (the valid ones are stored); 413 over
 * {@code max_request_body_bytes}; 415 for another content type or encoding; 503 (retry) while the span store is not
 * open or a commit failed.
 */
public final class ZipkinEndpoint {
    private static final Logger LOG = Logger.getLogger(ZipkinEndpoint.class.getName());
    public static final String PATH = "/api/v2/spans";
    static final String JSON_PROTOCOL = "zipkin_json";
    static final String PROTO_PROTOCOL = "zipkin_proto3";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final int MAX_REPORTED_ERRORS = 10;

    private final SpanIngester ingester;
    private final ZipkinJsonDecoder json;
    private final ZipkinProtoDecoder proto;
    private final long maxBodyBytes;
    private final Tenants tenants;
    private final WritePriority writes;

    public ZipkinEndpoint(SpanIngester ingester, SpanLimits limits, long maxBodyBytes) {
        this(ingester, limits, maxBodyBytes, null);
    }

    /** As above, each request stored into the share of the tenant its X-Scope-OrgID names ({@code tenants}, null: none). */
    public ZipkinEndpoint(SpanIngester ingester, SpanLimits limits, long maxBodyBytes, Tenants tenants) {
        this(ingester, limits, maxBodyBytes, tenants, new WritePriority());
    }

    /** As above, marking each request on {@code writes}, which API queries give way to. */
    public ZipkinEndpoint(SpanIngester ingester, SpanLimits limits, long maxBodyBytes, Tenants tenants,
                          WritePriority writes) {
        this.writes = writes;
        this.tenants = tenants;
        this.ingester = ingester;
        this.json = new ZipkinJsonDecoder(limits, MAX_REPORTED_ERRORS);
        this.proto = new ZipkinProtoDecoder(limits, MAX_REPORTED_ERRORS);
        this.maxBodyBytes = maxBodyBytes;
    }

    public void register(HttpApi api) {
        api.post(PATH, maxBodyBytes, WriteMarks.marked(writes, this::handle));
    }

    private void handle(RoutingContext ctx) {
        String type = HttpApi.mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
        boolean isProto = type.equals("application/x-protobuf");
        String protocol = isProto ? PROTO_PROTOCOL : JSON_PROTOCOL;
        if (!isProto && !type.isEmpty() && !type.equals("application/json")) {
            answer(ctx, protocol, 415, "unsupported Content-Type \"" + type + "\": use application/json or application/x-protobuf", null);
            return;
        }
        String encoding = ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING);
        String unsupported = HttpApi.unsupportedEncoding(encoding);
        if (unsupported != null) {
            answer(ctx, protocol, 415, unsupported, null);
            return;
        }
        Tenant tenant;
        try {
            tenant = tenants == null ? null : tenants.of(ctx.request());
        } catch (TenantException e) {
            answer(ctx, protocol, e.status(), e.getMessage(), null);
            return;
        }
        boolean gzip = HttpApi.isGzip(encoding);
        byte[] bytes = HttpApi.bodyBytes(ctx);
        ctx.vertx().executeBlocking(() -> process(tenant, bytes, gzip, isProto), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.log(Level.WARNING, "Zipkin span request failed", ar.cause());
                answer(ctx, protocol, 500, "storing the spans failed: " + ar.cause().getMessage(), null);
                return;
            }
            Outcome o = ar.result();
            if (o.result == null) {
                answer(ctx, protocol, o.status, o.message, null);
            } else if (o.result.rejectedSpans() > 0) {
                answer(ctx, protocol, 400, o.result.errorMessage() + " (" + o.result.acceptedSpans() + " stored)", o.result);
            } else {
                answer(ctx, protocol, 202, "", o.result);
            }
        });
    }

    private record Outcome(int status, String message, SpanResult result) {
    }

    private Outcome process(Tenant tenant, byte[] body, boolean gzip, boolean isProto) {
        try {
            byte[] raw = gzip ? OtlpCodec.gunzip(body, maxBodyBytes) : body;
            SpanResult r = isProto ? ingester.ingest(tenant, raw.length, sink -> proto.decode(raw, sink))
                    : ingester.ingest(tenant, raw.length, sink -> json.decode(raw, sink));
            return new Outcome(202, "", r);
        } catch (MalformedZipkinException e) {
            return new Outcome(400, e.getMessage(), null);
        } catch (MalformedOtlpException e) {
            return new Outcome(400, e.getMessage(), null); // the gzip stream
        } catch (OtlpCodec.TooLargeException e) {
            return new Outcome(413, e.getMessage() + " (max_request_body_bytes)", null);
        } catch (StorageUnavailableException e) {
            return new Outcome(503, e.getMessage(), null);
        } catch (TenantException e) {
            return new Outcome(e.status(), e.getMessage(), null);
        }
    }

    private void answer(RoutingContext ctx, String protocol, int status, String message, SpanResult result) {
        ingester.metrics().request(protocol, Integer.toString(status), result);
        if (ctx.response().ended()) {
            return;
        }
        if (status == 202) {
            ctx.response().setStatusCode(202).end();
            return;
        }
        if (status == 503 || status == 429) {
            ctx.response().putHeader("Retry-After", "1");
        }
        HttpApi.respond(ctx, status, TEXT, Buffer.buffer(message + "\n"));
    }
}
