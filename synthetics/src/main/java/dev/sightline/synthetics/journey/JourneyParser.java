package dev.sightline.synthetics.journey;

import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads journey files (one journey per file, the contract shape) and inline journey lists. Every problem is
 * an error at FILE:LINE:COL; nothing is half-loaded.
 */
public final class JourneyParser {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final int DEFAULT_ALERT_AFTER = 3;

    private static final Set<String> JOURNEY_KEYS = Set.of("name", "interval", "alert_after", "variables", "steps", "cleanup",
            "services");
    private static final Set<String> STEP_KEYS = Set.of("name", "request", "assert", "extract", "retries", "backoff", "degraded_after");
    private static final Set<String> REQUEST_KEYS = Set.of("method", "url", "headers", "body", "timeout", "tls", "follow_redirects");
    private static final Set<String> TLS_KEYS = Set.of("insecure", "ca_file", "server_name");
    private static final Set<String> EXTRACT_KEYS = Set.of("jsonpath", "regex", "header", "secret");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** The key that says what an assertion checks; the comparison keys go beside it. */
    private static final Set<String> ASSERT_KINDS = Set.of("status", "header", "body_contains", "body_not_contains",
            "body_matches", "body_not_matches", "jsonpath", "response_time", "cert_expiry_days");

    private JourneyParser() {
    }

    /** Reads one journey file; a relative ca_file is resolved against the file's folder. */
    public static Journey parseFile(Path file) throws JourneyException {
        return parseFile(file, new HashSet<>());
    }

    /** As {@link #parseFile(Path)}, refusing a name already in {@code names} (and adding its own). */
    public static Journey parseFile(Path file, Set<String> names) throws JourneyException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new JourneyException(file.toString(), "cannot read journey file: " + e.getMessage(), e);
        }
        YamlNode root = YamlNode.parse(file.toString(), content);
        if (root == null) {
            throw new JourneyException(file.toString(), 1, 1, "empty journey file");
        }
        Journey j = parse(root, file.toAbsolutePath().getParent());
        unique(j, root.require("name"), names);
        return j;
    }

    /** Reads one journey mapping; {@code base} resolves relative ca_file paths. */
    public static Journey parse(YamlNode node, Path base) throws JourneyException {
        node.mapOf("journey", JOURNEY_KEYS);
        String name = nonEmpty(node.require("name"), "name");
        Duration interval = node.get("interval") != null ? node.get("interval").duration("interval") : DEFAULT_INTERVAL;
        int alertAfter = node.get("alert_after") != null ? node.get("alert_after").integer("alert_after", 1) : DEFAULT_ALERT_AFTER;
        Set<String> known = new HashSet<>();
        Map<String, Template> variables = new LinkedHashMap<>();
        if (node.get("variables") != null) {
            for (Map.Entry<String, YamlNode> e : node.get("variables").entries("variables").entrySet()) {
                variables.put(e.getKey(), Template.parse(e.getValue(), "variables." + e.getKey(), Set.copyOf(known)));
                known.add(e.getKey());
            }
        }
        List<YamlNode> stepNodes = node.require("steps").list("steps");
        if (stepNodes.isEmpty()) {
            throw node.require("steps").error("steps: a journey needs at least one step");
        }
        Set<String> stepNames = new HashSet<>();
        List<Journey.Step> steps = new ArrayList<>();
        for (YamlNode s : stepNodes) {
            steps.add(step(s, known, stepNames, base));
        }
        List<Journey.Step> cleanup = new ArrayList<>();
        if (node.get("cleanup") != null) {
            // A cleanup step may run after any step failed, so it may use only variables set before the first step.
            Set<String> before = new HashSet<>(variables.keySet());
            for (YamlNode s : node.get("cleanup").list("cleanup")) {
                cleanup.add(step(s, before, stepNames, base));
            }
        }
        return new Journey(name, node.where(), interval, alertAfter, Map.copyOf(variables), List.copyOf(steps),
                List.copyOf(cleanup), services(node.get("services")));
    }

    /** {@code services: [a, b]}: non-empty names, each once; absent is none. */
    private static List<String> services(YamlNode node) throws JourneyException {
        if (node == null) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        List<YamlNode> items = node.list("services");
        for (int i = 0; i < items.size(); i++) {
            String s = items.get(i).string("services[" + i + "]");
            if (s.isBlank()) {
                throw items.get(i).error("services[" + i + "]: a service name must not be empty");
            }
            if (!out.add(s)) {
                throw items.get(i).error("services[" + i + "]: \"" + s + "\" is named twice");
            }
        }
        return List.copyOf(out);
    }

    /** Reads a list of journeys (sightline.yml's inline ones); names must be unique across {@code names}. */
    public static List<Journey> parseList(YamlNode list, Path base, Set<String> names) throws JourneyException {
        List<Journey> out = new ArrayList<>();
        for (YamlNode n : list.list("journeys")) {
            Journey j = parse(n, base);
            unique(j, n.require("name"), names);
            out.add(j);
        }
        return out;
    }

    /** Refuses a journey whose name is already in {@code names} (metrics are keyed by name). */
    private static void unique(Journey j, YamlNode at, Set<String> names) throws JourneyException {
        if (!names.add(j.name())) {
            throw at.error("name: a journey named \"" + j.name() + "\" is already defined");
        }
    }

    private static Journey.Step step(YamlNode node, Set<String> known, Set<String> names, Path base)
            throws JourneyException {
        node.mapOf("step", STEP_KEYS);
        String name = nonEmpty(node.require("name"), "name");
        if (!names.add(name)) {
            throw node.require("name").error("name: a step named \"" + name + "\" already exists in this journey");
        }
        Journey.Request request = request(node.require("request"), known, base);
        List<Assertion> assertions = new ArrayList<>();
        if (node.get("assert") != null) {
            for (YamlNode a : node.get("assert").list("assert")) {
                assertions.add(assertion(a));
            }
        }
        Map<String, Journey.Extract> extract = new LinkedHashMap<>();
        if (node.get("extract") != null) {
            for (Map.Entry<String, YamlNode> e : node.get("extract").entries("extract").entrySet()) {
                if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw e.getValue().error("extract: variable name \"" + e.getKey() + "\" must be letters, digits and _");
                }
                extract.put(e.getKey(), extract(e.getValue()));
            }
        }
        int retries = node.get("retries") != null ? node.get("retries").integer("retries", 0) : 0;
        Duration backoff = node.get("backoff") != null ? node.get("backoff").duration("backoff") : DEFAULT_BACKOFF;
        Duration degraded = node.get("degraded_after") != null ? node.get("degraded_after").duration("degraded_after") : null;
        known.addAll(extract.keySet());
        return new Journey.Step(name, request, List.copyOf(assertions), Map.copyOf(extract), retries, backoff, degraded);
    }

    private static Journey.Request request(YamlNode node, Set<String> known, Path base) throws JourneyException {
        node.mapOf("request", REQUEST_KEYS);
        String method = node.get("method") != null ? node.get("method").string("method").toUpperCase(Locale.ROOT) : "GET";
        if (!METHODS.contains(method)) {
            throw node.get("method").error("method: unknown HTTP method \"" + method + "\" (one of "
                    + String.join(", ", new TreeSet<>(METHODS)) + ")");
        }
        YamlNode urlNode = node.require("url");
        Template url = Template.parse(urlNode, "url", known);
        String u = urlNode.string("url");
        if (!u.startsWith("http://") && !u.startsWith("https://") && !u.startsWith("{{")) {
            throw urlNode.error("url: must start with http:// or https://");
        }
        Map<String, Template> headers = new LinkedHashMap<>();
        if (node.get("headers") != null) {
            for (Map.Entry<String, YamlNode> e : node.get("headers").entries("headers").entrySet()) {
                headers.put(e.getKey(), Template.parse(e.getValue(), "headers." + e.getKey(), known));
            }
        }
        Template body = node.get("body") != null ? Template.parse(node.get("body"), "body", known) : null;
        Duration timeout = node.get("timeout") != null ? node.get("timeout").duration("timeout") : DEFAULT_TIMEOUT;
        boolean insecure = false;
        String caFile = null;
        String serverName = null;
        if (node.get("tls") != null) {
            YamlNode tls = node.get("tls");
            tls.mapOf("tls", TLS_KEYS);
            insecure = tls.get("insecure") != null && tls.get("insecure").bool("insecure");
            if (tls.get("ca_file") != null) {
                Path ca = Path.of(tls.get("ca_file").string("ca_file"));
                caFile = (base == null ? ca : base.resolve(ca)).toString();
            }
            serverName = tls.get("server_name") != null ? tls.get("server_name").string("server_name") : null;
        }
        boolean follow = node.get("follow_redirects") != null && node.get("follow_redirects").bool("follow_redirects");
        return new Journey.Request(method, url, Map.copyOf(headers), body, timeout, insecure, caFile, serverName, follow);
    }

    private static Assertion assertion(YamlNode node) throws JourneyException {
        Map<String, YamlNode> m = node.entries("assert item");
        String kind = null;
        for (String k : m.keySet()) {
            if (ASSERT_KINDS.contains(k)) {
                if (kind != null) {
                    throw m.get(k).error("an assertion checks one thing; found " + kind + " and " + k);
                }
                kind = k;
            } else if (!Comparison.OPS.contains(k)) {
                throw m.get(k).error("unknown key \"" + k + "\" in assertion (checks: "
                        + String.join(", ", new TreeSet<>(ASSERT_KINDS)) + "; comparisons: "
                        + String.join(", ", new TreeSet<>(Comparison.OPS)) + ")");
            }
        }
        if (kind == null) {
            throw node.error("assertion: say what to check (one of " + String.join(", ", new TreeSet<>(ASSERT_KINDS)) + ")");
        }
        YamlNode v = m.get(kind);
        boolean takesComparison = kind.equals("header") || kind.equals("jsonpath");
        if (!takesComparison && m.size() > 1) {
            throw node.error(kind + ": takes no comparison key (only header and jsonpath do)");
        }
        return switch (kind) {
            case "status" -> new Assertion.Status(statuses(v));
            case "header" -> new Assertion.Header(v.string("header"), Comparison.parse(m, node));
            case "body_contains", "body_not_contains" -> new Assertion.BodyText(kind.contains("_not_"), v.string(kind), null);
            case "body_matches", "body_not_matches" -> new Assertion.BodyText(kind.contains("_not_"), null, v.regex(kind));
            case "jsonpath" -> new Assertion.Json(v.string("jsonpath"), jsonPath(v), Comparison.parse(m, node));
            case "response_time" -> new Assertion.ResponseTime(v.duration("response_time"));
            default -> new Assertion.CertExpiry(v.number("cert_expiry_days"));
        };
    }

    private static Set<Integer> statuses(YamlNode v) throws JourneyException {
        Set<Integer> codes = new HashSet<>();
        for (YamlNode c : v.isList() ? v.list("status") : List.of(v)) {
            int code = c.integer("status", 100);
            if (code > 599) {
                throw c.error("status: " + code + " is not an HTTP status (100-599)");
            }
            codes.add(code);
        }
        if (codes.isEmpty()) {
            throw v.error("status: give at least one code");
        }
        return Set.copyOf(codes);
    }

    private static JsonPath jsonPath(YamlNode v) throws JourneyException {
        String path = v.string("jsonpath");
        try {
            return JsonPath.compile(path);
        } catch (InvalidPathException | IllegalArgumentException e) {
            // Some of Jayway's messages are a wrapped Java exception's text, which tells the user nothing.
            String why = e.getMessage() == null || e.getMessage().startsWith("java.") ? "" : ": " + e.getMessage();
            throw v.error("jsonpath: invalid JSONPath \"" + path + "\"" + why);
        }
    }

    private static Journey.Extract extract(YamlNode node) throws JourneyException {
        node.mapOf("extract", EXTRACT_KEYS);
        int sources = (node.get("jsonpath") != null ? 1 : 0) + (node.get("regex") != null ? 1 : 0)
                + (node.get("header") != null ? 1 : 0);
        if (sources != 1) {
            throw node.error("extract: give exactly one of jsonpath, regex, header");
        }
        boolean secret = node.get("secret") != null && node.get("secret").bool("secret");
        YamlNode jp = node.get("jsonpath");
        return new Journey.Extract(jp != null ? jsonPath(jp) : null, jp != null ? jp.string("jsonpath") : null,
                node.get("regex") != null ? node.get("regex").regex("regex") : null,
                node.get("header") != null ? node.get("header").string("header") : null, secret);
    }

    private static String nonEmpty(YamlNode n, String what) throws JourneyException {
        String s = n.string(what);
        if (s.isBlank()) {
            throw n.error(what + ": must not be empty");
        }
        return s;
    }
}
