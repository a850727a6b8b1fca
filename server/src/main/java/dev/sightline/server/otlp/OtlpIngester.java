package dev.sightline.server.otlp;

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
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * What both OTLP transports share: one storage appender per request, the translator writing into it, and a commit
 * before the answer, so an acknowledged export is durable (per the WAL fsync policy). Runs on a worker thread.
 */
final class OtlpIngester {
    /**
     * Storage is not open yet, or the commit failed or refused the whole batch: nothing was stored and the client
     * should retry (HTTP 503, gRPC UNAVAILABLE).
     */
    static final class UnavailableException extends Exception {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Supplier<? extends Storage> storage;
    private final OtlpMetricsTranslator translator;
    private final IngestGuards guards;

    OtlpIngester(Supplier<? extends Storage> storage, OtlpMetricsTranslator translator, IngestGuards guards) {
        this.storage = storage;
        this.translator = translator;
        this.guards = guards;
    }

    IngestGuards guards() {
        return guards;
    }

    /** {@code protocol} names the transport in the limit-breach counters. */
    OtlpResult ingest(ExportMetricsServiceRequest request, String protocol) throws UnavailableException {
        try {
            return ingest((batch, context) -> translator.translate(request, batch, context), protocol);
        } catch (MalformedOtlpException e) {
            throw new IllegalStateException("a parsed message failed to decode", e);
        }
    }

    /**
     * A binary ExportMetricsServiceRequest, decoded straight into the storage appender. A malformed body appends
     * nothing and is refused even while storage is not ready, as it was when bodies were parsed first.
     */
    OtlpResult ingest(byte[] body, String protocol) throws UnavailableException, MalformedOtlpException {
        if (storage.get() == null) {
            OtlpCodec.checkProtobuf(body);
        }
        return ingest((batch, context) -> translator.translate(body, 0, body.length, batch, context), protocol);
    }

    private interface Translation {
        OtlpResult into(Appender batch, IngestContext context) throws MalformedOtlpException;
    }

    private OtlpResult ingest(Translation translation, String protocol) throws UnavailableException, MalformedOtlpException {
        Storage db = storage.get();
        if (db == null) {
            throw new UnavailableException("storage is not ready yet (WAL replay in progress)", null);
        }
        IngestBatch batch = guards.begin(db.appender(), protocol);
        OtlpResult result;
        try {
            result = translation.into(batch, guards.context());
        } catch (RuntimeException | MalformedOtlpException e) {
            batch.rollback();
            throw e;
        }
        try {
            batch.commit();
        } catch (IOException e) {
            throw new UnavailableException("storage commit failed: " + e.getMessage(), e);
        } catch (ValidationException e) {
            // The whole batch was refused (head persistence raced the commit): nothing is stored, a retry can work.
            throw new UnavailableException("storage refused the whole request at commit, nothing was stored: "
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
