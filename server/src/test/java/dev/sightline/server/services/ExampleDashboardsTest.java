package dev.sightline.server.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.server.dashboards.DashboardReader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** examples/dashboards/*.yml, as shipped, in the UI contract's dashboard model; and the checker's own refusals. */
class ExampleDashboardsTest {
    private static final Path DASHBOARDS = Path.of("..", "examples", "dashboards");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyExampleIsADashboardOfTheContract() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DASHBOARDS)) {
            files = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("cache-freshness.yml", "orders.yml", "rider-driver.yml", "surge.yml");
        for (Path f : files) {
            JsonNode d = YAML.readTree(f.toFile());
            assertThat(DashboardShape.check(d)).as(f.toString()).isEmpty();
            assertThat(d.path("uid").asText() + ".yml").as("uid of " + f).isEqualTo(f.getFileName().toString());
            // And the server's own reader (stricter on options per panel type) takes it, as the demo serves it.
            assertThatCode(() -> DashboardReader.yaml(f.getFileName().toString(), Files.readAllBytes(f), null))
                    .as(f.toString()).doesNotThrowAnyException();
        }
    }

    @Test
    void theSeedsPanelsAreThere() throws IOException {
        JsonNode surge = YAML.readTree(DASHBOARDS.resolve("surge.yml").toFile());
        assertThat(surge.path("rows").get(0).path("panels").get(0).path("type").asText()).isEqualTo("heatmap");
        JsonNode orders = YAML.readTree(DASHBOARDS.resolve("orders.yml").toFile());
        // The halt line of the PnLShock rule is drawn beside P&L.
        assertThat(orders.toString()).contains("vector(-1000000)").contains("\"type\":\"anomaly\"");
        JsonNode cache = YAML.readTree(DASHBOARDS.resolve("cache-freshness.yml").toFile());
        assertThat(cache.path("rows").get(1).path("repeat").asText()).isEqualTo("reader");
        assertThat(cache.toString()).contains("sightline_canary_staleness_seconds");
        JsonNode balance = YAML.readTree(DASHBOARDS.resolve("rider-driver.yml").toFile());
        assertThat(balance.path("rows").get(0).path("panels").get(0).path("targets")).hasSize(2);
        // The rider/driver mismatch: both apps' multipliers, and RiderDriverSurgeMismatch's ratio with its line.
        JsonNode surgePanels = balance.path("rows").get(1).path("panels");
        assertThat(surgePanels.get(0).toString()).contains("rider_surge_multiplier").contains("driver_surge_multiplier");
        assertThat(surgePanels.get(1).toString()).contains("avg_over_time(rider_surge_multiplier").contains("vector(1.2)");
    }

    @Test
    void problemsAreNamedByTheirPath() throws IOException {
        JsonNode bad = YAML.readTree("""
                uid: Bad Uid
                title: t
                time: {range: soon}
                variables:
                  - {name: region, query: "label_values(up{, region)"}
                rows:
                  - title: r
                    repeat: zone
                    panels:
                      - {title: a, type: pie, targets: [{expr: up}]}
                      - {title: b, type: timeseries, span: 13, targets: [{expr: "rate(up[5m]"}], options: {colour: red}}
                      - {title: c, type: stat, targets: [{expr: 'up{region="$zone"}'}]}
                """);
        assertThat(DashboardShape.check(bad)).containsExactly(
                "uid: \"Bad Uid\" does not match [a-z0-9][a-z0-9-]*",
                "time.range: \"soon\" does not match \\d+(ms|s|m|h|d|w|y)",
                "variables[0].query: 1:4: parse error: unexpected end of input inside braces",
                "rows[0].repeat: \"zone\" is no variable of the dashboard",
                "rows[0].panels[0].type: \"pie\" is none of [anomaly, bar, gauge, heatmap, logs, scatter, stat, table, timeseries, traces]",
                "rows[0].panels[1].span: 13 is not a whole number of twelfths from 1 to 12",
                "rows[0].panels[1].options.colour: unknown field (known: [log_scale, max, min, stacked, unit])",
                "rows[0].panels[1].targets[0].expr: 1:12: parse error: unclosed left parenthesis",
                "rows[0].panels[2].targets[0].expr: $zone is no variable of the dashboard");
    }
}
