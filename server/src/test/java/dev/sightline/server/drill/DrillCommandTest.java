package dev.sightline.server.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.RunningServer;
import dev.sightline.server.services.Drills;
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

    @Test
    void everyShippedDrillWithAnIncidentPasses() throws Exception {
        Run r = drill(SHIPPED, "runaway-strategy", "stale-cache", "saturated-pool", "hidden-surge");
        assertThat(r.out()).as(r.err())
                .contains("PASS  runaway-strategy").contains("alert RunawayStrategy after").contains("halt of momentum after")
                .contains("PASS  stale-cache").contains("alert ProductCacheStale after")
                .contains("PASS  saturated-pool").contains("alert ConnectionPoolSaturated after")
                .contains("PASS  hidden-surge").contains("alert HiddenSurgeOutliers after")
                .endsWith("4 passed, 0 failed\n");
        assertThat(r.code()).isZero();
        // Each pass recorded for the service the drill proves, where maturity reads it.
        Map<String, String> passed = new TreeMap<>();
        for (Drills.Result d : Drills.read(data).results()) {
            if (d.passed() && !d.drill().equals("quiet-hour")) {
                passed.put(d.service(), d.drill());
            }
        }
        assertThat(passed).containsExactly(Map.entry("payment-service", "saturated-pool"),
                Map.entry("product-cache", "stale-cache"), Map.entry("surge-pricer", "hidden-surge"),
                Map.entry("trading-engine", "runaway-strategy"));
    }

    @Test
    void quietReplayPagesNobodyAndJsonSaysSo() throws Exception {
        Run r = drill(SHIPPED, "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode quiet = null;
        for (JsonNode d : j.path("drills")) {
            if (d.path("name").asText().equals("quiet-hour")) {
                quiet = d;
            }
        }
        assertThat(quiet).as(r.out() + r.err()).isNotNull();
        assertThat(quiet.path("fired").size()).as(r.out()).isZero();
        assertThat(quiet.path("passed").asBoolean()).isTrue();
        for (JsonNode d : j.path("drills")) {
            for (JsonNode e : d.path("expect")) {
                assertThat(e.path("detectedAfterSeconds").asLong(Long.MAX_VALUE)).as(d.toString())
                        .isLessThanOrEqualTo(e.path("withinSeconds").asLong());
            }
        }
        assertThat(j.path("failed").asInt()).as(r.out()).isZero();
        assertThat(j.path("passed").asInt()).isEqualTo(j.path("drills").size()).isGreaterThanOrEqualTo(5);
        assertThat(r.code()).isZero();
    }

    @Test
    void aDetectionThatCannotHappenFailsTheDrillAndIsRecordedOnTheTarget(@TempDir Path dir) throws Exception {
        // A runaway strategy does not make the product cache stale: the expectation cannot be met.
        Files.writeString(dir.resolve("wrong-alert.yml"), """
                name: wrong-alert
                service: trading-engine
                history: 1h
                duration: 3m
                incident: {kind: runaway-strategy, start: 1m, length: 2m}
                expect:
                  - alert: ProductCacheStale
                    within: 1m
                """);
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
