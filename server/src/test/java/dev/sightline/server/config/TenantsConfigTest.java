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
        assertThat(t.limitsOf("team-a")).isEqualTo(metricLimits(50000.0, 200000, Duration.ofDays(32)));
        assertThat(t.limitsOf("team-b").maxTotalQueryLength()).isZero();
        assertThat(t.limitsOf("team-c")).isEqualTo(metricLimits(10000.0, 200000, Duration.ofDays(32)));
    }

    /** NONE with the ingestion rate, burst and query length set. */
    private static TenantLimitsConfig metricLimits(double rate, int burst, Duration length) {
        TenantLimitsConfig n = TenantLimitsConfig.NONE;
        return new TenantLimitsConfig(rate, burst, 0, 0, length, 0, n.maxLabelNamesPerSeries(), n.maxLabelNameLength(),
                n.maxLabelValueLength(), n.maxLineSize(), n.ingestionRateMb(), n.ingestionBurstSizeMb(),
                n.ingestionRateLimitBytes(), n.ingestionBurstSizeBytes(), n.maxBytesPerTrace(),
                n.compactorBlocksRetentionPeriod(), n.retentionPeriod(), n.blockRetention(), n.maxGlobalExemplarsPerUser());
    }

    @Test
    void logSpanRetentionAndExemplarLimitsWithLokiTempoAndMimirNames() throws Exception {
        TenantsConfig t = parse("""
                tenants:
                  multitenancy_enabled: true
                  max_tenants: 3
                  defaults: {max_line_size: 1KB, ingestion_rate_mb: 4, ingestion_burst_size_mb: 6,
                             ingestion_rate_limit_bytes: 15000000, max_bytes_per_trace: 5000000,
                             max_label_names_per_series: 15, retention_period: 744h}
                  overrides:
                    team-a: {max_label_name_length: 10, max_label_value_length: 20, ingestion_burst_size_bytes: 20000000,
                             compactor_blocks_retention_period: 30d, block_retention: 48h,
                             max_global_exemplars_per_user: 1000, max_line_size: 0}
                """);
        assertThat(t.maxTenants()).isEqualTo(3);
        TenantLimitsConfig a = t.limitsOf("team-a");
        assertThat(a.maxLineSize()).isZero();
        assertThat(a.ingestionRateMb()).isEqualTo(4.0);
        assertThat(a.ingestionBurstSizeMb()).isEqualTo(6.0);
        assertThat(a.ingestionRateLimitBytes()).isEqualTo(15_000_000L);
        assertThat(a.ingestionBurstSizeBytes()).isEqualTo(20_000_000L);
        assertThat(a.maxBytesPerTrace()).isEqualTo(5_000_000L);
        assertThat(a.maxLabelNamesPerSeries()).isEqualTo(15);
        assertThat(a.maxLabelNameLength()).isEqualTo(10);
        assertThat(a.maxLabelValueLength()).isEqualTo(20);
        assertThat(a.retentionPeriod()).isEqualTo(Duration.ofDays(31));
        assertThat(a.compactorBlocksRetentionPeriod()).isEqualTo(Duration.ofDays(30));
        assertThat(a.blockRetention()).isEqualTo(Duration.ofHours(48));
        assertThat(a.maxGlobalExemplarsPerUser()).isEqualTo(1000);
        TenantLimitsConfig b = t.limitsOf("team-b");
        assertThat(b.maxLineSize()).isEqualTo(1024);
        assertThat(b.maxLabelNameLength()).isZero();
        assertThat(b.blockRetention()).isZero();
        assertThat(parse("tenants: {multitenancy_enabled: true}\n").maxTenants()).isZero();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThat(error("tenants:\n  defaults: {ingestion_rate_mb: -1}\n"))
                .contains("ingestion_rate_mb: must be 0 (no limit) or a positive number of MiB per second, got -1.0");
        assertThat(error("tenants:\n  defaults: {max_bytes_per_trace: -1}\n"))
                .contains("max_bytes_per_trace: must be 0 (no limit) or more, got -1");
        assertThat(error("tenants:\n  defaults: {retention_period: -1h}\n"))
                .contains("retention_period");
        assertThat(error("tenants:\n  max_tenants: -2\n"))
                .contains("max_tenants: must be 0 (no limit) or more, got -2");
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
