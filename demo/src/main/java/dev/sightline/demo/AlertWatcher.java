package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.demo.sim.Incident;
import dev.sightline.demo.sim.IncidentKind;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads {@code /api/v1/alerts} for the firing alert that catches an incident: one of the incident's alert names,
 * active since shortly before the incident began, and about the incident's target when the alert names a
 * strategy, region or pool. A caught incident is a live drill that passed: {@link #recordCaught} records it for the
 * incident's service ({@code POST /api/v1/drills/results}), where the server's maturity reads drills.
 */
final class AlertWatcher {
    /** An alert that became active this long before the incident began still counts (evaluation jitter). */
    private static final Duration SLACK = Duration.ofSeconds(30);
    private static final List<String> TARGET_LABELS = List.of("strategy", "region", "pool");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI alertsUri;
    private final URI drillsUri;

    AlertWatcher(HttpClient http, URI target) {
        this.http = http;
        String base = target.toString().replaceAll("/+$", "");
        this.alertsUri = URI.create(base + "/api/v1/alerts");
        this.drillsUri = URI.create(base + "/api/v1/drills/results");
    }

    /** The drill a caught incident is recorded as: "demo-" and its kind (demo-stale-cache). */
    static String drillName(IncidentKind kind) {
        return "demo-" + kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Records {@code incident}, caught at {@code caughtMillis}, as a passed drill of its service. */
    void recordCaught(Incident incident, long caughtMillis) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("results").addObject().put("drill", drillName(incident.kind()))
                .put("service", incident.kind().service()).put("passed", true)
                .put("finished", Instant.ofEpochMilli(caughtMillis).toString());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(drillsUri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(drillsUri + " answered " + r.statusCode() + ": " + r.body());
        }
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
