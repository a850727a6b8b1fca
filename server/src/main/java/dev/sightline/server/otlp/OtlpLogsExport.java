package dev.sightline.server.otlp;

import com.google.protobuf.Message;
import dev.sightline.ingest.logs.LogResult;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.otlp.OtlpLogsDecoder;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.logs.LogIngester;

/**
 * The logs Export ({@code /v1/logs}, {@code LogsService/Export}): records mapped as Loki's OTLP ingestion maps them
 * ({@link OtlpLogsDecoder}); a record over a per-entry limit is refused alone and counted in partial_success.
 */
final class OtlpLogsExport implements OtlpExport<LogResult> {
    private final LogIngester ingester;
    private final OtlpLogsDecoder decoder = new OtlpLogsDecoder();
    private final IngestGuards guards;

    OtlpLogsExport(LogIngester ingester, IngestGuards guards) {
        this.ingester = ingester;
        this.guards = guards;
    }

    @Override
    public Signal signal() {
        return Signal.LOGS;
    }

    @Override
    public LogResult ingest(Tenant tenant, byte[] body, boolean json, String protocol)
            throws MalformedOtlpException, StorageUnavailableException {
        if (json) {
            var request = OtlpCodec.parseLogsJson(body);
            return ingester.ingest(tenant, (sink, now) -> decoder.decode(request, now, sink));
        }
        return ingester.ingest(tenant, (sink, now) -> decoder.decode(body, 0, body.length, now, sink));
    }

    @Override
    public Message response(LogResult result) {
        return OtlpCodec.response(result);
    }

    @Override
    public void count(String protocol, String code, LogResult result) {
        ingester.metrics().request(protocol, code, result);
    }

    @Override
    public void bodyTooLarge(String protocol) {
        guards.breach(IngestGuards.MAX_REQUEST_BODY_BYTES, protocol);
    }
}
