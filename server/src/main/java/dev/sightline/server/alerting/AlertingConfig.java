package dev.sightline.server.alerting;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.ingest.scrape.StaticConfig;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Prometheus's {@code alerting:} section: the external Alertmanagers Sightline also sends its alerts to, as
 * Prometheus does (POST of JSON batches to {@code <scheme>://<target><path_prefix>/api/v2/alerts}).
 */
public record AlertingConfig(@JsonProperty("alertmanagers") List<Endpoint> alertmanagers) {
    public static final AlertingConfig NONE = new AlertingConfig(null);

    public AlertingConfig {
        alertmanagers = alertmanagers == null ? List.of() : List.copyOf(alertmanagers);
        for (int i = 0; i < alertmanagers.size(); i++) {
            if (alertmanagers.get(i) == null) {
                throw new IllegalArgumentException("alertmanagers[" + i + "]: empty alertmanager config");
            }
        }
    }

    /** Every Alertmanager's alerts URL. */
    public List<URI> alertsUrls() {
        List<URI> out = new ArrayList<>();
        for (Endpoint e : alertmanagers) {
            for (StaticConfig sc : e.staticConfigs()) {
                for (String target : sc.targets()) {
                    out.add(URI.create(e.scheme() + "://" + target + e.pathPrefix() + "/api/v2/alerts"));
                }
            }
        }
        return out;
    }

    /** One entry of {@code alertmanagers} (Prometheus's alertmanager_config, static targets only). */
    public record Endpoint(
            @JsonProperty("static_configs") List<StaticConfig> staticConfigs,
            @JsonProperty("scheme") String scheme,
            @JsonProperty("path_prefix") String pathPrefix,
            @JsonProperty("timeout") Duration timeout,
            @JsonProperty("api_version") String apiVersion) {

        public Endpoint {
            staticConfigs = staticConfigs == null ? List.of() : List.copyOf(staticConfigs);
            scheme = scheme == null ? "http" : scheme;
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("scheme: \"" + scheme + "\" is not http or https");
            }
            pathPrefix = pathPrefix == null ? "" : pathPrefix.replaceAll("/+$", "");
            if (!pathPrefix.isEmpty() && !pathPrefix.startsWith("/")) {
                pathPrefix = "/" + pathPrefix;
            }
            timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
            if (timeout.isZero()) {
                throw new IllegalArgumentException("timeout: must be greater than 0");
            }
            apiVersion = apiVersion == null ? "v2" : apiVersion;
            if (!apiVersion.equals("v2")) {
                throw new IllegalArgumentException("api_version: \"" + apiVersion + "\" is not supported (Alertmanager's v1 API is gone; use v2)");
            }
            for (StaticConfig sc : staticConfigs) {
                for (String t : sc.targets()) {
                    try {
                        URI u = URI.create(scheme + "://" + t + pathPrefix);
                        if (u.getHost() == null) {
                            throw new IllegalArgumentException("static_configs: target \"" + t + "\" is not host:port");
                        }
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("static_configs: target \"" + t + "\" is not host:port", e);
                    }
                }
            }
        }
    }
}
