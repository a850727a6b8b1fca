package dev.sightline.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.tenants.Tenants;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sightline maturity}: every service's maturity level and what the next level lacks, as a running server's
 * {@code /api/v1/maturity} answers (docs/maturity.md). Exit 0 when it answered, 1 when it could not be read.
 */
@Command(name = "maturity", mixinStandardHelpOptions = true,
        description = "Print each service's maturity level (1 blind .. 5 predictive) and what the next level lacks.")
final class MaturityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--target", paramLabel = "URL", defaultValue = "http://localhost:9797",
            description = "The running server. Default: ${DEFAULT-VALUE}")
    URI target;

    @Option(names = "--org-id", paramLabel = "ID",
            description = "The tenant to assess (sent as X-Scope-OrgID), on a server with tenants.multitenancy_enabled.")
    String orgId;

    @Option(names = {"-v", "--verbose"}, description = "Also print every criterion with what was found.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        URI uri = target.resolve("/api/v1/maturity");
        JsonNode body;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
            if (orgId != null) {
                request.header(Tenants.HEADER, orgId);
            }
            HttpResponse<String> resp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                    request.build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                err.println("maturity: " + uri + " answered " + resp.statusCode() + ": " + resp.body().strip());
                return 1;
            }
            body = new ObjectMapper().readTree(resp.body());
        } catch (ConnectException e) {
            err.println("maturity: no server at " + target + " (start one with `sightline server`, or pass --target URL)");
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            err.println("maturity: cannot read " + uri + ": " + e);
            return 1;
        }
        print(out, body.path("data").path("services"), verbose);
        return 0;
    }

    /** One row per service: name, level, and the criteria the next level lacks; with details, every criterion. */
    static void print(PrintWriter out, JsonNode services, boolean details) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVICE", "LEVEL", "MISSING FOR THE NEXT LEVEL"});
        boolean drillsRecorded = false;
        for (JsonNode s : services) {
            List<String> missing = new ArrayList<>();
            s.path("next").path("missing").forEach(c -> missing.add(c.path("title").asText()));
            String next = s.path("next").isNull() ? "-" : s.path("next").path("level").asInt() + " "
                    + s.path("next").path("level_name").asText() + ": " + String.join("; ", missing);
            rows.add(new String[] {s.path("name").asText(), s.path("level").asInt() + " " + s.path("level_name").asText(), next});
            for (JsonNode c : s.path("criteria")) {
                drillsRecorded |= c.path("id").asText().equals("drills") && !c.path("evidence").asText().equals("none recorded");
            }
        }
        int[] width = new int[2];
        for (String[] r : rows) {
            width[0] = Math.max(width[0], r[0].length());
            width[1] = Math.max(width[1], r[1].length());
        }
        for (String[] r : rows) {
            out.println(String.format("%-" + width[0] + "s  %-" + width[1] + "s  %s", r[0], r[1], r[2]).stripTrailing());
        }
        if (rows.size() == 1) {
            out.println("(no services: the server holds no metrics, traces or logs of the last hour)");
        }
        if (!drillsRecorded) {
            out.println("Drills: none recorded (./sightline drill records them in <data dir>/drills/results.json; see docs/maturity.md)");
        }
        if (details) {
            for (JsonNode s : services) {
                out.println();
                out.println(s.path("name").asText() + ":");
                for (JsonNode c : s.path("criteria")) {
                    out.println("  " + c.path("level").asInt() + " " + (c.path("met").asBoolean() ? "[x] " : "[ ] ")
                            + c.path("title").asText() + ": " + c.path("evidence").asText());
                    c.path("found").forEach(f -> out.println("        " + f.asText()));
                }
            }
        }
    }
}
