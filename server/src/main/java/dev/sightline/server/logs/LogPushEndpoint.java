package dev.sightline.server.logs;

import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.core.Labels;
import dev.sightline.core.WritePriority;
import dev.sightline.ingest.logs.LogResult;
import dev.sightline.ingest.logs.LokiPushDecoder;
import dev.sightline.ingest.logs.MalformedLogsException;
import dev.sightline.ingest.logs.NdjsonDecoder;
import dev.sightline.ingest.logs.StreamLabels;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.remotewrite.MalformedRequestException;
import dev.sightline.ingest.remotewrite.Snappy;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.ingest.WriteMarks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP log push endpoints on the main port:
 * <ul>
 *   <li>{@code POST /loki/api/v1/push}, as Loki serves it: JSON ({@code application/json}) or snappy-compressed
 *   protobuf ({@code application/x-protobuf}, also the default without a Content-Type, as Loki reads it), either
 *   optionally gzip-compressed. 204 once stored; 400 (text) naming the JSON pointer or byte offset of a body that
 *   cannot be decoded (nothing stored), or naming the entries refused by a limit (the others are stored, as Loki
 *   does).</li>
 *   <li>{@code POST /api/v1/logs/ndjson} for scripts: one JSON object per line ({@link NdjsonDecoder}); the query
 *   parameter {@code stream_fields=a,b} names the fields that become stream labels and {@code labels={job="x"}} adds
 *   labels to every stream. The answer is JSON with the counts: 200 when every line was stored, 400 when some were
 *   refused (the rest stored) or the body is malformed (nothing stored).</li>
 * </ul>
 * Both: 413 over {@code max_request_body_bytes} (before or after decompression), 415 for another content type or
 * encoding, 503 (retry) while the log store is not open or a commit failed.
 */
public final class LogPushEndpoint {
    private static final Logger LOG = Logger.getLogger(LogPushEndpoint.class.getName());
    public static final String LOKI_PATH = "/loki/api/v1/push";
    public static final String NDJSON_PATH = "/api/v1/logs/ndjson";
    static final String LOKI_JSON = "loki_json";
    static final String LOKI_PROTOBUF = "loki_protobuf";
    static final String NDJSON = "ndjson";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";

    private final LogIngester ingester;
    /** Null: no tenants, every request writes to the store as it is. */
    private final Tenants tenants;
    private final long maxBodyBytes;
    private final WritePriority writes;

    public LogPushEndpoint(LogIngester ingester, long maxBodyBytes) {
        this(ingester, maxBodyBytes, null);
    }

    /** As above, each request stored into the share of the tenant its X-Scope-OrgID names ({@code tenants}). */
    public LogPushEndpoint(LogIngester ingester, long maxBodyBytes, Tenants tenants) {
        this(ingester, maxBodyBytes, tenants, new WritePriority());
    }

    /** As above, marking each request on {@code writes}, which API queries give way to. */
    public LogPushEndpoint(LogIngester ingester, long maxBodyBytes, Tenants tenants, WritePriority writes) {
        this.writes = writes;
        this.tenants = tenants;
        this.ingester = ingester;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void register(HttpApi api) {
        api.post(LOKI_PATH, maxBodyBytes, WriteMarks.marked(writes, this::loki));
        api.post(NDJSON_PATH, maxBodyBytes, WriteMarks.marked(writes, this::ndjson));
    }

    /** Decodes an inflated body into the ingester, as {@code tenant} (null without tenants). */
    @FunctionalInterface
    private interface Push {
        LogResult ingest(Tenant tenant, byte[] raw) throws MalformedLogsException, MalformedRequestException, OtlpCodec.TooLargeException,
                StorageUnavailableException;
    }

    /** How an endpoint answers: its status for a stored request, and its body. */
    @FunctionalInterface
    private interface Answer {
        void send(RoutingContext ctx, int status, String message, LogResult result);
    }

    private record Outcome(int status, String message, LogResult result) {
    }

    private void loki(RoutingContext ctx) {
        String type = HttpApi.mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
        boolean json = type.equals(JSON);
        String protocol = json ? LOKI_JSON : LOKI_PROTOBUF;
        Answer answer = (c, status, message, result) -> lokiAnswer(c, protocol, status, message, result);
        if (!json && !type.isEmpty() && !type.equals("application/x-protobuf")) {
            answer.send(ctx, 415, "unsupported Content-Type \"" + type + "\": use application/json or application/x-protobuf", null);
            return;
        }
        run(ctx, answer, (tenant, raw) -> json ? ingester.ingest(tenant, (sink, now) -> LokiPushDecoder.json(raw, sink))
                : ingestProtobuf(tenant, raw));
    }

    private LogResult ingestProtobuf(Tenant tenant, byte[] compressed) throws MalformedRequestException, OtlpCodec.TooLargeException,
            MalformedLogsException, StorageUnavailableException {
        long declared = Snappy.declaredLength(compressed, 0, compressed.length);
        if (declared > maxBodyBytes) {
            throw new OtlpCodec.TooLargeException("snappy body declares " + declared + " bytes, beyond the limit of "
                    + maxBodyBytes + " bytes");
        }
        byte[] raw = Snappy.decompress(compressed, 0, compressed.length);
        return ingester.ingest(tenant, (sink, now) -> LokiPushDecoder.protobuf(raw, 0, raw.length, sink));
    }

    private void lokiAnswer(RoutingContext ctx, String protocol, int status, String message, LogResult result) {
        if (result != null && result.rejected() > 0) {
            status = 400;
            message = result.errorMessage() + " (" + result.accepted() + " stored)";
        }
        ingester.metrics().request(protocol, Integer.toString(status), result);
        if (ctx.response().ended()) {
            return;
        }
        if (status == 204) {
            ctx.response().setStatusCode(204).end();
            return;
        }
        retryAfter(ctx, status);
        HttpApi.respond(ctx, status, TEXT, Buffer.buffer(message + "\n"));
    }

    private void ndjson(RoutingContext ctx) {
        Answer answer = this::ndjsonAnswer;
        List<String> fields = NdjsonDecoder.DEFAULT_STREAM_FIELDS;
        String param = ctx.request().getParam("stream_fields");
        if (param != null) {
            fields = Arrays.stream(param.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        Labels fixed = Labels.EMPTY;
        String labels = ctx.request().getParam("labels");
        if (labels != null) {
            try {
                fixed = StreamLabels.parse(labels);
            } catch (MalformedLogsException e) {
                answer.send(ctx, 400, "query parameter labels: " + e.getMessage(), null);
                return;
            }
        }
        NdjsonDecoder decoder = new NdjsonDecoder(fields, fixed);
        run(ctx, answer, (tenant, raw) -> ingester.ingest(tenant, (sink, now) -> decoder.decode(raw, now, sink)));
    }

    private void ndjsonAnswer(RoutingContext ctx, int status, String message, LogResult result) {
        JsonObject body = new JsonObject();
        if (result != null) {
            status = result.rejected() > 0 ? 400 : 200;
            body.put("accepted", result.accepted()).put("rejected", result.rejected())
                    .put("accepted_bytes", result.acceptedBytes());
            if (result.rejected() > 0) {
                JsonObject reasons = new JsonObject();
                result.rejectedBy().forEach((why, n) -> reasons.put(why.reason(), n));
                body.put("rejected_by_reason", reasons).put("error", result.errorMessage());
            }
        } else {
            body.put("error", message);
        }
        ingester.metrics().request(NDJSON, Integer.toString(status), result);
        if (ctx.response().ended()) {
            return;
        }
        retryAfter(ctx, status);
        HttpApi.respond(ctx, status, JSON, body.toBuffer());
    }

    private static void retryAfter(RoutingContext ctx, int status) {
        if (status == 503 || status == 429) {
            ctx.response().putHeader("Retry-After", "1");
        }
    }

    /** Checks the encoding and the tenant, then inflates, decodes and stores on a worker, and answers. */
    private void run(RoutingContext ctx, Answer answer, Push push) {
        String encoding = ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING);
        String unsupported = HttpApi.unsupportedEncoding(encoding);
        if (unsupported != null) {
            answer.send(ctx, 415, unsupported, null);
            return;
        }
        Tenant tenant;
        try {
            tenant = tenants == null ? null : tenants.of(ctx.request());
        } catch (TenantException e) {
            answer.send(ctx, e.status(), e.getMessage(), null);
            return;
        }
        boolean gzip = HttpApi.isGzip(encoding);
        byte[] bytes = HttpApi.bodyBytes(ctx);
        ctx.vertx().executeBlocking(() -> process(tenant, bytes, gzip, push), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.log(Level.WARNING, "log push to " + ctx.request().path() + " failed", ar.cause());
                answer.send(ctx, 500, "storing the log lines failed: " + ar.cause().getMessage(), null);
                return;
            }
            Outcome o = ar.result();
            answer.send(ctx, o.status, o.message, o.result);
        });
    }

    private Outcome process(Tenant tenant, byte[] body, boolean gzip, Push push) {
        try {
            byte[] raw = gzip ? OtlpCodec.gunzip(body, maxBodyBytes) : body;
            return new Outcome(204, "", push.ingest(tenant, raw));
        } catch (MalformedLogsException | MalformedRequestException e) {
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
}
