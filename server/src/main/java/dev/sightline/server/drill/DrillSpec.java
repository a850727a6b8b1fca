package dev.sightline.server.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.core.text.PromDurations;
import dev.sightline.demo.sim.IncidentKind;
import dev.sightline.demo.sim.WeekTime;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One drill, as a YAML file under examples/drills/ defines it (docs/drills.md): the history to backfill, how long
 * to replay, the incident (or none: a quiet replay), the alerts or halts that must follow it within a time, and
 * the alerts that must not fire at all, and the services it proves (a pass is recorded for each, docs/maturity.md).
 *
 * @param incident null for a quiet replay
 * @param services the services whose drill record a pass counts for (at least one)
 * @param ruleFiles the drill's own rule files, loaded with the demo's
 * @param signals  synthetic series sent along with the company
 * @param syntheticsWarmup how long the server's canaries and journeys have run (on the drill's clock) when the
 *                         replay starts; zero: they start with it
 * @param at       where in the company's week the replay starts: the phase of its rhythms and noise, whatever the
 *                 wall clock reads
 */
public record DrillSpec(String name, String description, List<String> services, Duration history,
                        Duration syntheticsWarmup, Duration duration, IncidentSpec incident, List<Expect> expect,
                        List<String> forbid, List<Path> ruleFiles, List<Signal> signals, WeekTime at) {
    /** Forbids every alert. */
    public static final String ANY = "any";
    /** A drill without {@code at}: a weekday's evening peak (rides at their peak, shopping near it). */
    public static final WeekTime DEFAULT_AT = WeekTime.parse("Wed 18:00");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FIELDS = Set.of("name", "description", "service", "services", "history",
            "synthetics_warmup", "duration", "incident", "expect", "forbid", "rule_files", "signals", "at");
    private static final Set<String> SIGNAL_FIELDS = Set.of("metric", "labels", "type", "baseline", "daily_amplitude",
            "noise", "service");

    /** A drill with neither rule files of its own nor signals, at {@link #DEFAULT_AT}. */
    public DrillSpec(String name, String description, List<String> services, Duration history, Duration syntheticsWarmup,
                     Duration duration, IncidentSpec incident, List<Expect> expect, List<String> forbid) {
        this(name, description, services, history, syntheticsWarmup, duration, incident, expect, forbid, List.of(), List.of(),
                DEFAULT_AT);
    }

    /**
     * The fault: which of the seed's incidents, how long after the replay starts, for how long; or, with
     * {@code fault} set ({@code kind} then null), a fault on one of the drill's signals.
     */
    public record IncidentSpec(IncidentKind kind, Duration start, Duration length, SignalFault fault) {
        public IncidentSpec(IncidentKind kind, Duration start, Duration length) {
            this(kind, start, length, null);
        }

        /** As drill files name it: runaway-strategy, stale-cache, ..., or signal. */
        public String kindName() {
            return kind == null ? SIGNAL_KIND : kind.id();
        }
    }

    /** The incident kind of a fault on a signal. */
    public static final String SIGNAL_KIND = "signal";

    /** What a fault does to its signal: multiply by, add, hold the last value, send nothing. */
    public enum Effect { SCALE, OFFSET, FREEZE, STOP }

    /** A fault on {@code signals().get(signal)}; {@code value} is used by scale and offset. */
    public record SignalFault(int signal, Effect effect, double value) {
    }

    /**
     * One synthetic series: a gauge's value or a counter's rate per second is {@code baseline}, times
     * {@code 1 + dailyAmplitude * sin(time of day)}, times {@code 1 + noise * u} with u seeded uniform in [-1, 1].
     *
     * @param service the OTLP service.name it is sent under (the server's job label)
     */
    public record Signal(String metric, Map<String, String> labels, boolean counter, double baseline,
                         double dailyAmplitude, double noise, String service) {
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
        return parse(where, root, file.toAbsolutePath().getParent());
    }

    /** {@code rule_files} are globs relative to {@code base}, the drill file's folder. */
    static DrillSpec parse(String where, JsonNode root, Path base) throws InvalidDrill {
        if (root == null || !root.isObject()) {
            throw new InvalidDrill(where + ": a mapping with name, history, duration, incident, expect, forbid expected");
        }
        knownFields(where, root, FIELDS);
        String name = text(where, root, "name", true);
        if (!name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new InvalidDrill(where + ": name: lower-case letters, digits and dashes expected, got \"" + name + "\"");
        }
        String description = text(where, root, "description", false);
        List<String> services = services(where, root);
        Duration history = duration(where, root, "history");
        Duration warmup = root.hasNonNull("synthetics_warmup") ? duration(where, root, "synthetics_warmup") : Duration.ZERO;
        WeekTime phase = root.hasNonNull("at") ? weekTime(where, root.get("at")) : DEFAULT_AT;
        Duration duration = duration(where, root, "duration");
        if (duration.isZero()) {
            throw new InvalidDrill(where + ": duration: must be positive");
        }
        List<Signal> signals = signals(where, root.get("signals"), services.get(0));
        IncidentSpec incident = incident(where, root.get("incident"), duration, signals);
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
        return new DrillSpec(name, description, services, history, warmup, duration, incident, List.copyOf(expect),
                List.copyOf(forbid), ruleFiles(where, root.get("rule_files"), base), signals, phase);
    }

    /** {@code at: Fri 18:00}: a day is needed, since the weekly rhythms differ by day. */
    private static WeekTime weekTime(String where, JsonNode n) throws InvalidDrill {
        try {
            return WeekTime.parse(n.isTextual() ? n.asText() : n.toString());
        } catch (IllegalArgumentException e) {
            throw new InvalidDrill(where + ": at: " + e.getMessage());
        }
    }

    /** Each glob must match at least one file: a typo would otherwise drill without the team's rules. */
    private static List<Path> ruleFiles(String where, JsonNode n, Path base) throws InvalidDrill {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new InvalidDrill(where + ": rule_files: a list of globs (relative to the drill file) expected");
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String glob = n.get(i).asText();
            if (!n.get(i).isTextual() || glob.isEmpty() || Path.of(glob).isAbsolute()) {
                throw new InvalidDrill(where + ": rule_files[" + i + "]: a glob relative to the drill file expected, got " + n.get(i));
            }
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            List<Path> found;
            try (Stream<Path> s = Files.walk(base)) {
                found = s.filter(p -> Files.isRegularFile(p) && m.matches(base.relativize(p))).sorted().toList();
            } catch (IOException e) {
                throw new InvalidDrill(where + ": rule_files[" + i + "]: cannot list " + base + ": " + e.getMessage());
            }
            if (found.isEmpty()) {
                throw new InvalidDrill(where + ": rule_files[" + i + "]: \"" + glob + "\" matches no file under " + base);
            }
            out.addAll(found);
        }
        return List.copyOf(out);
    }

    private static List<Signal> signals(String where, JsonNode n, String defaultService) throws InvalidDrill {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new InvalidDrill(where + ": signals: a list of {metric, labels, type, baseline, ...} expected");
        }
        List<Signal> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String at = where + ": signals[" + i + "]";
            JsonNode s = n.get(i);
            if (!s.isObject()) {
                throw new InvalidDrill(at + ": a mapping expected");
            }
            knownFields(at, s, SIGNAL_FIELDS);
            String metric = text(at, s, "metric", true);
            if (!metric.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
                throw new InvalidDrill(at + ".metric: a metric name expected, got \"" + metric + "\"");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            JsonNode ls = s.path("labels");
            if (!ls.isMissingNode() && !ls.isNull() && !ls.isObject()) {
                throw new InvalidDrill(at + ".labels: a map of label names to values expected");
            }
            for (Map.Entry<String, JsonNode> e : ls.properties()) {
                if (!e.getKey().matches("[a-zA-Z_][a-zA-Z0-9_]*") || !e.getValue().isValueNode()) {
                    throw new InvalidDrill(at + ".labels." + e.getKey() + ": a label name with a text value expected");
                }
                labels.put(e.getKey(), e.getValue().asText());
            }
            String type = text(at, s, "type", true);
            if (!type.equals("gauge") && !type.equals("counter")) {
                throw new InvalidDrill(at + ".type: gauge or counter expected, got \"" + type + "\"");
            }
            double baseline = number(at, s, "baseline", true);
            if (type.equals("counter") && baseline < 0) {
                throw new InvalidDrill(at + ".baseline: a counter's rate cannot be negative");
            }
            double amplitude = number(at, s, "daily_amplitude", false);
            double noise = number(at, s, "noise", false);
            if (amplitude < 0 || amplitude > 1) {
                throw new InvalidDrill(at + ".daily_amplitude: a fraction from 0 to 1 expected, got " + amplitude);
            }
            if (noise < 0 || noise > 1) {
                throw new InvalidDrill(at + ".noise: a fraction from 0 to 1 expected, got " + noise);
            }
            String service = s.hasNonNull("service") ? text(at, s, "service", true) : defaultService;
            out.add(new Signal(metric, Map.copyOf(labels), type.equals("counter"), baseline, amplitude, noise, service));
        }
        return List.copyOf(out);
    }

    private static double number(String where, JsonNode n, String field, boolean required) throws InvalidDrill {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidDrill(where + "." + field + ": missing");
            }
            return 0;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new InvalidDrill(where + "." + field + ": a number expected, got " + v);
        }
        return v.asDouble();
    }

    /** {@code signal: N} (an index) or {@code signal: metric} (naming exactly one signal). */
    private static int signalIndex(String where, JsonNode n, List<Signal> signals) throws InvalidDrill {
        JsonNode v = n.get("signal");
        if (v == null || v.isNull()) {
            throw new InvalidDrill(where + ".signal: missing (a metric name or an index into signals)");
        }
        if (v.isInt()) {
            if (v.asInt() < 0 || v.asInt() >= signals.size()) {
                throw new InvalidDrill(where + ".signal: index " + v.asInt() + " out of range (" + signals.size() + " signals)");
            }
            return v.asInt();
        }
        List<Integer> named = new ArrayList<>();
        for (int i = 0; i < signals.size(); i++) {
            if (signals.get(i).metric().equals(v.asText())) {
                named.add(i);
            }
        }
        if (named.size() != 1) {
            throw new InvalidDrill(where + ".signal: \"" + v.asText() + "\" " + (named.isEmpty()
                    ? "is not one of the drill's signals" : "names " + named.size() + " signals; use an index"));
        }
        return named.get(0);
    }

    /** A misspelt field would otherwise be ignored silently. */
    private static void knownFields(String where, JsonNode n, Set<String> known) throws InvalidDrill {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new InvalidDrill(where + ": unknown field \"" + f + "\"; known: " + known.stream().sorted().toList());
            }
        }
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

    private static IncidentSpec incident(String where, JsonNode n, Duration drill, List<Signal> signals) throws InvalidDrill {
        if (n == null || n.isNull() || (n.isTextual() && n.asText().equals("none"))) {
            return null;
        }
        if (!n.isObject()) {
            throw new InvalidDrill(where + ": incident: {kind, start, length} or none expected");
        }
        String kind = text(where + ": incident", n, "kind", true);
        IncidentKind k = null;
        SignalFault fault = null;
        if (kind.equals(SIGNAL_KIND)) {
            fault = fault(where + ": incident", n, signals);
        } else {
            try {
                k = IncidentKind.byId(kind);
            } catch (IllegalArgumentException e) {
                throw new InvalidDrill(where + ": incident.kind: " + e.getMessage() + " (or " + SIGNAL_KIND + ")");
            }
        }
        Duration start = duration(where + ": incident", n, "start");
        Duration length = duration(where + ": incident", n, "length");
        if (length.isZero()) {
            throw new InvalidDrill(where + ": incident.length: must be positive");
        }
        if (start.compareTo(drill) >= 0) {
            throw new InvalidDrill(where + ": incident.start: " + start + " is not before the end of the drill (" + drill + ")");
        }
        return new IncidentSpec(k, start, length, fault);
    }

    private static SignalFault fault(String where, JsonNode n, List<Signal> signals) throws InvalidDrill {
        int signal = signalIndex(where, n, signals);
        String e = text(where, n, "effect", true);
        Effect effect;
        try {
            effect = Effect.valueOf(e.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException x) {
            throw new InvalidDrill(where + ".effect: scale, offset, freeze or stop expected, got \"" + e + "\"");
        }
        boolean needsValue = effect == Effect.SCALE || effect == Effect.OFFSET;
        if (!needsValue && n.has("value")) {
            throw new InvalidDrill(where + ".value: " + e + " takes no value");
        }
        double value = needsValue ? number(where, n, "value", true) : 0;
        if (effect == Effect.SCALE && value < 0 && signals.get(signal).counter()) {
            throw new InvalidDrill(where + ".value: a counter's rate cannot be scaled below zero");
        }
        return new SignalFault(signal, effect, value);
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
