package dev.sightline.alerting.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Alertmanager's receiver. Only {@code webhook_configs} is built in; Alertmanager's other integrations (email,
 * Slack, ...) are unknown keys and refused. A receiver without integrations drops what it is sent, as in
 * Alertmanager.
 */
public record ReceiverConfig(
        @JsonProperty("name") String name,
        @JsonProperty("webhook_configs") List<WebhookConfig> webhookConfigs) {

    public ReceiverConfig {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name: missing receiver name");
        }
        webhookConfigs = webhookConfigs == null ? List.of() : List.copyOf(webhookConfigs);
        for (int i = 0; i < webhookConfigs.size(); i++) {
            if (webhookConfigs.get(i) == null) {
                throw new IllegalArgumentException("webhook_configs[" + i + "]: empty webhook config");
            }
        }
    }
}
