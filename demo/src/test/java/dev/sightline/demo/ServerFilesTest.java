package dev.sightline.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ServerFilesTest {
    @Test
    void packsEveryDemoRuleFileOfTheExamplesFolder() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "examples", "rules"))) {
            List<String> onDisk = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("demo-") && n.endsWith(".yml")).sorted().toList();
            assertThat(ServerFiles.RULE_FILES).containsExactlyInAnyOrderElementsOf(onDisk);
        }
        try (Stream<Path> files = Files.list(Path.of("..", "examples", "dashboards"))) {
            List<String> onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml")).toList();
            assertThat(ServerFiles.DASHBOARD_FILES).containsExactlyInAnyOrderElementsOf(onDisk);
        }
        try (Stream<Path> files = Files.list(Path.of("..", "examples", "journeys"))) {
            List<String> onDisk = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("demo-") && n.endsWith(".yml")).toList();
            assertThat(ServerFiles.JOURNEY_FILES).containsExactlyInAnyOrderElementsOf(onDisk);
        }
        assertThat(ServerFiles.read(ServerFiles.CONFIG)).isEqualTo(Files.readString(Path.of("..", "examples", "demo", "sightline.yml")));
    }

    @Test
    void writesConfigRulesAndDashboardsWithTheUrlsItIsGiven(@TempDir Path dir) throws IOException {
        Path config = ServerFiles.write(dir, URI.create("http://127.0.0.1:4321/halt"), URI.create("http://127.0.0.1:4322/cache/"));
        assertThat(config).isEqualTo(dir.resolve("demo/sightline.yml"));
        String text = Files.readString(config);
        assertThat(text).contains("url: 'http://127.0.0.1:4321/halt'").doesNotContain(ServerFiles.DEFAULT_HALT_URL)
                .contains("- ../rules/demo-*.yml").contains("directory: ../dashboards")
                .contains("url: \"http://127.0.0.1:4322/cache/primary\"").contains("url: \"http://127.0.0.1:4322/cache/eu-west-2\"")
                .doesNotContain(ServerFiles.DEFAULT_CACHE_URL);
        for (String f : ServerFiles.RULE_FILES) {
            assertThat(dir.resolve("rules").resolve(f)).hasSameTextualContentAs(Path.of("..", "examples", "rules", f));
        }
        for (String f : ServerFiles.DASHBOARD_FILES) {
            assertThat(dir.resolve("dashboards").resolve(f)).hasSameTextualContentAs(Path.of("..", "examples", "dashboards", f));
        }
        assertThat(text).contains("files: [\"../journeys/demo-*.yml\"]");
        for (String f : ServerFiles.JOURNEY_FILES) {
            // The journeys walk the company's routes, served with the cache: they follow it to its port.
            assertThat(Files.readString(dir.resolve("journeys").resolve(f))).contains("http://127.0.0.1:4322/api/")
                    .doesNotContain(ServerFiles.DEFAULT_API_URL);
        }
    }
}
