package dev.sightline.ingest.scrape;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.core.TenantScope;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of Prometheus's {@code scrape_configs}. Interval and timeout may be left null here and are filled from
 * {@code global:} by {@link #withDefaults}; every other default is Prometheus's.
 */
public record ScrapeConfig(
        @JsonProperty("job_name") String jobName,
        @JsonProperty("scrape_interval") Duration scrapeInterval,
        @JsonProperty("scrape_timeout") Duration scrapeTimeout,
        @JsonProperty("metrics_path") String metricsPath,
        @JsonProperty("scheme") String scheme,
        @JsonProperty("params") Map<String, List<String>> params,
        @JsonProperty("honor_labels") Boolean honorLabels,
        @JsonProperty("honor_timestamps") Boolean honorTimestamps,
        @JsonProperty("static_configs") List<StaticConfig> staticConfigs,
        @JsonProperty("file_sd_configs") List<FileSdConfig> fileSdConfigs,
        @JsonProperty("relabel_configs") List<RelabelConfig> relabelConfigs,
        @JsonProperty("metric_relabel_configs") List<RelabelConfig> metricRelabelConfigs,
        @JsonProperty("basic_auth") BasicAuth basicAuth,
        @JsonProperty("authorization") Authorization authorization,
        @JsonProperty("bearer_token") String bearerToken,
        @JsonProperty("bearer_token_file") String bearerTokenFile,
        @JsonProperty("tls_config") TlsConfig tlsConfig,
        @JsonProperty("sample_limit") Long sampleLimit,
        @JsonProperty("label_limit") Long labelLimit,
        @JsonProperty("label_name_length_limit") Long labelNameLengthLimit,
        @JsonProperty("label_value_length_limit") Long labelValueLengthLimit,
        // The tenant the job's samples are written into (multitenancy), as an agent's X-Scope-OrgID; null: none.
        @JsonProperty("tenant") String tenant) {

    public ScrapeConfig {
        if (jobName == null || jobName.isEmpty()) {
            throw new IllegalArgumentException("job_name is empty");
        }
        metricsPath = metricsPath == null ? "/metrics" : metricsPath;
        scheme = scheme == null ? "http" : scheme;
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme: \"" + scheme + "\" is not http or https");
        }
        TreeMap<String, List<String>> p = new TreeMap<>();
        if (params != null) {
            params.forEach((k, v) -> p.put(k, v == null ? List.of() : List.copyOf(v)));
        }
        params = java.util.Collections.unmodifiableMap(p);
        // Boxed so that absent keys bind (the loader refuses null for primitives); Prometheus's defaults here.
        honorLabels = honorLabels != null && honorLabels;
        honorTimestamps = honorTimestamps == null || honorTimestamps;
        sampleLimit = sampleLimit == null ? 0 : sampleLimit;
        labelLimit = labelLimit == null ? 0 : labelLimit;
        labelNameLengthLimit = labelNameLengthLimit == null ? 0 : labelNameLengthLimit;
        labelValueLengthLimit = labelValueLengthLimit == null ? 0 : labelValueLengthLimit;
        staticConfigs = staticConfigs == null ? List.of() : List.copyOf(staticConfigs);
        fileSdConfigs = fileSdConfigs == null ? List.of() : List.copyOf(fileSdConfigs);
        relabelConfigs = relabelConfigs == null ? List.of() : List.copyOf(relabelConfigs);
        metricRelabelConfigs = metricRelabelConfigs == null ? List.of() : List.copyOf(metricRelabelConfigs);
        int auths = (basicAuth != null ? 1 : 0) + (authorization != null ? 1 : 0) + (bearerToken != null ? 1 : 0)
                + (bearerTokenFile != null ? 1 : 0);
        if (auths > 1) {
            throw new IllegalArgumentException("at most one of basic_auth, authorization, bearer_token & bearer_token_file must be configured");
        }
        if (sampleLimit < 0 || labelLimit < 0 || labelNameLengthLimit < 0 || labelValueLengthLimit < 0) {
            throw new IllegalArgumentException("sample_limit, label_limit and label length limits must not be negative");
        }
        if (scrapeInterval != null && (scrapeInterval.isZero() || scrapeInterval.isNegative())) {
            throw new IllegalArgumentException("scrape_interval must be greater than 0");
        }
        if (tenant != null) {
            try {
                TenantScope.validate(tenant);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tenant: " + e.getMessage());
            }
        }
        if (scrapeInterval != null && scrapeTimeout != null && scrapeTimeout.compareTo(scrapeInterval) > 0) {
            throw new IllegalArgumentException("scrape timeout greater than scrape interval for scrape config with job name \"" + jobName + "\"");
        }
    }

    /** Fills interval and timeout from {@code global:} as Prometheus does (a global timeout is capped at the job's interval). */
    public ScrapeConfig withDefaults(Duration globalInterval, Duration globalTimeout) {
        Duration interval = scrapeInterval != null ? scrapeInterval : globalInterval;
        Duration timeout = scrapeTimeout;
        if (timeout == null) {
            timeout = globalTimeout.compareTo(interval) > 0 ? interval : globalTimeout;
        }
        if (timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("scrape timeout greater than scrape interval for scrape config with job name \"" + jobName + "\"");
        }
        return new ScrapeConfig(jobName, interval, timeout, metricsPath, scheme, params, honorLabels, honorTimestamps,
                staticConfigs, fileSdConfigs, relabelConfigs, metricRelabelConfigs, basicAuth, authorization, bearerToken,
                bearerTokenFile, tlsConfig, sampleLimit, labelLimit, labelNameLengthLimit, labelValueLengthLimit, tenant);
    }

    /** A job scraping fixed targets, with Prometheus's defaults otherwise (tests and programmatic use). */
    public static ScrapeConfig ofStatic(String jobName, Duration interval, Duration timeout, List<String> targets) {
        return new ScrapeConfig(jobName, interval, timeout, null, null, null, false, null,
                List.of(new StaticConfig(targets, null)), null, null, null, null, null, null, null, null, null, null, null, null,
                null);
    }
}
