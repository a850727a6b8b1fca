package dev.sightline.server.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class DashboardsConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private SightlineConfig parse(String yaml) throws Exception {
        return loader.parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theDirectoryIsRelativeToTheConfigurationFile() throws Exception {
        DashboardsConfig d = parse("dashboards:\n  directory: dash/\n").dashboards();
        assertThat(d.resolve(Path.of("/etc/sightline/sightline.yml"))).isEqualTo(Path.of("/etc/sightline/dash"));
        assertThat(d.resolve(null)).isEqualTo(Path.of("").toAbsolutePath().resolve("dash"));
        assertThat(parse("dashboards:\n  directory: /srv/dash\n").dashboards().resolve(Path.of("/etc/s.yml"))).isEqualTo(Path.of("/srv/dash"));
    }

    @Test
    void withoutTheSectionThereIsNone() throws Exception {
        assertThat(parse("global: {}\n").dashboards().resolve(Path.of("/etc/s.yml"))).isNull();
        assertThat(SightlineConfig.defaults().dashboards()).isEqualTo(DashboardsConfig.NONE);
    }

    @Test
    void badValuesNameTheirKey() {
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse("dashboards:\n  dir: x\n")).getMessage())
                .isEqualTo("sightline.yml:2:3: unknown key \"dir\" in dashboards (known keys: directory)");
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse("dashboards:\n  directory: ''\n")).getMessage())
                .startsWith("sightline.yml:").contains("dashboards.directory: must not be empty");
    }
}
