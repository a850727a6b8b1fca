package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.demo.sim.Incident;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code /api/v1/alerts} for the firing alert that catches an incident: one of the incident's alert names,
 * active since shortly before the incident began, and about the incident's target when the alert names a
 * strategy, region or pool.
 */
final class AlertWatcher {
    /** An alert that became active this long before the incident began still counts (evaluation jitter). */
    private static final Duration SLACK = Duration.ofSeconds(30);
    private static final List<String> TARGET_LABELS = List.of("strategy", "region", "pool");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI alertsUri;

    AlertWatcher(HttpClient http, URI target) {
        this.http = http;
        this.alertsUri = URI.create(target.toString().replaceAll("/+$", "") + "/api/v1/alerts");
    }

    /** A firing alert: its name, labels' target value, summary annotation and when it became active. */
    record Alert(String name, String summary, Instant activeAt) {
    }

    /** Firing alerts now. */
    List<JsonNode> firing() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(alertsUri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(alertsUri + " answered " + r.statusCode() + ": " + r.body());
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : JSON.readTree(r.body()).path("data").path("alerts")) {
            if ("firing".equals(a.path("state").asText())) {
                out.add(a);
            }
        }
        return out;
    }

    /** The alert among {@code firing} that catches {@code incident}, if one does. */
    static Optional<Alert> match(Incident incident, List<JsonNode> firing) {
        for (JsonNode a : firing) {
            JsonNode labels = a.path("labels");
            String name = labels.path("alertname").asText();
            if (!incident.kind().alerts().contains(name)) {
                continue;
            }
            boolean aboutTarget = true;
            for (String l : TARGET_LABELS) {
                if (labels.has(l)) {
                    aboutTarget = labels.get(l).asText().equals(incident.kind().target());
                }
            }
            Instant activeAt = Instant.parse(a.path("activeAt").asText("1970-01-01T00:00:00Z"));
            if (aboutTarget && !activeAt.isBefore(Instant.ofEpochMilli(incident.startMillis()).minus(SLACK))) {
                return Optional.of(new Alert(name, a.path("annotations").path("summary").asText(""), activeAt));
            }
        }
        return Optional.empty();
    }
}
