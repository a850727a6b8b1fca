package dev.sightline.server.tenants;

import dev.sightline.server.RunningServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenTelemetry Java SDK exporting over OTLP/gRPC to a multitenant server: the {@code X-Scope-OrgID} header it
 * is configured with picks the tenant, and an export without one is refused.
 */
class TenantOtlpGrpcTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dir, "tenants:\n  multitenancy_enabled: true\n");
    }

    /** Exports one counter as {@code service}, with the header when {@code tenant} is not null; the flush's result. */
    private static boolean export(String service, String tenant) {
        var b = OtlpGrpcMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + server.server().otlp().grpcPort()).setTimeout(Duration.ofSeconds(30));
        if (tenant != null) {
            b.addHeader(Tenants.HEADER, tenant);
        }
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service)))
                .registerMetricReader(PeriodicMetricReader.builder(b.build()).setInterval(Duration.ofHours(1)).build())
                .build();
        try {
            provider.get("tenant.test").counterBuilder("grpc.orders").build().add(3);
            CompletableResultCode r = provider.forceFlush().join(60, TimeUnit.SECONDS);
            return r.isSuccess();
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theHeaderPicksTheTenantAndAnExportWithoutItIsRefused() throws Exception {
        assertThat(export("svc-grpc", "grpc-a")).isTrue();
        assertThat(series("grpc-a")).contains("svc-grpc");
        assertThat(series("grpc-b")).isEqualTo("[]");
        // The SDK logs the refusal ("gRPC status code 16. Error message: no org id") but its flush still reports
        // success, so the server's count is what shows it (once or twice: the SDK exports again at shutdown).
        export("svc-anonymous", null);
        assertThat(server.get("/metrics").body())
                .containsPattern("sightline_ingest_otlp_requests_total\\{code=\"UNAUTHENTICATED\",protocol=\"otlp_grpc\"} [12]\\.0");
    }

    private static String series(String tenant) throws Exception {
        HttpResponse<String> r = server.send(server.request("/api/v1/series?match[]=grpc_orders_total")
                .header(Tenants.HEADER, tenant));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body()).path("data").toString();
    }
}
