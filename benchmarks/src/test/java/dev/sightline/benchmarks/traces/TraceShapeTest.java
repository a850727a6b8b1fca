package dev.sightline.benchmarks.traces;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import org.junit.jupiter.api.Test;
import zipkin2.codec.SpanBytesDecoder;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class TraceShapeTest {
    private static final long START = 1_765_000_000_000_000_000L;

    @Test
    void tracesAreDeterministicBySeedAndIndex() {
        assertThat(new TraceShape(7).trace(42, START)).isEqualTo(new TraceShape(7).trace(42, START));
        assertThat(new TraceShape(7).trace(42, START).idHex()).isNotEqualTo(new TraceShape(8).trace(42, START).idHex());
        assertThat(new TraceShape(7).trace(43, START).idHex()).isNotEqualTo(new TraceShape(7).trace(42, START).idHex());
    }

    @Test
    void tracesHaveTheAdvertisedShape() {
        TraceShape shape = new TraceShape(1);
        for (int i = 0; i < 500; i++) {
            TraceShape.Trace t = shape.trace(i, START);
            assertThat(t.spans()).hasSizeBetween(5, 30);
            Set<Long> ids = new HashSet<>();
            t.spans().forEach(s -> ids.add(s.spanId()));
            TraceShape.Span root = t.spans().getFirst();
            assertThat(root.parentId()).isZero();
            for (TraceShape.Span s : t.spans()) {
                assertThat(s.attrs()).as("attributes of %s", s.name()).hasSizeBetween(10, 20);
                assertThat(s.endNanos()).isGreaterThan(s.startNanos());
                assertThat(s.startNanos()).isGreaterThanOrEqualTo(root.startNanos());
                assertThat(s.endNanos()).isLessThanOrEqualTo(root.endNanos());
                if (s != root) {
                    assertThat(ids).contains(s.parentId());
                }
            }
        }
    }

    @Test
    void bothEncodingsCarryEverySpanAndOtlpIsAbout500BytesPerSpan() throws Exception {
        TraceShape shape = new TraceShape(3);
        List<TraceShape.Trace> traces = IntStream.range(0, 29).mapToObj(i -> shape.trace(i, START + i * 1_000_000L)).toList();
        int spans = traces.stream().mapToInt(t -> t.spans().size()).sum();

        byte[] otlp = SpanEncoders.otlp(traces);
        ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(otlp);
        assertThat(req.getResourceSpansList().stream().flatMap(r -> r.getScopeSpansList().stream())
                .mapToInt(s -> s.getSpansCount()).sum()).isEqualTo(spans);
        assertThat((double) otlp.length / spans).isBetween(400.0, 600.0);

        List<zipkin2.Span> decoded = SpanBytesDecoder.PROTO3.decodeList(SpanEncoders.zipkin(traces));
        assertThat(decoded).hasSize(spans);
        TraceShape.Span first = traces.getFirst().spans().getFirst();
        assertThat(decoded.getFirst().traceId()).isEqualTo(traces.getFirst().idHex());
        assertThat(decoded.getFirst().localServiceName()).isEqualTo(TraceShape.SERVICES[first.service()]);
        assertThat(decoded.getFirst().durationAsLong()).isEqualTo(first.durationNanos() / 1000);
        assertThat(decoded.getFirst().tags()).containsEntry("http.route",
                first.attrs().stream().filter(a -> a.key().equals("http.route")).findFirst().orElseThrow().value().toString());
    }
}
