package dev.sightline.server.otlp;

import com.google.protobuf.Message;
import dev.sightline.core.WritePriority;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.server.ingest.StorageUnavailableException;
import dev.sightline.server.ingest.WriteMarks;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OTLP/gRPC {@code <signal service>/Export} of each signal ({@code opentelemetry.proto.collector.metrics.v1.MetricsService},
 * {@code ...trace.v1.TraceService}, {@code ...logs.v1.LogsService}) on Vert.x's gRPC server (no generated stubs: a method is described by its name and
 * protobuf codecs). OK with {@code partial_success} when points or spans were refused, INVALID_ARGUMENT for a message
 * that cannot be decoded, UNAVAILABLE (retryable) while storage is not ready or a commit failed; with multitenancy,
 * UNAUTHENTICATED without the {@code x-scope-orgid} header and RESOURCE_EXHAUSTED over a tenant's limit.
 */
final class OtlpGrpcService {
    private static final Logger LOG = Logger.getLogger(OtlpGrpcService.class.getName());
    /** The request body as it came: the decoders read it while appending, with no message objects. */
    private static final GrpcMessageDecoder<Buffer> RAW_PROTOBUF = new GrpcMessageDecoder<>() {
        @Override
        public Buffer decode(GrpcMessage message) {
            return message.payload();
        }

        @Override
        public boolean accepts(WireFormat format) {
            return format == WireFormat.PROTOBUF;
        }
    };

    private final List<OtlpExport<?>> exports;
    private final long maxMessageBytes;
    private final Tenants tenants;
    private final WritePriority writes;

    OtlpGrpcService(List<OtlpExport<?>> exports, long maxMessageBytes, Tenants tenants, WritePriority writes) {
        this.writes = writes;
        this.exports = exports;
        this.maxMessageBytes = maxMessageBytes;
        this.tenants = tenants;
    }

    GrpcServer server(Vertx vertx) {
        GrpcServer server = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(maxMessageBytes));
        for (OtlpExport<?> export : exports) {
            handle(vertx, server, export);
        }
        return server;
    }

    private <R> void handle(Vertx vertx, GrpcServer server, OtlpExport<R> export) {
        ServiceMethod<Buffer, Message> method = ServiceMethod.server(
                ServiceName.create(export.signal().grpcPackage(), export.signal().grpcService()), "Export",
                GrpcMessageEncoder.encoder(), RAW_PROTOBUF);
        server.callHandler(method, call -> export(vertx, export, call));
    }

    private <R> void export(Vertx vertx, OtlpExport<R> export, GrpcServerRequest<Buffer, Message> call) {
        // Answered here rather than by Vert.x's default, so an oversized message names the limit and is counted.
        call.invalidMessageHandler(e -> {
            GrpcStatus status;
            String message;
            if (e instanceof MessageSizeOverflowException o) {
                export.bodyTooLarge(OtlpIngestMetrics.GRPC);
                status = GrpcStatus.RESOURCE_EXHAUSTED;
                message = "message of " + o.messageSize() + " bytes exceeds the limit of " + maxMessageBytes
                        + " bytes (max_request_body_bytes)";
            } else {
                status = GrpcStatus.INVALID_ARGUMENT;
                message = invalid(export, e);
            }
            export.count(OtlpIngestMetrics.GRPC, status.name(), null);
            call.response().status(status).statusMessage(message).end();
        });
        Tenant tenant;
        try {
            tenant = tenants.of(call.headers().get(Tenants.HEADER));
        } catch (TenantException e) {
            GrpcStatus status = status(e);
            export.count(OtlpIngestMetrics.GRPC, status.name(), null);
            call.response().status(status).statusMessage(e.getMessage()).end();
            return;
        }
        call.handler(request -> {
            // From the message to the answer written (or the stream gone), API queries give way to this call.
            Runnable end = WriteMarks.begin(writes, call);
            vertx.executeBlocking(() -> export.ingest(tenant, request.getBytes(), false, OtlpIngestMetrics.GRPC), false)
                    .onComplete(ar -> {
                        try {
                            answer(export, call, ar.succeeded() ? ar.result() : null, ar.cause()).onComplete(sent -> end.run());
                        } catch (RuntimeException e) {
                            end.run();
                            throw e;
                        }
                    });
        });
    }

    /** Answers an export: its response, or the status of its failure {@code e}. */
    private static <R> Future<Void> answer(OtlpExport<R> export, GrpcServerRequest<Buffer, Message> call, R r, Throwable e) {
        if (e == null) {
            export.count(OtlpIngestMetrics.GRPC, GrpcStatus.OK.name(), r);
            return call.response().send(export.response(r));
        }
        GrpcStatus status = e instanceof StorageUnavailableException ? GrpcStatus.UNAVAILABLE
                : e instanceof MalformedOtlpException ? GrpcStatus.INVALID_ARGUMENT
                : e instanceof TenantException t ? status(t) : GrpcStatus.INTERNAL;
        if (status == GrpcStatus.INTERNAL) {
            LOG.log(Level.WARNING, "OTLP/gRPC " + export.signal().grpcService() + " export failed", e);
        }
        export.count(OtlpIngestMetrics.GRPC, status.name(), null);
        String message = status == GrpcStatus.INVALID_ARGUMENT ? invalid(export, e) : String.valueOf(e.getMessage());
        return call.response().status(status).statusMessage(message).end();
    }

    /** The gRPC status of a refusal for the tenant. */
    private static GrpcStatus status(TenantException e) {
        return switch (e.status()) {
            case 401 -> GrpcStatus.UNAUTHENTICATED;
            case 429 -> GrpcStatus.RESOURCE_EXHAUSTED;
            case 501 -> GrpcStatus.UNIMPLEMENTED;
            default -> GrpcStatus.INVALID_ARGUMENT;
        };
    }

    private static String invalid(OtlpExport<?> export, Throwable e) {
        return "cannot decode the " + export.signal().requestName() + ": " + e.getMessage();
    }
}
