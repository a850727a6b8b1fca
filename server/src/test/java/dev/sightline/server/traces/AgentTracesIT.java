package dev.sightline.server.traces;

import dev.sightline.core.span.SpanKind;
import dev.sightline.server.RunningServer;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenTelemetry Java agent (the jar from Maven Central, copied into target/otel-agent by the build) attached to
 * {@link AgentDemoApp} in a child JVM, with the agent's default exporter settings but for the endpoint: its server
 * spans, and the client spans that call them, arrive in the span store over OTLP/HTTP (the agent's default protocol)
 * and over OTLP/gRPC.
 */
class AgentTracesIT {
    private static final int REQUESTS = 3;

    @Test
    void agentSpansArriveOverHttpAndGrpc(@TempDir Path dir) throws Exception {
        try (RunningServer running = new RunningServer().start(dir, null)) {
            var otlp = running.server().otlp();
            runApp(dir, "agent-http", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + otlp.httpPort()));
            runApp(dir, "agent-grpc", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + otlp.grpcPort(),
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
            for (String service : new String[]{"agent-http", "agent-grpc"}) {
                List<StoredSpan> spans = spansOf(running, service);
                List<StoredSpan> orders = spans.stream().filter(s -> s.span().kind() == SpanKind.SERVER
                        && s.span().attributes().toString().contains("/orders")).toList();
                assertThat(orders).as(service + " server spans of /orders: " + spans).hasSize(REQUESTS);
                List<StoredSpan> stock = spans.stream().filter(s -> s.span().kind() == SpanKind.SERVER
                        && s.span().attributes().toString().contains("/stock")).toList();
                assertThat(stock).as(service + " server spans of /stock").hasSize(REQUESTS);
                for (StoredSpan s : stock) {
                    // /stock was called from inside /orders: its trace is an /orders trace, through a client span.
                    assertThat(orders).extracting(StoredSpan::traceId).contains(s.traceId());
                    assertThat(spans).anySatisfy(c -> {
                        assertThat(c.span().spanId()).isEqualTo(s.span().parentSpanId());
                        assertThat(c.span().kind()).isEqualTo(SpanKind.CLIENT);
                    });
                }
                assertThat(orders.getFirst().resource().attributes().toString())
                        .contains("telemetry.sdk.language", "java", "telemetry.distro.name");
                assertThat(orders.getFirst().scope().name()).startsWith("io.opentelemetry.");
            }
        }
    }

    private static List<StoredSpan> spansOf(RunningServer running, String service) {
        List<StoredSpan> out = new ArrayList<>();
        List<TraceSummary> traces = running.server().spans().querier().search(new dev.sightline.traces.SpanQuery(
                Long.MIN_VALUE, Long.MAX_VALUE, List.of(SpanCondition.service(service)), 1000, 1000));
        for (TraceSummary t : traces) {
            out.addAll(running.server().spans().querier().trace(t.traceId(), Long.MIN_VALUE, Long.MAX_VALUE));
        }
        return out;
    }

    /** Runs the app with the agent until it exits (the agent exports at shutdown). */
    private static void runApp(Path dir, String service, Map<String, String> env) throws IOException, InterruptedException {
        Path agent = Path.of(System.getProperty("otel.javaagent.jar", "target/otel-agent/opentelemetry-javaagent.jar"));
        assertThat(agent).as("the agent jar the build copies").exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(AgentDemoApp.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        Path log = dir.resolve(service + ".log");
        ProcessBuilder pb = new ProcessBuilder(java, "-javaagent:" + agent.toAbsolutePath(), "-cp", classes,
                AgentDemoApp.class.getName(), Integer.toString(REQUESTS))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OTEL_SERVICE_NAME", service);
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(exited).as("the app exits within 120 s:\n" + output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("done");
    }
}
