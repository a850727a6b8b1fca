package dev.sightline.server.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A scrape job's {@code tenant}: required with multitenancy on, refused with it off, checked as a tenant id. */
class ScrapeTenantConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private SightlineConfig parse(String yaml) throws Exception {
        return loader.parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private String error(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void eachJobWritesIntoTheTenantItNames() throws Exception {
        SightlineConfig c = parse("""
                tenants: {multitenancy_enabled: true}
                scrape_configs:
                  - job_name: a-node
                    tenant: team-a
                    static_configs: [{targets: ["localhost:9100"]}]
                  - job_name: b-node
                    tenant: team-b
                    static_configs: [{targets: ["localhost:9100"]}]
                """);
        assertThat(c.scrapeConfigs()).extracting(j -> j.tenant()).containsExactly("team-a", "team-b");
        // Off, a job names none, as before.
        assertThat(parse("scrape_configs: [{job_name: n, static_configs: [{targets: [\"h:1\"]}]}]\n")
                .scrapeConfigs().getFirst().tenant()).isNull();
    }

    @Test
    void withMultitenancyOnAJobWithoutATenantIsRefusedByName() {
        assertThat(error("""
                tenants: {multitenancy_enabled: true}
                scrape_configs:
                  - job_name: a-node
                    tenant: team-a
                  - job_name: forgotten
                """)).startsWith("sightline.yml:").contains("scrape_configs[1].tenant: job \"forgotten\" names no tenant,"
                + " but tenants.multitenancy_enabled is true: its series would belong to no tenant and no one could read"
                + " them; set tenant: <id>");
    }

    @Test
    void withMultitenancyOffATenantIsRefused() {
        assertThat(error("scrape_configs: [{job_name: n, tenant: team-a}]\n"))
                .contains("scrape_configs[0].tenant: job \"n\" names tenant \"team-a\", but tenants.multitenancy_enabled"
                        + " is false");
    }

    @Test
    void aBadTenantIdIsNamed() {
        assertThat(error("""
                tenants: {multitenancy_enabled: true}
                scrape_configs: [{job_name: n, tenant: "a|b"}]
                """)).contains("tenant: tenant ID 'a|b' contains unsupported characters");
    }
}
