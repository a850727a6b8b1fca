package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CanaryValueTest {
    @Test
    void carriesItsWriteTimeAndIsFoundInAnyText() {
        CanaryValue v = CanaryValue.next("product-cache", 1_700_000_000_123L);
        assertThat(v.toString()).matches("sightline-canary/product-cache/1700000000123/[0-9a-f]{16}");
        assertThat(CanaryValue.find("product-cache", "{\"value\": \"" + v + "\"}")).isEqualTo(v);
        assertThat(CanaryValue.next("product-cache", 1L)).isNotEqualTo(CanaryValue.next("product-cache", 1L));
    }

    @Test
    void anotherCanarysValueOrGarbageIsNoValue() {
        CanaryValue other = CanaryValue.next("orders", 5);
        assertThat(CanaryValue.find("product-cache", other.toString())).isNull();
        assertThat(CanaryValue.find("product-cache", "sightline-canary/product-cache/notanumber/0123456789abcdef")).isNull();
        assertThat(CanaryValue.find("product-cache", null)).isNull();
        // The first value of the right canary wins, whatever precedes it.
        CanaryValue mine = CanaryValue.next("product-cache", 7);
        assertThat(CanaryValue.find("product-cache", other + " " + mine)).isEqualTo(mine);
    }
}
