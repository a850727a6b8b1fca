package dev.sightline.server.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.core.Labels;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class GeneratorUrlTest {
    @RegisterExtension
    final RunningServer server = new RunningServer();

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

    @Test
    void theConfiguredExternalUrlIsWhereRuleAlertsLink(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("rules.yml"), "groups: [{name: g, rules: [{alert: Always, expr: vector(1)}]}]\n");
        server.start(dir, """
                global: {evaluation_interval: 1s}
                server: {external_url: 'https://ops.example.org/sightline/'}
                rule_files: [rules.yml]
                """);
        long deadline = System.currentTimeMillis() + 10_000;
        JsonNode alerts = server.getJson("/api/v2/alerts");
        while (alerts.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            alerts = server.getJson("/api/v2/alerts");
        }
        assertThat(alerts.get(0).get("generatorURL").asText()).isEqualTo("https://ops.example.org/sightline/alerts?alert=Always");
    }
}
