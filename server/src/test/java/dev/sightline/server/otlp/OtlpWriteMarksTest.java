package dev.sightline.server.otlp;

import dev.sightline.core.WritePriority;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.server.ingest.WritesInProgress;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every OTLP request, on the main port, the OTLP/HTTP port and gRPC, is a write in progress for queries to give way
 * to while it is stored, and is no longer one once answered, refused or abandoned by its client.
 */
class OtlpWriteMarksTest {
    private static final String EXPORT = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    private static final int MAX_BODY = 64 << 10;
    @TempDir
    Path dir;

    private final WritePriority writes = new WritePriority();
    /** Writes in progress, seen from inside each request's storing. */
    private final List<Integer> during = new CopyOnWriteArrayList<>();
    /** Counted down, when set, by a request reaching storage; it then waits for {@link #resume}. */
    private volatile CountDownLatch reached;
    private final CountDownLatch resume = new CountDownLatch(1);
    private Tsdb tsdb;
    private final ApiTestServer main = new ApiTestServer();
    private OtlpReceiver receiver;
    private Vertx client;
    private HttpClient h2;

    @BeforeEach
    void start() throws Exception {
        tsdb = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false));
        receiver = new OtlpReceiver(() -> {
            during.add(writes.writing());
            CountDownLatch r = reached;
            if (r != null) {
                r.countDown();
                try {
                    resume.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return tsdb;
        }, main.metrics.registry(), IngestLimits.DEFAULT.withMaxDecompressedBytes(MAX_BODY), IngestGuards.none(), null,
                SpanLimits.DEFAULT, null,
                Tenants.disabled(IngestGuards.none()), writes);
        receiver.register(main.api);
        main.listen();
        receiver.listen(main.vertx, "127.0.0.1", 0, 0);
        client = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        resume.countDown();
        client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        receiver.close();
        main.close();
        tsdb.close();
    }

    private static byte[] gauge() {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("g")
                        .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
                                .setTimeUnixNano(System.currentTimeMillis() * 1_000_000L).setAsDouble(1))))))
                .build().toByteArray();
    }

    private int post(int port, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
                .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return main.send(b, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }

    /** A gzip body that inflates past the limit: refused with 413 once read, after its mark is taken. */
    private static byte[] gzipBomb() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(new byte[2 * MAX_BODY]);
        }
        return out.toByteArray();
    }

    /** Held by the test: Vert.x closes a client no one refers to any more, with its calls in flight. */
    private HttpClient h2() {
        if (h2 == null) {
            h2 = client.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(false));
        }
        return h2;
    }

    private static Buffer frame(byte[] body) {
        // One gRPC length-prefixed message: not compressed, 4-byte length, the bytes.
        return Buffer.buffer().appendByte((byte) 0).appendInt(body.length).appendBytes(body);
    }

    /** The grpc-status of a unary call. */
    private String grpc(byte[] body) throws Exception {
        MultiMap status = h2().request(HttpMethod.POST, receiver.grpcPort(), "127.0.0.1", EXPORT)
                .compose(req -> req.putHeader("content-type", "application/grpc").putHeader("te", "trailers")
                        .send(frame(body)))
                .compose(resp -> resp.body().map(b -> resp.headers().contains("grpc-status") ? resp.headers() : resp.trailers()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return status.get("grpc-status");
    }

    @Test
    void httpRequestsOnBothPortsAreMarkedUntilAnsweredOkOrRefused() throws Exception {
        byte[] truncated = Arrays.copyOf(gauge(), 10);
        for (int port : new int[]{receiver.httpPort(), main.port()}) {
            assertThat(post(port, gauge())).isEqualTo(200);
            WritesInProgress.awaitNone(writes);
            assertThat(post(port, truncated)).isEqualTo(400);
            WritesInProgress.awaitNone(writes);
            assertThat(post(port, gzipBomb(), "Content-Encoding", "gzip")).isEqualTo(413);
            WritesInProgress.awaitNone(writes);
            // Over the limit as sent: refused by the body handler, never marked.
            assertThat(post(port, new byte[MAX_BODY + 1])).isEqualTo(413);
            WritesInProgress.awaitNone(writes);
        }
        assertThat(during).isNotEmpty().containsOnly(1);
    }

    @Test
    void grpcCallsAreMarkedUntilAnsweredOkOrRefused() throws Exception {
        assertThat(grpc(gauge())).isEqualTo("0");
        WritesInProgress.awaitNone(writes);
        int seen = during.size();
        assertThat(grpc(Arrays.copyOf(gauge(), 10))).isEqualTo("3");
        WritesInProgress.awaitNone(writes);
        assertThat(seen).isPositive();
        assertThat(during).hasSizeGreaterThan(seen).containsOnly(1);
    }

    @Test
    void aGrpcCallResetByItsClientReleasesItsMark() throws Exception {
        CountDownLatch r = new CountDownLatch(1);
        reached = r;
        HttpClientRequest req = h2().request(HttpMethod.POST, receiver.grpcPort(), "127.0.0.1", EXPORT)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        req.putHeader("content-type", "application/grpc").putHeader("te", "trailers").end(frame(gauge()));
        assertThat(r.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(writes.writing()).isEqualTo(1);
        req.reset().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        resume.countDown();
        WritesInProgress.awaitNone(writes);
    }
}
