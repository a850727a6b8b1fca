package dev.sightline.server.otlp;

import com.google.protobuf.Message;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.otlp.OtlpMetricsTranslator;
import dev.sightline.ingest.otlp.OtlpResult;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Storage;
import dev.sightline.server.ingest.IngestBatch;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.tenants.Tenant;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * The metrics Export both OTLP transports serve: one storage appender per request, the translator writing into it,
 * and a commit before the answer, so an acknowledged export is durable (per the WAL fsync policy). Runs on a worker
 * thread.
 */
final class OtlpIngester implements OtlpExport<OtlpResult> {
    private final Supplier<? extends Storage> storage;
    private final OtlpMetricsTranslator translator;
    private final IngestGuards guards;
    private final OtlpIngestMetrics metrics;

    OtlpIngester(Supplier<? extends Storage> storage, OtlpMetricsTranslator translator, IngestGuards guards,
                 OtlpIngestMetrics metrics) {
        this.storage = storage;
        this.translator = translator;
        this.guards = guards;
        this.metrics = metrics;
    }

    @Override
    public Signal signal() {
        return Signal.METRICS;
    }

    @Override
    public OtlpResult ingest(Tenant tenant, byte[] body, boolean json, String protocol)
            throws MalformedOtlpException, StorageUnavailableException {
        return json ? ingest(tenant, OtlpCodec.parseJson(body), protocol) : ingest(tenant, body, protocol);
    }

    @Override
    public Message response(OtlpResult result) {
        return OtlpCodec.response(result);
    }

    @Override
    public void count(String protocol, String code, OtlpResult result) {
        metrics.request(protocol, code, result);
    }

    @Override
    public void bodyTooLarge(String protocol) {
        guards.breach(IngestGuards.MAX_REQUEST_BODY_BYTES, protocol);
    }

    /** {@code protocol} names the transport in the limit-breach counters. */
    private OtlpResult ingest(Tenant tenant, ExportMetricsServiceRequest request, String protocol)
            throws StorageUnavailableException {
        try {
            return ingest(tenant, (batch, context) -> translator.translate(request, batch, context), protocol);
        } catch (MalformedOtlpException e) {
            throw new IllegalStateException("a parsed message failed to decode", e);
        }
    }

    /**
     * A binary ExportMetricsServiceRequest, decoded straight into the storage appender. A malformed body appends
     * nothing and is refused even while storage is not ready, as it was when bodies were parsed first.
     */
    private OtlpResult ingest(Tenant tenant, byte[] body, String protocol)
            throws StorageUnavailableException, MalformedOtlpException {
        if (storage.get() == null) {
            OtlpCodec.checkProtobuf(body);
        }
        return ingest(tenant, (batch, context) -> translator.translate(body, 0, body.length, batch, context), protocol);
    }

    private interface Translation {
        OtlpResult into(Appender batch, IngestContext context) throws MalformedOtlpException;
    }

    private OtlpResult ingest(Tenant tenant, Translation translation, String protocol)
            throws StorageUnavailableException, MalformedOtlpException {
        Storage db = storage.get();
        if (db == null) {
            throw new StorageUnavailableException("storage is not ready yet (WAL replay in progress)", null);
        }
        IngestGuards g = tenant.guards();
        IngestBatch batch = g.begin(tenant.storage(db).appender(), protocol);
        OtlpResult result;
        try {
            result = translation.into(batch, g.context());
        } catch (RuntimeException | MalformedOtlpException e) {
            batch.rollback();
            throw e;
        }
        try {
            batch.commit();
        } catch (IOException e) {
            throw new StorageUnavailableException("storage commit failed: " + e.getMessage(), e);
        } catch (ValidationException e) {
            // The whole batch was refused (head persistence raced the commit): nothing is stored, a retry can work.
            throw new StorageUnavailableException("storage refused the whole request at commit, nothing was stored: "
                    + e.getMessage(), e);
        }
        String limits = guards.labelLimitBreaches(protocol, result.rejectedByReason());
        if (!limits.isEmpty()) {
            result = new OtlpResult(result.acceptedPoints(), result.rejectedPoints(), result.samplesAppended(),
                    result.rejectedByReason(), result.errorMessage() + "; " + limits);
        }
        return result;
    }
}
