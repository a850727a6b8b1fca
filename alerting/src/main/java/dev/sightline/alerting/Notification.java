package dev.sightline.alerting;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.core.Labels;

import java.util.List;

/**
 * What one flush of an aggregation group sends to one integration: the data of Alertmanager's notification
 * template, with firing alerts' endsAt cleared as Alertmanager does before notifying.
 */
public record Notification(String receiver, String groupKey, Labels groupLabels, List<Alert> alerts, long nowMs,
                           String externalUrl) {

    public boolean firing() {
        return alerts.stream().anyMatch(a -> !a.resolvedAt(nowMs));
    }

    /** Alertmanager's webhook payload, version 4; {@code maxAlerts} > 0 truncates the list and counts the rest. */
    public ObjectNode webhookPayload(int maxAlerts) {
        List<Alert> sent = maxAlerts > 0 && alerts.size() > maxAlerts ? alerts.subList(0, maxAlerts) : alerts;
        ObjectNode o = AlertmanagerJson.MAPPER.createObjectNode();
        o.put("receiver", receiver);
        o.put("status", firing() ? "firing" : "resolved");
        ArrayNode list = o.putArray("alerts");
        for (Alert a : sent) {
            boolean resolved = a.resolvedAt(nowMs);
            ObjectNode j = list.addObject();
            j.put("status", resolved ? "resolved" : "firing");
            j.set("labels", AlertmanagerJson.labels(a.labels()));
            j.set("annotations", AlertmanagerJson.labels(a.annotations()));
            j.put("startsAt", AlertmanagerJson.time(a.startsAtMs()));
            j.put("endsAt", AlertmanagerJson.time(resolved ? a.endsAtMs() : 0));
            j.put("generatorURL", a.generatorUrl());
            j.put("fingerprint", a.fingerprintHex());
        }
        o.set("groupLabels", AlertmanagerJson.labels(groupLabels));
        o.set("commonLabels", AlertmanagerJson.labels(common(alerts, true)));
        o.set("commonAnnotations", AlertmanagerJson.labels(common(alerts, false)));
        o.put("externalURL", externalUrl);
        o.put("version", "4");
        o.put("groupKey", groupKey);
        o.put("truncatedAlerts", alerts.size() - sent.size());
        return o;
    }

    /** The label (or annotation) pairs every alert has with the same value. */
    static Labels common(List<Alert> alerts, boolean labels) {
        if (alerts.isEmpty()) {
            return Labels.EMPTY;
        }
        Labels first = labels ? alerts.get(0).labels() : alerts.get(0).annotations();
        Labels.Builder b = Labels.builder();
        first.forEach((name, value) -> {
            for (Alert a : alerts) {
                if (!value.equals((labels ? a.labels() : a.annotations()).get(name))) {
                    return;
                }
            }
            b.set(name, value);
        });
        return b.build();
    }
}
