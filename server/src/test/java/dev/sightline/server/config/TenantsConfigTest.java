package dev.sightline.server.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TenantsConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private TenantsConfig parse(String yaml) throws Exception {
        return loader.parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8)).tenants();
    }

    private String error(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void offWithoutTheSectionAndNoLimits() throws Exception {
        TenantsConfig t = parse("global: {}\n");
        assertThat(t.multitenancyEnabled()).isFalse();
        assertThat(t.limitsOf("anyone")).isEqualTo(TenantLimitsConfig.NONE);
        assertThat(SightlineConfig.defaults().tenants()).isEqualTo(TenantsConfig.DISABLED);
    }

    @Test
    void overridesTakeWhatTheyLeaveOutFromTheDefaults() throws Exception {
        TenantsConfig t = parse("""
                tenants:
                  multitenancy_enabled: true
                  defaults: {ingestion_rate: 10000, ingestion_burst_size: 200000, max_total_query_length: 32d}
                  overrides:
                    team-a: {ingestion_rate: 50000}
                    team-b: {max_total_query_length: 0s}
                """);
        assertThat(t.multitenancyEnabled()).isTrue();
        assertThat(t.limitsOf("team-a")).isEqualTo(new TenantLimitsConfig(50000.0, 200000, 0, 0, Duration.ofDays(32), 0));
        assertThat(t.limitsOf("team-b").maxTotalQueryLength()).isZero();
        assertThat(t.limitsOf("team-c")).isEqualTo(new TenantLimitsConfig(10000.0, 200000, 0, 0, Duration.ofDays(32), 0));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThat(error("tenants:\n  overrides:\n    a/b: {ingestion_rate: 1}\n"))
                .startsWith("sightline.yml:").contains("tenants.overrides: tenant ID 'a/b' contains unsupported characters");
        assertThat(error("tenants:\n  defaults: {ingestion_rate: -1}\n"))
                .contains("ingestion_rate: must be 0 (no limit) or a positive number");
        assertThat(error("tenants:\n  defaults: {max_global_series_per_user: -5}\n"))
                .contains("max_global_series_per_user: must be 0 (no limit) or more, got -5");
        assertThat(error("tenants:\n  defaults: {max_series: 5}\n"))
                .startsWith("sightline.yml:2:").contains("unknown key \"max_series\"");
    }

    @Test
    void rulesDirNeedsMultitenancyAndRuleFilesAreRefusedWithIt() throws Exception {
        assertThat(parse("tenants: {multitenancy_enabled: true, rules_dir: tr}\n").rulesDir(java.nio.file.Path.of("/etc/s/s.yml")))
                .isEqualTo(java.nio.file.Path.of("/etc/s/tr"));
        assertThat(parse("tenants: {multitenancy_enabled: true}\n").rulesDir(null)).isNull();
        assertThat(error("tenants:\n  rules_dir: tr\n"))
                .isEqualTo("sightline.yml:2:3: tenants.rules_dir: per-tenant rules need multitenancy_enabled: true");
        assertThat(error("tenants:\n  multitenancy_enabled: true\n  rules_dir: ''\n"))
                .isEqualTo("sightline.yml:3:3: tenants.rules_dir: empty directory name");
        assertThat(error("rule_files: [a.yml]\ntenants: {multitenancy_enabled: true}\n"))
                .startsWith("sightline.yml:1:1: rule_files: not allowed with tenants.multitenancy_enabled: true")
                .contains("tenants.rules_dir/<tenant id>/");
        // Without multitenancy rule_files are as they were.
        assertThat(loader.parse("sightline.yml", "rule_files: [a.yml]\n".getBytes(StandardCharsets.UTF_8)).ruleFiles())
                .containsExactly("a.yml");
    }
}
