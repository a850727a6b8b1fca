package dev.sightline.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Alertmanager's JSON shapes shared by the webhook payload, the API v2 and the silences file. */
public final class AlertmanagerJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** Go's zero time, which Alertmanager writes for "not set". */
    static final String ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final long ZERO_MS = Instant.parse(ZERO_TIME).toEpochMilli();

    private AlertmanagerJson() {
    }

    /** Alertmanager's API v2 times (go-openapi's strfmt.DateTime): always milliseconds, e.g. 2026-01-02T03:04:05.000Z. */
    private static final DateTimeFormatter API_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    /**
     * Times in the webhook payload: RFC 3339 in UTC as Go prints time.Time (trailing zero fractions dropped); 0 is
     * Go's zero time.
     */
    public static String time(long ms) {
        return ms == 0 ? ZERO_TIME : Instant.ofEpochMilli(ms).toString();
    }

    /** Times in the API v2 (alerts and silences), which always carry milliseconds. */
    public static String apiTime(long ms) {
        return API_TIME.format(Instant.ofEpochMilli(ms == 0 ? ZERO_MS : ms));
    }

    /** Parses RFC 3339; null, empty or Go's zero time give 0. Throws IllegalArgumentException naming the field. */
    public static long parseTime(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.asText().isEmpty() || v.asText().startsWith("0001-01-01")) {
            return 0;
        }
        try {
            return Instant.parse(v.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": invalid RFC 3339 time \"" + v.asText() + "\"");
        }
    }

    public static ObjectNode labels(Labels labels) {
        ObjectNode o = MAPPER.createObjectNode();
        labels.forEach(o::put);
        return o;
    }

    /** A JSON object of strings as labels; throws IllegalArgumentException naming the field. */
    public static Labels parseLabels(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Labels.EMPTY;
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException(field + ": expected an object of label names to values");
        }
        Labels.Builder b = Labels.builder();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(field + "." + e.getKey() + ": expected a string");
            }
            b.set(e.getKey(), e.getValue().asText());
        }
        return b.build();
    }

    public static ArrayNode matchers(List<LabelMatcher> matchers) {
        ArrayNode a = MAPPER.createArrayNode();
        for (LabelMatcher m : matchers) {
            a.addObject().put("name", m.name()).put("value", m.value()).put("isRegex", Matchers.isRegex(m)).put("isEqual", Matchers.isEqual(m));
        }
        return a;
    }

    /** A silence without its status, as the API takes it and the silences file stores it. */
    public static ObjectNode silence(Silence s) {
        ObjectNode o = MAPPER.createObjectNode();
        if (s.id() != null) {
            o.put("id", s.id());
        }
        o.set("matchers", matchers(s.matchers()));
        o.put("startsAt", apiTime(s.startsAtMs()));
        o.put("endsAt", apiTime(s.endsAtMs()));
        o.put("updatedAt", apiTime(s.updatedAtMs()));
        o.put("createdBy", s.createdBy());
        o.put("comment", s.comment());
        return o;
    }

    /** Reads a postable silence; throws IllegalArgumentException naming the bad field. */
    public static Silence parseSilence(JsonNode o) {
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("expected a silence object");
        }
        JsonNode ms = o.get("matchers");
        if (ms == null || !ms.isArray()) {
            throw new IllegalArgumentException("matchers: expected a list of {name, value, isRegex, isEqual}");
        }
        List<LabelMatcher> matchers = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            JsonNode m = ms.get(i);
            try {
                if (!m.path("name").isTextual() || !m.path("value").isTextual()) {
                    throw new IllegalArgumentException("name and value must be strings");
                }
                matchers.add(Matchers.of(m.get("name").asText(), m.get("value").asText(), m.path("isRegex").asBoolean(false),
                        m.path("isEqual").asBoolean(true)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("matchers[" + i + "]: " + e.getMessage(), e);
            }
        }
        String id = o.path("id").asText("");
        return new Silence(id.isEmpty() ? null : id, matchers, parseTime(o, "startsAt"), parseTime(o, "endsAt"),
                parseTime(o, "updatedAt"), o.path("createdBy").asText(""), o.path("comment").asText(""));
    }
}
