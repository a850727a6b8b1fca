package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.alerting.config.AlertmanagerConfig;
import dev.sightline.ingest.scrape.ScrapeConfig;
import dev.sightline.server.alerting.AlertingConfig;
import dev.sightline.synthetics.canary.CanaryConfig;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The whole {@code sightline.yml}. Every section is optional; a missing one takes its defaults. */
public record SightlineConfig(
        @JsonProperty("global") GlobalConfig global,
        @JsonProperty("server") ServerConfig server,
        @JsonProperty("storage") StorageConfig storage,
        @JsonProperty("limits") LimitsConfig limits,
        @JsonProperty("scrape_configs") List<ScrapeConfig> scrapeConfigs,
        // Globs of Prometheus rule files, relative to the configuration file's folder (read by server.rules).
        @JsonProperty("rule_files") List<String> ruleFiles,
        // Prometheus's alerting section: external Alertmanagers the alerts are also sent to.
        @JsonProperty("alerting") AlertingConfig alerting,
        // Alertmanager's own configuration for the built-in alerting; null: alerts are kept but routed nowhere.
        @JsonProperty("alertmanager") AlertmanagerConfig alertmanager,
        // Span metrics and the service graph from received spans, as Tempo's metrics-generator writes them.
        @JsonProperty("metrics_generator") MetricsGeneratorConfig metricsGenerator,
        // Synthetic journeys (files or inline) and the blackbox_exporter modules /probe serves.
        @JsonProperty("journeys") JourneysConfig journeys,
        // Dashboards as code: a directory of YAML files and Grafana exports, relative to this file's folder.
        @JsonProperty("dashboards") DashboardsConfig dashboards,
        // Freshness canaries (issue 16): each entry checked whole when the file is read.
        @JsonProperty("canaries") List<CanaryConfig> canaries,
        // Multitenancy (issue 18): X-Scope-OrgID selects the tenant; per-tenant limits.
        @JsonProperty("tenants") TenantsConfig tenants,
        // Origins trusted to call from other sites (Prometheus's --web.cors.origin); none unless set.
        @JsonProperty("cors") CorsConfig cors) {

    public SightlineConfig {
        global = global == null ? GlobalConfig.defaults() : global;
        server = server == null ? ServerConfig.defaults() : server;
        storage = storage == null ? StorageConfig.defaults() : storage;
        limits = limits == null ? LimitsConfig.defaults() : limits;
        scrapeConfigs = resolveScrapeConfigs(global, scrapeConfigs);
        ruleFiles = ruleFiles == null ? List.of() : List.copyOf(ruleFiles);
        alerting = alerting == null ? AlertingConfig.NONE : alerting;
        metricsGenerator = metricsGenerator == null ? MetricsGeneratorConfig.defaults() : metricsGenerator;
        journeys = journeys == null ? JourneysConfig.defaults() : journeys;
        dashboards = dashboards == null ? DashboardsConfig.NONE : dashboards;
        canaries = CanaryConfig.checkList(canaries);
        tenants = tenants == null ? TenantsConfig.DISABLED : tenants;
        // Rules of no tenant would read every tenant's series and write series no tenant sees (Mimir has none).
        if (tenants.multitenancyEnabled() && !ruleFiles.isEmpty()) {
            throw new IllegalArgumentException("rule_files: not allowed with tenants.multitenancy_enabled: true (a rule"
                    + " must belong to a tenant): put each tenant's rule files under tenants.rules_dir/<tenant id>/");
        }
        checkScrapeTenants(scrapeConfigs, tenants);
        cors = cors == null ? CorsConfig.NONE : cors;
    }

    public SightlineConfig(GlobalConfig global, ServerConfig server, StorageConfig storage, LimitsConfig limits,
                           List<ScrapeConfig> scrapeConfigs, List<String> ruleFiles, AlertingConfig alerting,
                           AlertmanagerConfig alertmanager) {
        this(global, server, storage, limits, scrapeConfigs, ruleFiles, alerting, alertmanager, null, null, null, null, null,
                null);
    }

    public SightlineConfig(GlobalConfig global, ServerConfig server, StorageConfig storage, LimitsConfig limits,
                           List<ScrapeConfig> scrapeConfigs) {
        this(global, server, storage, limits, scrapeConfigs, null, null, null);
    }

    public SightlineConfig(GlobalConfig global, ServerConfig server, StorageConfig storage, LimitsConfig limits) {
        this(global, server, storage, limits, null, null, null, null);
    }

    public static SightlineConfig defaults() {
        return new SightlineConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * With multitenancy on every job names its tenant: a job without one would store series no tenant can read. Off,
     * none may: its samples could not be kept apart, and the file would claim an isolation it does not have.
     */
    private static void checkScrapeTenants(List<ScrapeConfig> jobs, TenantsConfig tenants) {
        for (int i = 0; i < jobs.size(); i++) {
            ScrapeConfig c = jobs.get(i);
            if (tenants.multitenancyEnabled() && c.tenant() == null) {
                throw new IllegalArgumentException("scrape_configs[" + i + "].tenant: job \"" + c.jobName() + "\" names"
                        + " no tenant, but tenants.multitenancy_enabled is true: its series would belong to no tenant and"
                        + " no one could read them; set tenant: <id>");
            }
            if (!tenants.multitenancyEnabled() && c.tenant() != null) {
                throw new IllegalArgumentException("scrape_configs[" + i + "].tenant: job \"" + c.jobName() + "\" names"
                        + " tenant \"" + c.tenant() + "\", but tenants.multitenancy_enabled is false");
            }
        }
    }

    /** Jobs get global's interval and timeout where they set none; job names must be unique. */
    private static List<ScrapeConfig> resolveScrapeConfigs(GlobalConfig global, List<ScrapeConfig> configs) {
        if (configs == null) {
            return List.of();
        }
        List<ScrapeConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < configs.size(); i++) {
            ScrapeConfig c = configs.get(i);
            if (c == null) {
                throw new IllegalArgumentException("scrape_configs[" + i + "]: empty or null scrape config section");
            }
            if (!names.add(c.jobName())) {
                throw new IllegalArgumentException("scrape_configs[" + i + "].job_name: found multiple scrape configs with job name \""
                        + c.jobName() + "\"");
            }
            try {
                out.add(c.withDefaults(global.scrapeInterval(), global.scrapeTimeout()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("scrape_configs[" + i + "].job_name: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }
}
