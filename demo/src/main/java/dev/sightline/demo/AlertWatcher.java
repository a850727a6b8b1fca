package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the firing alerts from {@code /api/v1/rules} (each with its rule's expression, which tells alerts on
 * Sightline's canaries and journeys from the others) and finds those that catch an incident: one of the incident's
 * alert names, active from shortly before the incident began until shortly after it ended, and about the
 * incident's target when the alert names a strategy, region or pool. A caught incident is a live drill that passed:
 * {@link #recordCaught} records it for the incident's service ({@code POST /api/v1/drills/results}), where the
 * server's maturity reads drills.
 */
final class AlertWatcher {
    /** An alert active this long before the incident began or after it ended still counts (evaluation jitter). */
    private static final Duration SLACK = Duration.ofSeconds(30);
    private static final List<String> TARGET_LABELS = List.of("strategy", "region", "pool");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI rulesUri;
    private final URI drillsUri;

    AlertWatcher(HttpClient http, URI target) {
        this.http = http;
        String base = target.toString().replaceAll("/+$", "");
        this.rulesUri = URI.create(base + "/api/v1/rules");
        this.drillsUri = URI.create(base + "/api/v1/drills/results");
    }

    /** The drill a caught incident is recorded as: "demo-" and its kind (demo-stale-cache). */
    static String drillName(IncidentKind kind) {
        return "demo-" + kind.id();
    }

    /** Records {@code incident}, caught at {@code caughtMillis}, as a passed drill of every service it hits. */
    void recordCaught(Incident incident, long caughtMillis) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode results = body.putArray("results");
        for (String service : incident.kind().services()) {
            results.addObject().put("drill", drillName(incident.kind())).put("service", service).put("passed", true)
                    .put("finished", Instant.ofEpochMilli(caughtMillis).toString());
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(drillsUri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(drillsUri + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /**
     * A firing alert: its name, labels, summary annotation, when it became active, and what its rule watches
     * ({@link #synthetic}).
     *
     * @param synthetic "freshness canary" or "journey" when the rule reads Sightline's canary or journey metrics,
     *                  else empty
     */
    record Alert(String name, Map<String, String> labels, String summary, Instant activeAt, String synthetic) {
        Alert {
            labels = Map.copyOf(labels);
        }

        /** The alert's name, and what it watches when that is a canary or a journey. */
        String title() {
            return synthetic.isEmpty() ? name : name + " (" + synthetic + ")";
        }
    }

    /** Firing alerts now. */
    List<Alert> firing() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(rulesUri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(rulesUri + " answered " + r.statusCode() + ": " + r.body());
        }
        return firing(JSON.readTree(r.body()));
    }

    /** The firing alerts of a {@code /api/v1/rules} answer. */
    static List<Alert> firing(JsonNode rulesAnswer) {
        List<Alert> out = new ArrayList<>();
        for (JsonNode g : rulesAnswer.path("data").path("groups")) {
            for (JsonNode rule : g.path("rules")) {
                if (!"alerting".equals(rule.path("type").asText())) {
                    continue;
                }
                String synthetic = synthetic(rule.path("query").asText());
                for (JsonNode a : rule.path("alerts")) {
                    if (!"firing".equals(a.path("state").asText())) {
                        continue;
                    }
                    Map<String, String> labels = new TreeMap<>();
                    a.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
                    out.add(new Alert(labels.getOrDefault("alertname", rule.path("name").asText()), labels,
                            a.path("annotations").path("summary").asText(""),
                            Instant.parse(a.path("activeAt").asText("1970-01-01T00:00:00Z")), synthetic));
                }
            }
        }
        return out;
    }

    /** What an alerting rule's expression watches, when it is one of Sightline's synthetic checks (docs/synthetics.md). */
    static String synthetic(String query) {
        if (query.contains("sightline_canary_")) {
            return "freshness canary";
        }
        return query.contains("sightline_journey_") ? "journey" : "";
    }

    /** The alerts among {@code firing} that catch {@code incident}, in the order given. */
    static List<Alert> matching(Incident incident, List<Alert> firing) {
        Instant from = Instant.ofEpochMilli(incident.startMillis()).minus(SLACK);
        Instant to = Instant.ofEpochMilli(incident.endMillis()).plus(SLACK);
        List<Alert> out = new ArrayList<>();
        for (Alert a : firing) {
            if (!incident.kind().alerts().contains(a.name()) || a.activeAt().isBefore(from) || a.activeAt().isAfter(to)) {
                continue;
            }
            boolean aboutTarget = true;
            for (String l : TARGET_LABELS) {
                if (a.labels().containsKey(l)) {
                    aboutTarget = a.labels().get(l).equals(incident.kind().target());
                }
            }
            if (aboutTarget) {
                out.add(a);
            }
        }
        return out;
    }
}
