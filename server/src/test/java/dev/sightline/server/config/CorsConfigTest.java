package dev.sightline.server.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CorsConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private SightlineConfig parse(String yaml) throws Exception {
        return loader.parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theOriginIsAnExpressionOverTheWholeOriginHeader() throws Exception {
        var origins = parse("cors:\n  origin: 'https://grafana\\.example\\.com|http://localhost:\\d+'\n").cors().toCrossOrigin();
        assertThat(origins.trusts("https://grafana.example.com")).isTrue();
        assertThat(origins.trusts("http://localhost:3000")).isTrue();
        assertThat(origins.trusts("https://grafana.example.com.evil")).isFalse();
        assertThat(origins.trusts("http://localhost:3000/")).isFalse();
    }

    @Test
    void withoutTheSectionNoOriginIsTrusted() throws Exception {
        assertThat(parse("global: {}\n").cors()).isEqualTo(CorsConfig.NONE);
        assertThat(SightlineConfig.defaults().cors().toCrossOrigin().trusts("https://grafana.example.com")).isFalse();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse("cors:\n  origin: 'https://(x'\n")).getMessage())
                .startsWith("sightline.yml:").contains("cors.origin: not a valid regular expression: Unclosed group");
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse("cors:\n  origins: x\n")).getMessage())
                .isEqualTo("sightline.yml:2:3: unknown key \"origins\" in cors (known keys: origin)");
    }
}
