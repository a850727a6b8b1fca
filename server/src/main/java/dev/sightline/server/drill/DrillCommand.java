package dev.sightline.server.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.core.TenantScope;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.services.Drills;
import dev.sightline.server.tenants.Tenants;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * {@code sightline drill [NAME...]}: runs the drills of a directory (examples/drills by default), each on a fresh
 * server and a simulated clock, and prints one line per drill and "N passed, M failed"; exit code 1 on a failure.
 * Each drill's result is recorded for every service it names, where maturity reads it: the drill record of a data
 * directory, or of a running server through {@code POST /api/v1/drills/results} (docs/maturity.md).
 */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = {"Replays incidents (and quiet periods) on an accelerated clock against a fresh server with the",
                "demo's rules, and checks that the expected alerts fire in time and no forbidden alert pages."})
public final class DrillCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Drills to run (default: every drill in --dir).")
    List<String> names = List.of();

    // The launcher names the checkout (sightline.home), so `./sightline drill` finds the shipped drills from any folder.
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "${sys:sightline.home:-.}/examples/drills",
            description = "Directory of drill files (*.yml). Default: ${DEFAULT-VALUE}")
    Path dir;

    @Option(names = "--json", description = "One JSON document with every drill's result instead of text lines.")
    boolean json;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Record the results in this data directory's drill record (DIR/" + Drills.FILE
                    + "), as `./sightline server --data-dir DIR` reads it. Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Option(names = "--target", paramLabel = "URL",
            description = "Record the results on this running server (POST URL/api/v1/drills/results) instead of in --data-dir.")
    URI target;

    @Option(names = "--org-id", paramLabel = "ID",
            description = "The tenant whose drill record gets the results, on a server with tenants.multitenancy_enabled:"
                    + " sent as X-Scope-OrgID with --target, or DIR/drills/tenants/ID/results.json with --data-dir.")
    String orgId;

    @Option(names = "--no-record", description = "Record nothing: only print the results.")
    boolean noRecord;

    @Option(names = "--verbose", description = "Show the drill servers' own log lines (by default only warnings).")
    boolean verbose;

    /** Held so the level set on it stays (java.util.logging keeps loggers weakly). */
    private static final Logger SERVER_LOGS = Logger.getLogger("dev.sightline");

    /** Where results go; tests replace it. */
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws InterruptedException {
        // Each drill starts and stops a server: its start-up lines would bury the one line per drill.
        Level before = SERVER_LOGS.getLevel();
        if (!verbose) {
            SERVER_LOGS.setLevel(Level.WARNING);
        }
        try {
            return runDrills();
        } finally {
            SERVER_LOGS.setLevel(before);
        }
    }

    private int runDrills() throws InterruptedException {
        if (orgId != null) {
            try {
                TenantScope.validate(orgId);
            } catch (IllegalArgumentException e) {
                err.println("sightline drill: --org-id: " + e.getMessage());
                return 2;
            }
        }
        List<DrillSpec> specs;
        try {
            specs = select(load(dir), names);
        } catch (DrillSpec.InvalidDrill | IOException e) {
            err.println("sightline drill: " + e.getMessage());
            return 2;
        }
        List<DrillRunner.Outcome> outcomes = new ArrayList<>();
        for (DrillSpec s : specs) {
            try {
                DrillRunner.Outcome o = DrillRunner.run(s);
                outcomes.add(o);
                if (!json) {
                    out.println(line(o));
                    out.flush();
                }
            } catch (IOException | ConfigException e) {
                err.println("sightline drill: " + s.name() + ": " + e.getMessage());
                return 2;
            }
        }
        long passed = outcomes.stream().filter(DrillRunner.Outcome::passed).count();
        long failed = outcomes.size() - passed;
        if (json) {
            out.println(json(outcomes, passed, failed));
        } else {
            out.println(passed + " passed, " + failed + " failed");
        }
        if (!noRecord) {
            try {
                record(results(outcomes, Instant.now()));
            } catch (IOException | Drills.InvalidResults e) {
                err.println("sightline drill: the results were not recorded: " + e.getMessage());
                return 2;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** One result per drill and service it proves, finished now. */
    static List<Drills.Result> results(List<DrillRunner.Outcome> outcomes, Instant finished) {
        List<Drills.Result> out = new ArrayList<>();
        for (DrillRunner.Outcome o : outcomes) {
            o.spec().services().forEach(s -> out.add(new Drills.Result(o.spec().name(), s, o.passed(), finished)));
        }
        return out;
    }

    private void record(List<Drills.Result> results) throws IOException, Drills.InvalidResults, InterruptedException {
        if (target == null) {
            Drills.record(dataDir, orgId, results);
            return;
        }
        URI uri = URI.create(target.toString().replaceAll("/+$", "") + "/api/v1/drills/results");
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json");
            if (orgId != null) {
                request.header(Tenants.HEADER, orgId);
            }
            HttpResponse<String> r = http.send(request.POST(HttpRequest.BodyPublishers.ofString(Drills.json(results))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(uri + " answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    /** Every *.yml of {@code dir}, by file name; names must be unique. */
    static List<DrillSpec> load(Path dir) throws IOException, DrillSpec.InvalidDrill {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no drill directory " + dir + " (run from the project's root or pass --dir)");
        }
        List<DrillSpec> specs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                DrillSpec spec = DrillSpec.load(f);
                if (specs.stream().anyMatch(x -> x.name().equals(spec.name()))) {
                    throw new DrillSpec.InvalidDrill(f + ": name: \"" + spec.name() + "\" is used by another drill in " + dir);
                }
                specs.add(spec);
            }
        }
        return specs;
    }

    static List<DrillSpec> select(List<DrillSpec> all, List<String> names) throws DrillSpec.InvalidDrill {
        if (names.isEmpty()) {
            return all;
        }
        List<DrillSpec> chosen = new ArrayList<>();
        for (String n : names) {
            chosen.add(all.stream().filter(s -> s.name().equals(n)).findFirst().orElseThrow(() -> new DrillSpec.InvalidDrill(
                    "no drill named \"" + n + "\"; known: " + all.stream().map(DrillSpec::name).toList())));
        }
        return chosen;
    }

    static String line(DrillRunner.Outcome o) {
        return String.format("%s  %-22s %s  [at %s, %s history, %d points; %.1f s]", o.passed() ? "PASS" : "FAIL",
                o.spec().name(), String.join("; ", o.findings()), o.spec().at(), DrillRunner.human(o.spec().history()),
                o.historyPoints(), o.wallMillis() / 1000.0);
    }

    private static String json(List<DrillRunner.Outcome> outcomes, long passed, long failed) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode drills = root.putArray("drills");
        for (DrillRunner.Outcome o : outcomes) {
            ObjectNode d = drills.addObject();
            d.put("name", o.spec().name());
            d.put("passed", o.passed());
            d.put("at", o.spec().at().toString());
            if (o.incidentStartMillis() >= 0) {
                d.put("incident", o.spec().incident().kindName());
                d.put("incidentStart", Instant.ofEpochMilli(o.incidentStartMillis()).toString());
            }
            ArrayNode exp = d.putArray("expect");
            for (DrillSpec.Expect e : o.spec().expect()) {
                ObjectNode x = exp.addObject();
                x.put(e.alert() != null ? "alert" : "halt", e.alert() != null ? e.alert() : e.halt());
                x.put("withinSeconds", e.within().toSeconds());
                Long at = e.alert() != null ? o.firstFired().get(e.alert()) : o.halted().get(e.halt());
                if (at != null && at >= o.incidentStartMillis()) {
                    x.put("detectedAfterSeconds", Duration.ofMillis(at - o.incidentStartMillis()).toSeconds());
                } else {
                    x.putNull("detectedAfterSeconds");
                }
            }
            ObjectNode fired = d.putObject("fired");
            for (Map.Entry<String, Long> f : o.firstFired().entrySet()) {
                fired.put(f.getKey(), Instant.ofEpochMilli(f.getValue()).toString());
            }
            d.putArray("findings").addAll(o.findings().stream().map(m.getNodeFactory()::textNode).toList());
            d.put("historyPoints", o.historyPoints());
            d.put("wallSeconds", o.wallMillis() / 1000.0);
        }
        root.put("passed", passed);
        root.put("failed", failed);
        return root.toString();
    }
}
