package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.demo.sim.Incident;
import dev.sightline.demo.sim.IncidentKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlertWatcherTest {
    private static final long START = Instant.parse("2026-12-06T14:00:00Z").toEpochMilli();

    private static List<JsonNode> alerts(String json) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(json).forEach(out::add);
        return out;
    }

    @Test
    void matchesTheIncidentsAlertAboutItsTargetSinceItBegan() throws Exception {
        Incident runaway = new Incident(1, IncidentKind.RUNAWAY_STRATEGY, START, START + 480_000);
        List<JsonNode> firing = alerts("""
                [{"labels":{"alertname":"RunawayStrategy","strategy":"stat-arb"},"annotations":{"summary":"other"},
                  "activeAt":"2026-12-06T14:00:40Z"},
                 {"labels":{"alertname":"RunawayStrategy","strategy":"momentum"},"annotations":{"summary":"old"},
                  "activeAt":"2026-12-06T13:50:00Z"},
                 {"labels":{"alertname":"ProductCacheStale","region":"eu-west"},"annotations":{"summary":"cache"},
                  "activeAt":"2026-12-06T14:00:40Z"},
                 {"labels":{"alertname":"RunawayStrategy","strategy":"momentum"},"annotations":{"summary":"caught"},
                  "activeAt":"2026-12-06T14:00:45.5Z"}]""");
        AlertWatcher.Alert a = AlertWatcher.match(runaway, firing).orElseThrow();
        assertThat(a.name()).isEqualTo("RunawayStrategy");
        assertThat(a.summary()).isEqualTo("caught");
        assertThat(a.activeAt()).isEqualTo(Instant.parse("2026-12-06T14:00:45.5Z"));
        // An alert with none of the target labels (the latency golden signal) counts for its incident.
        Incident pool = new Incident(4, IncidentKind.SATURATED_POOL, START, START + 480_000);
        assertThat(AlertWatcher.match(pool, alerts("""
                [{"labels":{"alertname":"PaymentLatencyHigh","service":"payment-service"},"annotations":{},
                  "activeAt":"2026-12-06T14:01:00Z"}]"""))).map(AlertWatcher.Alert::name).contains("PaymentLatencyHigh");
        assertThat(AlertWatcher.match(pool, firing)).isEmpty();
    }
}
