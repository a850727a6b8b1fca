package dev.sightline.server.alerting;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GeneratorUrlTest {
    @Test
    void anAlertLinksToTheAlertsPageFocusedOnItsName() {
        assertThat(AlertingService.generatorUrl("http://sl:9797", Labels.of("alertname", "HighLatency", "job", "api")))
                .isEqualTo("http://sl:9797/alerts?alert=HighLatency");
    }

    @Test
    void theNameIsEncodedAndATrailingSlashOfTheExternalUrlIsNotDoubled() {
        assertThat(AlertingService.generatorUrl("https://example.org/sightline/", Labels.of("alertname", "Disk full & 90%")))
                .isEqualTo("https://example.org/sightline/alerts?alert=Disk+full+%26+90%25");
    }

    @Test
    void withoutAnAlertnameItIsTheAlertsPage() {
        assertThat(AlertingService.generatorUrl("http://sl:9797", Labels.of("job", "api"))).isEqualTo("http://sl:9797/alerts");
    }
}
