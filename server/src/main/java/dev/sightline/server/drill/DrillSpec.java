package dev.sightline.server.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.core.text.PromDurations;
import dev.sightline.demo.sim.IncidentKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One drill, as a YAML file under examples/drills/ defines it (docs/drills.md): the history to backfill, how long
 * to replay, the incident (or none: a quiet replay), the alerts or halts that must follow it within a time, and
 * the alerts that must not fire at all, and the services it proves (a pass is recorded for each, docs/maturity.md).
 *
 * @param incident null for a quiet replay
 * @param services the services whose drill record a pass counts for (at least one)
 * @param syntheticsWarmup how long the server's canaries and journeys have run (on the drill's clock) when the
 *                         replay starts; zero: they start with it
 */
public record DrillSpec(String name, String description, List<String> services, Duration history,
                        Duration syntheticsWarmup, Duration duration, IncidentSpec incident, List<Expect> expect,
                        List<String> forbid) {
    /** Forbids every alert. */
    public static final String ANY = "any";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FIELDS = Set.of("name", "description", "service", "services", "history",
            "synthetics_warmup", "duration", "incident", "expect", "forbid");

    /** The fault: which of the seed's incidents, how long after the replay starts, for how long. */
    public record IncidentSpec(IncidentKind kind, Duration start, Duration length) {
    }

    /**
     * Detection that must happen within {@code within} of the incident's start: alert {@code alert} firing, or
     * (when {@code halt} is set) the halt webhook called for that strategy. Exactly one of the two is set.
     */
    public record Expect(String alert, String halt, Duration within) {
        public String what() {
            return alert != null ? "alert " + alert : "halt of " + halt;
        }
    }

    /** Thrown for a drill file that cannot be used; the message names the file and field. */
    public static final class InvalidDrill extends Exception {
        InvalidDrill(String message) {
            super(message);
        }
    }

    public static DrillSpec load(Path file) throws InvalidDrill {
        String where = file.toString();
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new InvalidDrill(where + ": cannot read: " + e.getMessage());
        }
        return parse(where, root);
    }

    static DrillSpec parse(String where, JsonNode root) throws InvalidDrill {
        if (root == null || !root.isObject()) {
            throw new InvalidDrill(where + ": a mapping with name, history, duration, incident, expect, forbid expected");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new InvalidDrill(where + ": unknown field \"" + f + "\"; known: " + FIELDS.stream().sorted().toList());
            }
        }
        String name = text(where, root, "name", true);
        if (!name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new InvalidDrill(where + ": name: lower-case letters, digits and dashes expected, got \"" + name + "\"");
        }
        String description = text(where, root, "description", false);
        List<String> services = services(where, root);
        Duration history = duration(where, root, "history");
        Duration warmup = root.hasNonNull("synthetics_warmup") ? duration(where, root, "synthetics_warmup") : Duration.ZERO;
        Duration duration = duration(where, root, "duration");
        if (duration.isZero()) {
            throw new InvalidDrill(where + ": duration: must be positive");
        }
        IncidentSpec incident = incident(where, root.get("incident"), duration);
        List<Expect> expect = new ArrayList<>();
        JsonNode ex = root.path("expect");
        if (!ex.isMissingNode() && !ex.isNull() && !ex.isArray()) {
            throw new InvalidDrill(where + ": expect: a list expected");
        }
        for (int i = 0; i < ex.size(); i++) {
            String at = where + ": expect[" + i + "]";
            JsonNode e = ex.get(i);
            String alert = e.hasNonNull("alert") ? e.get("alert").asText() : null;
            String halt = e.hasNonNull("halt") ? e.get("halt").asText() : null;
            if ((alert == null) == (halt == null)) {
                throw new InvalidDrill(at + ": exactly one of alert, halt expected");
            }
            if (incident == null) {
                throw new InvalidDrill(at + ": a quiet replay (incident: none) cannot expect a detection");
            }
            expect.add(new Expect(alert, halt, duration(at, e, "within")));
        }
        List<String> forbid = new ArrayList<>();
        JsonNode fb = root.path("forbid");
        if (!fb.isMissingNode() && !fb.isNull() && !fb.isArray()) {
            throw new InvalidDrill(where + ": forbid: a list of alert names (or \"any\") expected");
        }
        fb.forEach(n -> forbid.add(n.asText()));
        if (expect.isEmpty() && forbid.isEmpty()) {
            throw new InvalidDrill(where + ": neither expect nor forbid: the drill could not fail");
        }
        return new DrillSpec(name, description, services, history, warmup, duration, incident, List.copyOf(expect), List.copyOf(forbid));
    }

    /** {@code service: NAME} or {@code services: [NAME, ...]}: one of the two, naming at least one service. */
    private static List<String> services(String where, JsonNode root) throws InvalidDrill {
        JsonNode one = root.get("service");
        JsonNode many = root.get("services");
        if ((one == null) == (many == null)) {
            throw new InvalidDrill(where + ": exactly one of service, services expected (the services the drill proves)");
        }
        if (one != null) {
            if (!one.isTextual() || one.asText().isEmpty()) {
                throw new InvalidDrill(where + ": service: a service name expected, got " + one);
            }
            return List.of(one.asText());
        }
        if (!many.isArray() || many.isEmpty()) {
            throw new InvalidDrill(where + ": services: a non-empty list of service names expected");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < many.size(); i++) {
            JsonNode s = many.get(i);
            if (!s.isTextual() || s.asText().isEmpty()) {
                throw new InvalidDrill(where + ": services[" + i + "]: a service name expected, got " + s);
            }
            out.add(s.asText());
        }
        return List.copyOf(out);
    }

    private static IncidentSpec incident(String where, JsonNode n, Duration drill) throws InvalidDrill {
        if (n == null || n.isNull() || (n.isTextual() && n.asText().equals("none"))) {
            return null;
        }
        if (!n.isObject()) {
            throw new InvalidDrill(where + ": incident: {kind, start, length} or none expected");
        }
        String kind = text(where + ": incident", n, "kind", true);
        IncidentKind k;
        try {
            k = IncidentKind.byId(kind);
        } catch (IllegalArgumentException e) {
            throw new InvalidDrill(where + ": incident.kind: " + e.getMessage());
        }
        Duration start = duration(where + ": incident", n, "start");
        Duration length = duration(where + ": incident", n, "length");
        if (length.isZero()) {
            throw new InvalidDrill(where + ": incident.length: must be positive");
        }
        if (start.compareTo(drill) >= 0) {
            throw new InvalidDrill(where + ": incident.start: " + start + " is not before the end of the drill (" + drill + ")");
        }
        return new IncidentSpec(k, start, length);
    }

    /** An incident kind as drill files name it: runaway-strategy, stale-cache, ... */
    public static String kindName(IncidentKind k) {
        return k.id();
    }

    private static String text(String where, JsonNode n, String field, boolean required) throws InvalidDrill {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidDrill(where + ": " + field + ": missing");
            }
            return "";
        }
        if (!v.isValueNode()) {
            throw new InvalidDrill(where + ": " + field + ": text expected");
        }
        return v.asText();
    }

    private static Duration duration(String where, JsonNode n, String field) throws InvalidDrill {
        String s = text(where, n, field, true);
        try {
            return Duration.ofMillis(PromDurations.parseMillis(s));
        } catch (PromDurations.InvalidDuration e) {
            throw new InvalidDrill(where + ": " + field + ": invalid duration \"" + s + "\": " + e.explanation());
        }
    }
}
