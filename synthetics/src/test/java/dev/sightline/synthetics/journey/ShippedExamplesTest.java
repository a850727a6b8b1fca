package dev.sightline.synthetics.journey;

import dev.sightline.synthetics.probe.BlackboxConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The journeys and blackbox configuration shipped in examples/ load as they are. */
class ShippedExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void everyExampleJourneyLoads() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(EXAMPLES.resolve("journeys"))) {
            files = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(files).hasSize(5);
        for (Path f : files) {
            Journey j = JourneyParser.parseFile(f);
            assertThat(j.steps()).as(f.toString()).isNotEmpty();
            // The demo's journeys each name the services they prove (what /api/v1/maturity counts them for).
            if (f.getFileName().toString().startsWith("demo-")) {
                assertThat(j.services()).as(f.toString()).isNotEmpty();
            }
        }
        Journey shop = JourneyParser.parseFile(EXAMPLES.resolve("journeys/shop.yml"));
        assertThat(shop.cleanup()).hasSize(1);
        assertThat(shop.alertAfter()).isEqualTo(3);
    }

    @Test
    void theExampleBlackboxConfigurationLoads() throws Exception {
        BlackboxConfig c = BlackboxConfig.load(EXAMPLES.resolve("blackbox.yml"));
        assertThat(c.modules()).containsOnlyKeys("http_2xx", "http_content", "tcp_connect", "smtp_banner");
        assertThat(c.modules().get("smtp_banner").tcp().queryResponse()).hasSize(4);
    }
}
