package dev.sightline.core.span;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttributesTest {
    @Test
    void typedValuesComeBackAsAdded() {
        Attributes.Builder b = new Attributes.Builder();
        for (int i = 0; i < 20; i++) { // past the builder's first capacity
            b.addLong("n" + i, i);
        }
        b.addString("s", "v").addBool("b", true).addDouble("d", -0.5).addBytes("raw", new byte[]{1, 2})
                .addJson("arr", AttributeType.ARRAY, "[1,\"x\"]");
        Attributes a = b.build();
        assertThat(a.size()).isEqualTo(25);
        assertThat(a.longValue(19)).isEqualTo(19);
        int s = a.indexOf("s");
        assertThat(a.type(s)).isEqualTo(AttributeType.STRING);
        assertThat(a.stringValue(s)).isEqualTo("v");
        assertThat(a.boolValue(a.indexOf("b"))).isTrue();
        assertThat(a.doubleValue(a.indexOf("d"))).isEqualTo(-0.5);
        assertThat(a.bytesValue(a.indexOf("raw"))).containsExactly(1, 2);
        assertThat(a.jsonValue(a.indexOf("arr"))).isEqualTo("[1,\"x\"]");
        assertThat(a.valueText(a.indexOf("raw"))).isEqualTo("AQI=");
        assertThat(a.indexOf("missing")).isEqualTo(-1);
    }

    @Test
    void builderIsReusedAndEmptyIsShared() {
        Attributes.Builder b = new Attributes.Builder();
        Attributes first = b.addString("k", "1").build();
        assertThat(b.size()).isZero();
        Attributes second = b.addString("k", "1").build();
        assertThat(second).isEqualTo(first).hasSameHashCodeAs(first).isNotSameAs(first);
        assertThat(b.build()).isSameAs(Attributes.EMPTY);
        assertThat(b.addString("k", "2").build()).isNotEqualTo(first);
    }

    @Test
    void wrongTypeIsNamed() {
        Attributes a = new Attributes.Builder().addLong("http.status_code", 200).build();
        assertThatThrownBy(() -> a.stringValue(0)).hasMessageContaining("\"http.status_code\" is LONG, not STRING");
        assertThatThrownBy(() -> new Attributes.Builder().addJson("x", AttributeType.STRING, "\"a\""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesStayImmutable() {
        Attributes a = new Attributes.Builder().addBytes("b", new byte[]{7}).build();
        a.bytesValue(0)[0] = 9;
        assertThat(a.bytesValue(0)).containsExactly(7);
    }

    @Test
    void resourceServiceName() {
        SpanResource r = new SpanResource(new Attributes.Builder().addString("service.name", "cart").build(), 0, "");
        assertThat(r.serviceName()).isEqualTo("cart");
        assertThat(SpanResource.EMPTY.serviceName()).isEmpty();
    }
}
