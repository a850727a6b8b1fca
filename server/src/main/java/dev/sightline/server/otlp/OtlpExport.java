package dev.sightline.server.otlp;

import com.google.protobuf.Message;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.tenants.Tenant;

/**
 * One OTLP signal's Export as both transports serve it (OTLP/HTTP at its {@link Signal#path}, gRPC
 * {@code <grpcPackage>.<grpcService>/Export}): decode a body, store and commit it, answer with the signal's response
 * message, count the outcome. {@code R} is the decoder's tally of the request.
 */
interface OtlpExport<R> {
    /** Where a signal is served: the OTLP/HTTP path, the gRPC service, and the request message's name for errors. */
    record Signal(String path, String grpcPackage, String grpcService, String requestName) {
        static final Signal METRICS = new Signal("/v1/metrics", "opentelemetry.proto.collector.metrics.v1",
                "MetricsService", "ExportMetricsServiceRequest");
        static final Signal TRACES = new Signal("/v1/traces", "opentelemetry.proto.collector.trace.v1",
                "TraceService", "ExportTraceServiceRequest");
        static final Signal LOGS = new Signal("/v1/logs", "opentelemetry.proto.collector.logs.v1",
                "LogsService", "ExportLogsServiceRequest");
    }

    Signal signal();

    /**
     * Decodes the body (binary protobuf, or OTLP JSON), stores it into {@code tenant}'s share and commits; runs on a
     * worker thread. A tenant over one of its limits gets a {@link dev.sightline.server.tenants.TenantException}.
     */
    R ingest(Tenant tenant, byte[] body, boolean json, String protocol)
            throws MalformedOtlpException, StorageUnavailableException;

    /** The response to a stored request: empty, or partial_success naming what was refused. */
    Message response(R result);

    /** Counts one answered request; {@code result} is null when nothing was decoded. */
    void count(String protocol, String code, R result);

    /** Counts a body refused for its size. */
    void bodyTooLarge(String protocol);
}
