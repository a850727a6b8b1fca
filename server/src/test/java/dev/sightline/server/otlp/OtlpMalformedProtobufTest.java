package dev.sightline.server.otlp;

import com.google.protobuf.CodedInputStream;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.ingest.IngestLimits;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A binary body is decoded while it is appended: a truncated one must still be refused whole, with a 400 (HTTP) or
 * INVALID_ARGUMENT (gRPC) naming the byte offset, and leave nothing stored (the points before the cut included).
 */
class OtlpMalformedProtobufTest {
    private static final long T = 1_700_000_000_000_000_000L;
    @TempDir
    Path dir;

    @Test
    void truncatedBodyIs400WithTheOffsetAndStoresNothing() throws Exception {
        try (OtlpTestServer server = new OtlpTestServer(dir, IngestLimits.DEFAULT)) {
            byte[] body = truncatedRequest();
            HttpResponse<byte[]> r = server.postMetrics(server.receiver.httpPort(), "application/x-protobuf", body);

            assertThat(r.statusCode()).isEqualTo(400);
            CodedInputStream in = CodedInputStream.newInstance(r.body());
            in.readTag();
            assertThat(in.readInt32()).isEqualTo(3);
            in.readTag();
            assertThat(in.readString()).matches("invalid protobuf ExportMetricsServiceRequest at byte offset \\d+: .+");
            assertThat(server.floats(LabelMatcher.eq(Labels.METRIC_NAME, "g"))).isEmpty();
        }
    }

    @Test
    void truncatedGrpcMessageIsInvalidArgumentWithTheOffset() throws Exception {
        try (OtlpTestServer server = new OtlpTestServer(dir, IngestLimits.DEFAULT)) {
            byte[] body = truncatedRequest();
            Vertx vertx = Vertx.vertx();
            try {
                io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                        .setHttp2ClearTextUpgrade(false));
                // One gRPC length-prefixed message: not compressed, 4-byte length, the bytes.
                Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(body.length).appendBytes(body);
                MultiMap status = h2.request(HttpMethod.POST, server.receiver.grpcPort(), "127.0.0.1",
                                "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export")
                        .compose(req -> req.putHeader("content-type", "application/grpc").putHeader("te", "trailers").send(frame))
                        .compose(resp -> resp.body().map(b -> resp.headers().contains("grpc-status") ? resp.headers() : resp.trailers()))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(status.get("grpc-status")).isEqualTo("3");
                assertThat(QueryStringDecoder.decodeComponent(status.get("grpc-message")))
                        .matches("cannot decode the ExportMetricsServiceRequest: invalid protobuf ExportMetricsServiceRequest at byte offset \\d+: .+");
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            assertThat(server.floats(LabelMatcher.eq(Labels.METRIC_NAME, "g"))).isEmpty();
        }
    }

    /** 50 points of gauge g, cut 3 bytes short. */
    private static byte[] truncatedRequest() {
        Gauge.Builder g = Gauge.newBuilder();
        for (int i = 0; i < 50; i++) {
            g.addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T).setAsDouble(i)
                    .addAttributes(KeyValue.newBuilder().setKey("i").setValue(AnyValue.newBuilder().setStringValue("p" + i))));
        }
        byte[] body = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("cut"))))
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("g").setGauge(g))))
                .build().toByteArray();
        return Arrays.copyOf(body, body.length - 3);
    }
}
