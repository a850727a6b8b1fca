package dev.sightline.core.span;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpanIdsTest {
    @Test
    void traceIdRoundTripsThroughHex() {
        String hex = "4bf92f3577b34da6a3ce929d0e0e4736"; // the W3C trace-context spec's example
        long hi = SpanIds.traceIdHi(hex);
        long lo = SpanIds.traceIdLo(hex);
        assertThat(hi).isEqualTo(0x4bf92f3577b34da6L);
        assertThat(lo).isEqualTo(0xa3ce929d0e0e4736L);
        assertThat(SpanIds.traceIdHex(hi, lo)).isEqualTo(hex);
        assertThat(SpanIds.validTraceId(hi, lo)).isTrue();
    }

    @Test
    void spanIdRoundTripsAndHighBitIsKept() {
        assertThat(SpanIds.spanIdHex(SpanIds.spanId("00f067aa0ba902b7"))).isEqualTo("00f067aa0ba902b7");
        assertThat(SpanIds.spanIdHex(-1L)).isEqualTo("ffffffffffffffff");
        assertThat(SpanIds.spanId("FFFFFFFFFFFFFFFF")).isEqualTo(-1L);
    }

    @Test
    void allZeroIdsAreInvalid() {
        assertThat(SpanIds.validTraceId(0, 0)).isFalse();
        assertThat(SpanIds.validTraceId(0, 1)).isTrue();
        assertThat(SpanIds.validSpanId(0)).isFalse();
        assertThat(SpanIds.traceIdHex(0, 0)).isEqualTo("0".repeat(32));
    }

    @Test
    void badHexIsNamed() {
        assertThatThrownBy(() -> SpanIds.traceIdHi("abc")).hasMessageContaining("has 3 hex digits, want 32");
        assertThatThrownBy(() -> SpanIds.spanId("00f067aa0ba902bz")).hasMessageContaining("non-hex character at 15");
        assertThatThrownBy(() -> SpanIds.traceIdLo("4bf92f3577b34da6a3ce929d0e0e473g"))
                .hasMessageContaining("trace id").hasMessageContaining("at 31");
    }

    @Test
    void bytesAreBigEndian() {
        byte[] b = {0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88};
        assertThat(SpanIds.fromBytes(b, 1)).isEqualTo(0x1122334455667788L);
    }

    @Test
    void aSpanNeedsValidIds() {
        assertThatThrownBy(() -> new Span(0, 0, 1, 0, "", 0, "x", SpanKind.INTERNAL, 1, 2, Attributes.EMPTY, 0,
                java.util.List.of(), 0, java.util.List.of(), 0, StatusCode.UNSET, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trace id");
    }

    @Test
    void enumsFollowTheProtobufNumbers() {
        assertThat(SpanKind.of(2)).isEqualTo(SpanKind.SERVER);
        assertThat(SpanKind.of(5)).isEqualTo(SpanKind.CONSUMER);
        assertThat(SpanKind.of(99)).isEqualTo(SpanKind.UNSPECIFIED);
        assertThat(StatusCode.of(2)).isEqualTo(StatusCode.ERROR);
        assertThat(StatusCode.of(-1)).isEqualTo(StatusCode.UNSET);
    }
}
