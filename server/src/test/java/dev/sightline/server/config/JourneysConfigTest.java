package dev.sightline.server.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JourneysConfigTest {
    private static SightlineConfig parse(String yaml) throws Exception {
        return new ConfigLoader().parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSectionIsOptionalAndKeepsItsParts() throws Exception {
        assertThat(SightlineConfig.defaults().journeys().isEmpty()).isTrue();
        JourneysConfig j = parse("""
                journeys:
                  files: ["journeys/*.yml"]
                  inline: [{name: a, steps: []}]
                  blackbox_config_file: blackbox.yml
                """).journeys();
        assertThat(j.files()).containsExactly("journeys/*.yml");
        assertThat(j.inline().get(0).path("name").asText()).isEqualTo("a");
        assertThat(j.blackboxConfigFile()).isEqualTo("blackbox.yml");
    }

    @Test
    void aBadShapeIsRefusedAtItsKey() {
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse("journeys:\n  filez: []\n")).getMessage())
                .startsWith("sightline.yml:2:3: unknown key \"filez\" in journeys");
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse("journeys:\n  inline: {a: 1}\n")).getMessage())
                .startsWith("sightline.yml:2:3: journeys.inline: expected a list of journeys");
    }
}
