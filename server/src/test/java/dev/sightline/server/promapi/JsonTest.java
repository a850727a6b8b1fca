package dev.sightline.server.promapi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {
    @Test
    void timestampsAsSecondsWithMilliseconds() {
        assertThat(Json.formatTimestamp(1435781451781L)).isEqualTo("1435781451.781");
        assertThat(Json.formatTimestamp(1435781451010L)).isEqualTo("1435781451.010");
        assertThat(Json.formatTimestamp(1435781451001L)).isEqualTo("1435781451.001");
        assertThat(Json.formatTimestamp(1435781451000L)).isEqualTo("1435781451");
        assertThat(Json.formatTimestamp(0)).isEqualTo("0");
        assertThat(Json.formatTimestamp(-1500)).isEqualTo("-1.500");
    }
}
