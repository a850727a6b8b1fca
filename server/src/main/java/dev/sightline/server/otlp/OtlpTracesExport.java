package dev.sightline.server.otlp;

import com.google.protobuf.Message;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.otlp.OtlpTracesDecoder;
import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.traces.SpanIngester;

/**
 * The traces Export ({@code /v1/traces}, {@code TraceService/Export}): binary bodies decoded straight into the span
 * store's appender, OTLP JSON parsed first; a span without a valid trace or span id is rejected alone and counted in
 * partial_success.
 */
final class OtlpTracesExport implements OtlpExport<SpanResult> {
    private final SpanIngester ingester;
    private final OtlpTracesDecoder decoder;
    private final IngestGuards guards;

    OtlpTracesExport(SpanIngester ingester, OtlpTracesDecoder decoder, IngestGuards guards) {
        this.ingester = ingester;
        this.decoder = decoder;
        this.guards = guards;
    }

    @Override
    public Signal signal() {
        return Signal.TRACES;
    }

    @Override
    public SpanResult ingest(Tenant tenant, byte[] body, boolean json, String protocol)
            throws MalformedOtlpException, StorageUnavailableException {
        if (json) {
            var request = OtlpCodec.parseTracesJson(body);
            return ingester.ingest(tenant, body.length, sink -> decoder.decode(request, sink));
        }
        return ingester.ingest(tenant, body.length, sink -> decoder.decode(body, 0, body.length, sink));
    }

    @Override
    public Message response(SpanResult result) {
        return OtlpCodec.response(result);
    }

    @Override
    public void count(String protocol, String code, SpanResult result) {
        ingester.metrics().request(protocol, code, result);
    }

    @Override
    public void bodyTooLarge(String protocol) {
        guards.breach(IngestGuards.MAX_REQUEST_BODY_BYTES, protocol);
    }
}
