package dev.sightline.server.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.RunningServer;
import dev.sightline.server.services.Drills;
import dev.sightline.server.tenants.Tenants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped drills replayed end to end: each on a fresh server and a simulated clock. */
class DrillCommandTest {
    private static final Path SHIPPED = Path.of("../examples/drills");

    private record Run(int code, String out, String err) {
    }

    /** Where the drills of these tests record their results. */
    @TempDir
    static Path data;

    private static Run drill(Path dir, String... args) throws Exception {
        DrillCommand c = new DrillCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        c.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        c.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        List<String> all = new java.util.ArrayList<>(List.of("--dir", dir.toString()));
        List<String> given = List.of(args);
        if (!given.contains("--target") && !given.contains("--data-dir")) {
            all.addAll(List.of("--data-dir", data.toString()));
        }
        all.addAll(given);
        int code = new picocli.CommandLine(c).execute(all.toArray(String[]::new));
        System.out.print(out.toString(StandardCharsets.UTF_8)); // the drill lines, for the test's report
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The whole shipped set, once (each drill is a server and a replay): every drill passes, and is recorded. */
    @Test
    void everyShippedDrillPassesTheQuietOnePagesNobodyAndEachIsRecorded() throws Exception {
        Run r = drill(SHIPPED, "--json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        Map<String, JsonNode> byName = new TreeMap<>();
        j.path("drills").forEach(d -> byName.put(d.path("name").asText(), d));
        assertThat(byName).containsOnlyKeys("custom-signal", "hidden-surge", "quiet-hour", "rider-driver-mismatch", "runaway-strategy", "saturated-pool",
                "stale-cache");
        assertThat(j.path("failed").asInt()).as(r.out()).isZero();
        assertThat(j.path("passed").asInt()).isEqualTo(7);
        Map<String, String> findings = new TreeMap<>();
        byName.forEach((name, d) -> findings.put(name, d.path("findings").toString()));
        assertThat(findings.get("runaway-strategy")).contains("alert RunawayStrategy after").contains("halt of momentum after");
        assertThat(findings.get("stale-cache")).contains("alert ProductCacheStale after")
                .contains("alert ProductCacheCanaryStale after");
        assertThat(findings.get("saturated-pool")).contains("alert ConnectionPoolSaturated after");
        assertThat(findings.get("hidden-surge")).contains("alert HiddenSurgeOutliers after");
        assertThat(findings.get("rider-driver-mismatch")).contains("alert RiderDriverSurgeMismatch after");
        // A team's own signal, fault and rule file: its alert fires, the one it forbids does not.
        assertThat(findings.get("custom-signal")).contains("alert CheckoutSlow after").contains("no false page");
        assertThat(byName.get("quiet-hour").path("fired").size()).as(r.out()).isZero();
        assertThat(findings.get("quiet-hour")).contains("no false page");
        for (JsonNode d : j.path("drills")) {
            for (JsonNode e : d.path("expect")) {
                assertThat(e.path("detectedAfterSeconds").asLong(Long.MAX_VALUE)).as(d.toString())
                        .isLessThanOrEqualTo(e.path("withinSeconds").asLong());
            }
        }
        // Each pass recorded for the services the drill proves, where maturity reads it.
        Map<String, List<String>> passed = new TreeMap<>();
        for (Drills.Result d : Drills.read(data).results()) {
            assertThat(d.passed()).as(d.toString()).isTrue();
            passed.computeIfAbsent(d.service(), k -> new java.util.ArrayList<>()).add(d.drill());
        }
        assertThat(passed).containsOnlyKeys("checkout", "driver-app", "order-service", "payment-service", "product-cache", "rider-app",
                "surge-pricer", "trading-engine");
        assertThat(passed.get("checkout")).containsExactly("custom-signal");
        assertThat(passed.get("product-cache")).containsExactly("quiet-hour", "stale-cache");
        assertThat(passed.get("trading-engine")).containsExactly("quiet-hour", "runaway-strategy");
        assertThat(passed.get("payment-service")).containsExactly("quiet-hour", "saturated-pool");
        assertThat(passed.get("surge-pricer")).containsExactly("hidden-surge", "quiet-hour", "rider-driver-mismatch");
    }

    /** A runaway strategy does not make the product cache stale: the expectation cannot be met. */
    private static final String WRONG_ALERT = """
            name: wrong-alert
            service: trading-engine
            history: 1h
            duration: 3m
            incident: {kind: runaway-strategy, start: 1m, length: 2m}
            expect:
              - alert: ProductCacheStale
                within: 1m
            """;

    @Test
    void withAnOrgIdTheResultsGoToThatTenantsRecord(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("wrong-alert.yml"), WRONG_ALERT);
        try (RunningServer target = new RunningServer()) {
            target.start(Files.createDirectories(dir.resolve("server")), "tenants:\n  multitenancy_enabled: true\n");
            Run r = drill(dir, "--target", target.uri("/").toString(), "--org-id", "a");
            assertThat(r.err()).isEmpty();
            assertThat(r.code()).isEqualTo(1);
            for (String t : List.of("a", "b")) {
                JsonNode recorded = RunningServer.JSON.readTree(target.send(target.request("/api/v1/drills/results")
                        .header(Tenants.HEADER, t)).body()).path("data").path("results");
                assertThat(recorded).as(t).hasSize(t.equals("a") ? 1 : 0);
            }
        }
        // An id the server would refuse is refused before any drill runs (it also names a folder under --data-dir).
        Run bad = drill(dir, "--data-dir", dir.resolve("data").toString(), "--org-id", "..");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("sightline drill: --org-id: tenant ID is '.' or '..'\n");
        assertThat(bad.out()).isEmpty();
    }

    @Test
    void aDetectionThatCannotHappenFailsTheDrillAndIsRecordedOnTheTarget(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("wrong-alert.yml"), WRONG_ALERT);
        try (RunningServer target = new RunningServer()) {
            target.start(dir.resolve("server"), null);
            Run r = drill(dir, "--target", target.uri("/").toString());
            assertThat(r.out()).as(r.err()).contains("FAIL  wrong-alert").contains("alert ProductCacheStale not seen (needed within 1m)")
                    .endsWith("0 passed, 1 failed\n");
            assertThat(r.code()).isEqualTo(1);
            JsonNode recorded = target.getJson("/api/v1/drills/results").path("data").path("results");
            assertThat(recorded).hasSize(1);
            assertThat(recorded.get(0).path("drill").asText()).isEqualTo("wrong-alert");
            assertThat(recorded.get(0).path("service").asText()).isEqualTo("trading-engine");
            assertThat(recorded.get(0).path("passed").asBoolean()).isFalse();
        }
    }

    @Test
    void withoutEarlierDaysTheSeasonalDetectorCannotCatchTheRunaway(@TempDir Path dir) throws Exception {
        // The shipped runaway drill with one hour of history instead of three days: the backfill is what it detects with.
        Files.writeString(dir.resolve("no-history.yml"), Files.readString(SHIPPED.resolve("runaway-strategy.yml"))
                .replace("name: runaway-strategy", "name: no-history").replace("history: 3d", "history: 1h")
                .replace("duration: 10m", "duration: 4m"));
        Run r = drill(dir, "--no-record");
        assertThat(r.out()).as(r.err()).contains("FAIL  no-history").contains("alert RunawayStrategy not seen");
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void aMissingDirectoryOrABadFileIsAClearErrorBeforeAnyServerStarts(@TempDir Path dir) throws Exception {
        Run missing = drill(dir.resolve("nope"));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no drill directory").contains("--dir");
        Files.writeString(dir.resolve("bad.yml"), "name: bad\nservice: x\nhistory: 1h\nduration: 1m\nforbid: [any]\nincident: {kind: flood}\n");
        Run bad = drill(dir);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("bad.yml: incident.kind: unknown \"flood\"");
        assertThat(bad.out()).isEmpty();
    }

    @Test
    void unknownDrillNameIsRefusedWithTheKnownOnes() throws Exception {
        Run r = drill(SHIPPED, "no-such-drill");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no drill named \"no-such-drill\"").contains("runaway-strategy");
    }
}
