package dev.sightline.server.remotewrite;

import dev.sightline.core.ValidationException;
import dev.sightline.core.WritePriority;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.remotewrite.RemoteWriteReceiver;
import dev.sightline.ingest.remotewrite.RemoteWriteResult;
import dev.sightline.metricstore.Storage;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.ingest.IngestBatch;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.ingest.WriteMarks;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /api/v1/write}: Prometheus remote-write 1.0 and 2.0. The body is read with a size limit, decoded by
 * {@link RemoteWriteReceiver} into one storage appender per request, and committed before the answer, so a 204 means
 * the samples are durable (per the WAL fsync policy); exemplars are stored after the commit. A malformed or refused
 * body is rolled back as a whole; a body with some invalid series commits the valid ones and answers 400, which the
 * sender does not retry. 5xx makes the sender retry: 503 while storage is not ready or when the storage refused the
 * whole batch at commit (head persistence raced it; nothing was stored), 500 when the commit failed otherwise.
 * Answers to 2.0 requests carry X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written.
 */
public final class RemoteWriteEndpoint {
    private static final Logger LOG = Logger.getLogger(RemoteWriteEndpoint.class.getName());
    public static final String PATH = "/api/v1/write";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Supplier<? extends Storage> storage;
    private final RemoteWriteReceiver receiver;
    private final RemoteWriteMetrics metrics;
    private final long maxBodyBytes;
    private final IngestGuards guards;
    private final Tenants tenants;
    private final WritePriority writes;

    /** {@code storage} yields null while storage is not open (answered 503). */
    public RemoteWriteEndpoint(Supplier<? extends Storage> storage, RemoteWriteMetrics metrics, IngestLimits limits) {
        this(storage, metrics, limits, IngestGuards.none());
    }

    /** As above, with the series limit, metadata store and limit-breach counters shared with the other ingest paths. */
    public RemoteWriteEndpoint(Supplier<? extends Storage> storage, RemoteWriteMetrics metrics, IngestLimits limits,
                               IngestGuards guards) {
        this(storage, metrics, limits, guards, Tenants.disabled(guards));
    }

    /**
     * As above, each request written into its tenant's share of the storage (tagged series, its series limits and
     * ingestion rate: a request over the rate is refused whole with 429, which Prometheus retries later).
     */
    public RemoteWriteEndpoint(Supplier<? extends Storage> storage, RemoteWriteMetrics metrics, IngestLimits limits,
                               IngestGuards guards, Tenants tenants) {
        this(storage, metrics, limits, guards, tenants, new WritePriority());
    }

    /** As above, marking each request's decoding and storing on {@code writes}, which API queries give way to. */
    public RemoteWriteEndpoint(Supplier<? extends Storage> storage, RemoteWriteMetrics metrics, IngestLimits limits,
                               IngestGuards guards, Tenants tenants, WritePriority writes) {
        this.writes = writes;
        this.tenants = tenants;
        this.storage = storage;
        this.receiver = new RemoteWriteReceiver(limits);
        this.metrics = metrics;
        this.guards = guards;
        // Snappy's worst case for incompressible input: a body bigger than this cannot decompress within the limit.
        long max = limits.maxDecompressedBytes();
        this.maxBodyBytes = max + max / 6 + 32;
    }

    /** Bodies over the limit are refused with 413 by the body handler, before they are buffered. */
    public void register(HttpApi api) {
        // A declared length over the limit is answered here, naming the limit, before any byte is read; a chunked
        // body over it still gets the body handler's bare 413.
        api.router().post(PATH).handler(ctx -> {
            long declared = contentLength(ctx.request());
            if (declared > maxBodyBytes) {
                guards.breach(IngestGuards.MAX_REQUEST_BODY_BYTES, RemoteWriteReceiver.PROTOCOL);
                respond(ctx, 413, "request body of " + declared + " bytes exceeds the limit of " + maxBodyBytes
                        + " compressed bytes (max_request_body_bytes)", Map.of(), 0);
                return;
            }
            ctx.next();
        });
        // From the whole body to the answer sent (or the connection gone), API queries give way to this request.
        api.post(PATH, maxBodyBytes, WriteMarks.marked(writes, ctx -> process(ctx, ctx.body().buffer())));
    }

    static long contentLength(HttpServerRequest req) {
        String s = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (s == null) {
            return -1;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void process(RoutingContext ctx, Buffer body) {
        HttpServerRequest req = ctx.request();
        Tenant tenant;
        try {
            tenant = tenants.of(req);
        } catch (TenantException e) {
            respond(ctx, e.status(), e.getMessage(), Map.of(), 0);
            return;
        }
        String encoding = req.getHeader(HttpHeaders.CONTENT_ENCODING);
        String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
        String version = req.getHeader("X-Prometheus-Remote-Write-Version");
        // The body handler's buffer is an unpooled heap buffer: decode from its array rather than copy it.
        ByteBuf bb = body == null ? Unpooled.EMPTY_BUFFER : ((BufferInternal) body).getByteBuf();
        byte[] bytes = bb.hasArray() ? bb.array() : ByteBufUtil.getBytes(bb);
        int off = bb.hasArray() ? bb.arrayOffset() + bb.readerIndex() : 0;
        int len = bb.readableBytes();
        ctx.vertx().executeBlocking(() -> ingest(tenant, bytes, off, len, encoding, type, version), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.log(Level.WARNING, "remote-write request failed", ar.cause());
                respond(ctx, 500, "remote-write failed: " + ar.cause().getMessage(), Map.of(), 0);
                return;
            }
            Written w = ar.result();
            RemoteWriteResult r = w.result;
            if (r.status() == 413) {
                guards.breach(IngestGuards.MAX_REQUEST_BODY_BYTES, RemoteWriteReceiver.PROTOCOL);
            }
            if (r.version() == 2) {
                ctx.response().putHeader("X-Prometheus-Remote-Write-Samples-Written", Long.toString(w.samples))
                        .putHeader("X-Prometheus-Remote-Write-Histograms-Written", Long.toString(w.histograms))
                        .putHeader("X-Prometheus-Remote-Write-Exemplars-Written", Long.toString(w.exemplars));
            }
            String limits = guards.labelLimitBreaches(RemoteWriteReceiver.PROTOCOL, r.rejected());
            respond(ctx, r.status(), limits.isEmpty() ? r.message() : r.message() + "\n" + limits, r.rejected(),
                    w.samples + w.histograms);
        });
    }

    /** A request's result and what of it was stored (zero unless committed). */
    record Written(RemoteWriteResult result, long samples, long histograms, long exemplars) {
        static Written nothing(RemoteWriteResult r) {
            return new Written(r, 0, 0, 0);
        }
    }

    /** Runs on a worker: decode into one appender, then commit (or roll back) before answering. */
    Written ingest(Tenant tenant, byte[] body, int off, int len, String encoding, String type, String version)
            throws IOException {
        Storage db = storage.get();
        if (db == null) {
            return Written.nothing(RemoteWriteResult.refused(503, "storage is not ready yet (WAL replay in progress)", 1));
        }
        IngestGuards g = tenant.guards();
        IngestBatch batch = g.begin(tenant.storage(db).appender(), RemoteWriteReceiver.PROTOCOL);
        RemoteWriteResult r;
        try {
            r = receiver.receive(body, off, len, encoding, type, version, batch, g.context());
        } catch (RuntimeException e) {
            batch.rollback();
            throw e;
        }
        if (!r.commit()) {
            batch.rollback();
            return Written.nothing(r);
        }
        try {
            batch.commit();
        } catch (ValidationException e) {
            // The storage refused the whole batch (head persistence moved past some of its samples meanwhile): nothing
            // is stored, and a retry stores what is still recent enough and names the rest in a 400.
            return Written.nothing(RemoteWriteResult.refused(503, "storage refused the whole request at commit,"
                    + " nothing was stored; retry: " + e.getMessage(), r.version()));
        } catch (TenantException e) {
            // Over the tenant's ingestion rate: nothing stored, and 429 tells Prometheus to retry later.
            return Written.nothing(RemoteWriteResult.refused(e.status(), e.getMessage(), r.version()));
        }
        return new Written(r, r.samplesAccepted(), r.histogramsAccepted(), batch.exemplarsWritten());
    }

    private void respond(RoutingContext ctx, int status, String message, Map<ValidationException.Reason, Long> rejected,
                         long accepted) {
        metrics.record(RemoteWriteReceiver.PROTOCOL, status, accepted, rejected);
        if (ctx.response().ended()) {
            return;
        }
        if (status == 204) {
            ctx.response().setStatusCode(204).end();
        } else {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
                    .end(message.endsWith("\n") ? message : message + "\n");
        }
    }
}
