package dev.sightline.server.otlp;

import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.otlp.OtlpResult;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
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

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OTLP/gRPC {@code opentelemetry.proto.collector.metrics.v1.MetricsService/Export} on Vert.x's gRPC server (no
 * generated stubs: the method is described by its name and protobuf codecs). OK with {@code partial_success} when
 * points were refused, UNAVAILABLE (retryable) while storage is not ready or a commit failed.
 */
final class OtlpGrpcService {
    private static final Logger LOG = Logger.getLogger(OtlpGrpcService.class.getName());
    /** The request body as it came: the translator decodes it while appending, with no message objects. */
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
    static final ServiceMethod<Buffer, ExportMetricsServiceResponse> EXPORT = ServiceMethod.server(
            ServiceName.create("opentelemetry.proto.collector.metrics.v1", "MetricsService"), "Export",
            GrpcMessageEncoder.encoder(), RAW_PROTOBUF);

    private final OtlpIngester ingester;
    private final OtlpIngestMetrics metrics;
    private final long maxMessageBytes;

    OtlpGrpcService(OtlpIngester ingester, OtlpIngestMetrics metrics, long maxMessageBytes) {
        this.ingester = ingester;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
    }

    GrpcServer server(Vertx vertx) {
        GrpcServer server = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(maxMessageBytes));
        server.callHandler(EXPORT, call -> export(vertx, call));
        return server;
    }

    private void export(Vertx vertx, GrpcServerRequest<Buffer, ExportMetricsServiceResponse> call) {
        // Answered here rather than by Vert.x's default, so an oversized message names the limit and is counted.
        call.invalidMessageHandler(e -> {
            GrpcStatus status;
            String message;
            if (e instanceof MessageSizeOverflowException o) {
                ingester.guards().breach(IngestGuards.MAX_REQUEST_BODY_BYTES, OtlpIngestMetrics.GRPC);
                status = GrpcStatus.RESOURCE_EXHAUSTED;
                message = "message of " + o.messageSize() + " bytes exceeds the limit of " + maxMessageBytes
                        + " bytes (max_request_body_bytes)";
            } else {
                status = GrpcStatus.INVALID_ARGUMENT;
                message = invalid(e);
            }
            metrics.request(OtlpIngestMetrics.GRPC, status.name(), null);
            call.response().status(status).statusMessage(message).end();
        });
        call.handler(request -> vertx.executeBlocking(() -> ingester.ingest(request.getBytes(), OtlpIngestMetrics.GRPC), false).onComplete(ar -> {
            if (ar.succeeded()) {
                OtlpResult r = ar.result();
                metrics.request(OtlpIngestMetrics.GRPC, GrpcStatus.OK.name(), r);
                call.response().send(OtlpCodec.response(r));
                return;
            }
            Throwable e = ar.cause();
            GrpcStatus status = e instanceof OtlpIngester.UnavailableException ? GrpcStatus.UNAVAILABLE
                    : e instanceof MalformedOtlpException ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL;
            if (status == GrpcStatus.INTERNAL) {
                LOG.log(Level.WARNING, "OTLP/gRPC metrics export failed", e);
            }
            metrics.request(OtlpIngestMetrics.GRPC, status.name(), null);
            String message = status == GrpcStatus.INVALID_ARGUMENT ? invalid(e) : String.valueOf(e.getMessage());
            call.response().status(status).statusMessage(message).end();
        }));
    }

    private static String invalid(Throwable e) {
        return "cannot decode the ExportMetricsServiceRequest: " + e.getMessage();
    }
}
