package dev.sightline.alerting.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Alertmanager's {@code webhook_configs} entry: POSTs the version 4 payload to {@code url}. {@code max_alerts} 0
 * sends every alert; {@code send_resolved} defaults to true as in Alertmanager.
 */
public record WebhookConfig(
        @JsonProperty("url") String url,
        @JsonProperty("send_resolved") Boolean sendResolved,
        @JsonProperty("max_alerts") Integer maxAlerts,
        @JsonProperty("http_config") HttpConfig httpConfig) {

    public WebhookConfig {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("url: missing (one of url or url_file is required in Alertmanager; Sightline takes url)");
        }
        try {
            URI u = new URI(url);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("url: not an http or https URL (a secret: its value is not shown)");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url: invalid URL (a secret: its value is not shown): " + e.getReason()
                    + " at index " + e.getIndex());
        }
        sendResolved = sendResolved == null || sendResolved;
        maxAlerts = maxAlerts == null ? 0 : maxAlerts;
        if (maxAlerts < 0) {
            throw new IllegalArgumentException("max_alerts: must not be negative");
        }
        httpConfig = httpConfig == null ? HttpConfig.NONE : httpConfig;
    }

    /**
     * The URL as logs and error messages show it: scheme, host and port only. The rest is secret, as Alertmanager
     * holds webhook URLs (a Slack or PagerDuty URL carries its token in the path).
     */
    public String redactedUrl() {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "") + "/<secret>";
    }

    public WebhookConfig(String url) {
        this(url, null, null, null);
    }

    /** The subset of Prometheus's http_config a webhook needs: credentials. */
    public record HttpConfig(
            @JsonProperty("basic_auth") BasicAuth basicAuth,
            @JsonProperty("bearer_token") String bearerToken,
            @JsonProperty("authorization") Authorization authorization) {
        public static final HttpConfig NONE = new HttpConfig(null, null, null);

        public HttpConfig {
            int set = (basicAuth != null ? 1 : 0) + (bearerToken != null ? 1 : 0) + (authorization != null ? 1 : 0);
            if (set > 1) {
                throw new IllegalArgumentException("at most one of basic_auth, bearer_token and authorization may be set");
            }
        }

        /** The Authorization header value, or null. */
        public String authorizationHeader() {
            if (basicAuth != null) {
                String pair = basicAuth.username() + ":" + (basicAuth.password() == null ? "" : basicAuth.password());
                return "Basic " + java.util.Base64.getEncoder().encodeToString(pair.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (bearerToken != null) {
                return "Bearer " + bearerToken;
            }
            if (authorization != null) {
                return authorization.type() + " " + authorization.credentials();
            }
            return null;
        }
    }

    public record BasicAuth(@JsonProperty("username") String username, @JsonProperty("password") String password) {
        public BasicAuth {
            if (username == null || username.isEmpty()) {
                throw new IllegalArgumentException("username: missing");
            }
        }
    }

    public record Authorization(@JsonProperty("type") String type, @JsonProperty("credentials") String credentials) {
        public Authorization {
            type = type == null || type.isEmpty() ? "Bearer" : type;
            if (credentials == null) {
                throw new IllegalArgumentException("credentials: missing");
            }
        }
    }
}
