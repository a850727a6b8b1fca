package dev.sightline.server.promapi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromApiJsonWriterTest {
    @Test
    void timestampsAsSecondsWithMilliseconds() {
        assertThat(PromApiJsonWriter.formatTimestamp(1435781451781L)).isEqualTo("1435781451.781");
        assertThat(PromApiJsonWriter.formatTimestamp(1435781451010L)).isEqualTo("1435781451.010");
        assertThat(PromApiJsonWriter.formatTimestamp(1435781451001L)).isEqualTo("1435781451.001");
        assertThat(PromApiJsonWriter.formatTimestamp(1435781451000L)).isEqualTo("1435781451");
        assertThat(PromApiJsonWriter.formatTimestamp(0)).isEqualTo("0");
        assertThat(PromApiJsonWriter.formatTimestamp(-1500)).isEqualTo("-1.500");
    }
}
