package dev.sightline.ingest.scrape;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TargetBuilderTest {
    @Test
    void scrapeIntervalLabelsAreWrittenAsPrometheusWritesDurations() {
        // Duration.String writes years and weeks only where they divide exactly: 90d, not 12w6d.
        ScrapeConfig cfg = ScrapeConfig.ofStatic("j", Duration.ofDays(90), Duration.ofSeconds(90), List.of());
        TargetBuilder.Result r = TargetBuilder.build(cfg, Map.of("__address__", "h:9100"), Map.of());
        assertThat(r.discoveredLabels().get("__scrape_interval__")).isEqualTo("90d");
        assertThat(r.discoveredLabels().get("__scrape_timeout__")).isEqualTo("1m30s");
        assertThat(r.target().interval()).isEqualTo(Duration.ofDays(90));
    }

    @Test
    void aBadIntervalLabelIsAnErrorWithPrometheussMessage() {
        ScrapeConfig cfg = ScrapeConfig.ofStatic("j", Duration.ofSeconds(15), Duration.ofSeconds(10), List.of());
        TargetBuilder.Result r = TargetBuilder.build(cfg, Map.of("__address__", "h:9100", "__scrape_interval__", "1mss"), Map.of());
        assertThat(r.target()).isNull();
        assertThat(r.error()).contains("unknown unit \"mss\" in duration \"1mss\"");
    }
}
