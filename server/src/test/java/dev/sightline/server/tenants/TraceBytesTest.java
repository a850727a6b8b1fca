package dev.sightline.server.tenants;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TraceBytesTest {
    private long now = 1_000;

    private static Span span(long trace, String name, Attributes attributes) {
        return new Span(1, trace, 7, 0, "", 1, name, SpanKind.SERVER, 10, 20, attributes, 0, List.of(), 0, List.of(), 0,
                StatusCode.OK, "");
    }

    @Test
    void aSpansEstimateCountsItsNameAndAttributes() {
        assertThat(TraceBytes.estimate(span(1, "abcd", Attributes.EMPTY))).isEqualTo(64 + 4);
        Attributes a = new Attributes.Builder().addString("k", "value").addLong("n", 5).addBytes("b", new byte[10]).build();
        // Each attribute: 4 + key + value (string length, 8 for a number, the bytes).
        assertThat(TraceBytes.estimate(span(1, "", a))).isEqualTo(64 + (4 + 1 + 5) + (4 + 1 + 8) + (4 + 1 + 10));
    }

    @Test
    void aTracesBytesAreCountedAcrossRequestsForOneToTwoWindows() {
        TraceBytes bytes = new TraceBytes(200, () -> now);
        Span s = span(1, "n".repeat(36), Attributes.EMPTY); // 100 bytes
        TraceBytes.Request first = bytes.request();
        first.add(s);
        first.add(s);
        assertThat(first.over()).isNull();
        first.commit();

        TraceBytes.Request second = bytes.request();
        second.add(s);
        second.add(span(2, "n".repeat(36), Attributes.EMPTY));
        assertThat(second.over()).isEqualTo(new TraceBytes.Over("00000000000000010000000000000001", 100, 200));

        // One window later the counts are the older generation, still counted; two later they are forgotten.
        now += TraceBytes.WINDOW_NANOS;
        assertThat(second.over()).isNotNull();
        now += TraceBytes.WINDOW_NANOS;
        assertThat(second.over()).isNull();
    }
}
