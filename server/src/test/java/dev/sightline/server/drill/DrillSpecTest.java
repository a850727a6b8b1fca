package dev.sightline.server.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.demo.sim.IncidentKind;
import dev.sightline.demo.sim.WeekTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DrillSpecTest {
    private static DrillSpec parse(String yaml) throws Exception {
        return DrillSpec.parse("d.yml", new ObjectMapper(new YAMLFactory()).readTree(yaml), Path.of("."));
    }

    @Test
    void readsEveryShippedDrill() throws Exception {
        List<DrillSpec> specs = DrillCommand.load(Path.of("../examples/drills"));
        assertThat(specs).extracting(DrillSpec::name).contains("runaway-strategy", "stale-cache", "saturated-pool", "hidden-surge", "quiet-hour");
        DrillSpec runaway = specs.stream().filter(s -> s.name().equals("runaway-strategy")).findFirst().orElseThrow();
        assertThat(runaway.incident().kind()).isEqualTo(IncidentKind.RUNAWAY_STRATEGY);
        assertThat(runaway.expect()).contains(new DrillSpec.Expect(null, "momentum", Duration.ofSeconds(30)));
        DrillSpec quiet = specs.stream().filter(s -> s.name().equals("quiet-hour")).findFirst().orElseThrow();
        assertThat(quiet.incident()).isNull();
        assertThat(quiet.forbid()).containsExactly(DrillSpec.ANY);
        assertThat(runaway.services()).containsExactly("trading-engine");
        assertThat(runaway.syntheticsWarmup()).isZero();
        DrillSpec stale = specs.stream().filter(s -> s.name().equals("stale-cache")).findFirst().orElseThrow();
        assertThat(stale.syntheticsWarmup()).isEqualTo(Duration.ofHours(3));
        assertThat(stale.expect()).contains(new DrillSpec.Expect("ProductCacheCanaryStale", null, Duration.ofMinutes(1)));
        assertThat(specs).allSatisfy(s -> assertThat(s.services()).isNotEmpty());
    }

    @Test
    void theServicesItProvesAreNamedOnce() throws Exception {
        String rest = "name: x\nhistory: 1h\nduration: 10m\nincident: none\nforbid: [any]\n";
        assertThat(parse(rest + "service: shop\n").services()).containsExactly("shop");
        assertThat(parse(rest + "services: [shop, cart]\n").services()).containsExactly("shop", "cart");
        assertThatThrownBy(() -> parse(rest)).hasMessageContaining("d.yml: exactly one of service, services expected");
        assertThatThrownBy(() -> parse(rest + "service: shop\nservices: [cart]\n"))
                .hasMessageContaining("exactly one of service, services");
        assertThatThrownBy(() -> parse(rest + "services: []\n")).hasMessageContaining("d.yml: services: a non-empty list");
        assertThatThrownBy(() -> parse(rest + "services: [shop, {a: 1}]\n")).hasMessageContaining("d.yml: services[1]:");
        assertThatThrownBy(() -> parse(rest + "service: [shop]\n")).hasMessageContaining("d.yml: service: a service name expected");
    }

    @Test
    void badFieldsAreNamed() {
        String ok = "name: x\nservice: shop\nhistory: 1h\nduration: 10m\n";
        assertThatThrownBy(() -> parse(ok + "incident: none\nforbid: [any]\nextra: 1\n"))
                .hasMessageContaining("d.yml: unknown field \"extra\"");
        assertThatThrownBy(() -> parse("name: x\nservice: shop\nhistory: soon\nduration: 10m\nforbid: [any]\n"))
                .hasMessageContaining("d.yml: history: invalid duration \"soon\"");
        assertThatThrownBy(() -> parse(ok + "incident: {kind: meteor, start: 1m, length: 1m}\nforbid: [any]\n"))
                .hasMessageContaining("incident.kind: unknown \"meteor\"").hasMessageContaining("stale-cache");
        assertThatThrownBy(() -> parse(ok + "incident: {kind: stale-cache, start: 10m, length: 1m}\nforbid: [any]\n"))
                .hasMessageContaining("incident.start");
        assertThatThrownBy(() -> parse(ok + "incident: {kind: stale-cache, start: 1m, length: 1m}\nexpect: [{alert: A, halt: b, within: 1m}]\n"))
                .hasMessageContaining("expect[0]: exactly one of alert, halt");
        assertThatThrownBy(() -> parse(ok + "incident: {kind: stale-cache, start: 1m, length: 1m}\nexpect: [{alert: A}]\n"))
                .hasMessageContaining("expect[0]: within: missing");
        assertThatThrownBy(() -> parse(ok + "incident: none\nexpect: [{alert: A, within: 1m}]\n"))
                .hasMessageContaining("quiet replay");
        assertThatThrownBy(() -> parse(ok + "incident: none\n"))
                .hasMessageContaining("could not fail");
        assertThatThrownBy(() -> parse(ok + "synthetics_warmup: long\nincident: none\nforbid: [any]\n"))
                .hasMessageContaining("d.yml: synthetics_warmup: invalid duration \"long\"");
        assertThatThrownBy(() -> parse("name: Bad Name\nservice: shop\nhistory: 1h\nduration: 1m\nforbid: [any]\n"))
                .hasMessageContaining("name: lower-case");
    }

    @Test
    void atNamesTheCompanysPhaseAndDefaultsToAWeekdayEvening() throws Exception {
        String rest = "name: x\nservice: shop\nhistory: 1h\nduration: 10m\nincident: none\nforbid: [any]\n";
        assertThat(parse(rest + "at: Fri 18:00\n").at()).isEqualTo(new WeekTime(DayOfWeek.FRIDAY, LocalTime.of(18, 0)));
        assertThat(parse(rest + "at: \"sun 03:05\"\n").at()).hasToString("Sun 03:05");
        assertThat(parse(rest).at()).isEqualTo(DrillSpec.DEFAULT_AT).hasToString("Wed 18:00");
        assertThatThrownBy(() -> parse(rest + "at: Friday evening\n")).isInstanceOf(DrillSpec.InvalidDrill.class)
                .hasMessage("d.yml: at: a day and a UTC time such as \"Fri 18:00\" expected (Mon..Sun, 00:00..23:59), got \"Friday evening\"");
        // A time without its day: the weekly rhythms differ by day.
        assertThatThrownBy(() -> parse(rest + "at: 18:00\n")).hasMessageContaining("d.yml: at: ").hasMessageContaining("got \"18:00\"");
        assertThatThrownBy(() -> parse(rest + "at: Fri 25:00\n")).hasMessageContaining("d.yml: at: ");
        assertThatThrownBy(() -> parse(rest + "at: [Fri, \"18:00\"]\n")).hasMessageContaining("d.yml: at: ");
    }

    @Test
    void everyShippedDrillNamesItsPhase() throws Exception {
        Map<String, String> at = new java.util.TreeMap<>();
        for (DrillSpec s : DrillCommand.load(Path.of("../examples/drills"))) {
            at.put(s.name(), s.at().toString());
        }
        assertThat(at).containsEntry("hidden-surge", "Fri 18:00").containsEntry("runaway-strategy", "Tue 14:30")
                .containsEntry("saturated-pool", "Sat 20:00");
        for (Path f : Files.list(Path.of("../examples/drills")).filter(p -> p.toString().endsWith(".yml")).toList()) {
            assertThat(Files.readString(f)).as(f.toString()).containsPattern("(?m)^at: ");
        }
    }

    private static final String HEAD = "name: x\nservice: shop\nhistory: 1h\nduration: 10m\n";
    private static final String SIGNAL = "signals:\n  - {metric: lat, labels: {route: /pay}, type: gauge, baseline: 0.2, noise: 0.1}\n"
            + "  - {metric: reqs, type: counter, baseline: 5, daily_amplitude: 0.3, service: api}\n";

    @Test
    void signalsAndASignalFault() throws Exception {
        DrillSpec d = parse(HEAD + SIGNAL + "incident: {kind: signal, signal: lat, effect: scale, value: 5, start: 1m, length: 2m}\n"
                + "expect: [{alert: Slow, within: 2m}]\n");
        assertThat(d.signals()).containsExactly(
                new DrillSpec.Signal("lat", Map.of("route", "/pay"), false, 0.2, 0, 0.1, "shop"),
                new DrillSpec.Signal("reqs", Map.of(), true, 5, 0.3, 0, "api"));
        assertThat(d.incident().kind()).isNull();
        assertThat(d.incident().kindName()).isEqualTo("signal");
        assertThat(d.incident().fault()).isEqualTo(new DrillSpec.SignalFault(0, DrillSpec.Effect.SCALE, 5));
        assertThat(parse(HEAD + SIGNAL + "incident: {kind: signal, signal: 1, effect: stop, start: 1m, length: 2m}\n"
                + "forbid: [any]\n").incident().fault()).isEqualTo(new DrillSpec.SignalFault(1, DrillSpec.Effect.STOP, 0));
        assertThat(d.ruleFiles()).isEmpty();
    }

    @Test
    void badSignalsAndFaultsNameTheField() {
        String fault = "incident: {kind: signal, start: 1m, length: 2m, ";
        String tail = "}\nforbid: [any]\n";
        assertThatThrownBy(() -> parse(HEAD + SIGNAL + fault + "signal: nope, effect: stop" + tail))
                .hasMessageContaining("d.yml: incident.signal: \"nope\" is not one of the drill's signals");
        assertThatThrownBy(() -> parse(HEAD + SIGNAL + fault + "signal: 2, effect: stop" + tail))
                .hasMessageContaining("d.yml: incident.signal: index 2 out of range (2 signals)");
        assertThatThrownBy(() -> parse(HEAD + SIGNAL + fault + "effect: stop" + tail))
                .hasMessageContaining("d.yml: incident.signal: missing");
        assertThatThrownBy(() -> parse(HEAD + SIGNAL + fault + "signal: lat, effect: scale" + tail))
                .hasMessageContaining("d.yml: incident.value: missing");
        assertThatThrownBy(() -> parse(HEAD + SIGNAL + fault + "signal: lat, effect: freeze, value: 2" + tail))
                .hasMessageContaining("d.yml: incident.value: freeze takes no value");
        assertThatThrownBy(() -> parse(HEAD + SIGNAL + fault + "signal: lat, effect: melt" + tail))
                .hasMessageContaining("d.yml: incident.effect: scale, offset, freeze or stop expected, got \"melt\"");
        assertThatThrownBy(() -> parse(HEAD + "signals:\n  - {metric: a, type: gauge, baseline: 1}\n  - {metric: a, type: gauge, baseline: 2}\n"
                + fault + "signal: a, effect: stop" + tail)).hasMessageContaining("d.yml: incident.signal: \"a\" names 2 signals; use an index");
        // Each bad signal, and the message naming its field.
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{metric: a, type: histogram, baseline: 1}", "signals[0].type: gauge or counter expected, got \"histogram\"");
        bad.put("{metric: a, type: gauge}", "signals[0].baseline: missing");
        bad.put("{metric: a, type: gauge, baseline: x}", "signals[0].baseline: a number expected");
        bad.put("{metric: 9a, type: gauge, baseline: 1}", "signals[0].metric: a metric name expected");
        bad.put("{metric: a, type: gauge, baseline: 1, noise: 2}", "signals[0].noise: a fraction from 0 to 1 expected");
        bad.put("{metric: a, type: gauge, baseline: 1, colour: red}", "signals[0]: unknown field \"colour\"");
        bad.put("{metric: a, labels: [x], type: gauge, baseline: 1}", "signals[0].labels: a map");
        bad.put("{metric: a, type: counter, baseline: -1}", "signals[0].baseline: a counter's rate cannot be negative");
        bad.forEach((signal, message) -> assertThatThrownBy(
                () -> parse(HEAD + "signals:\n  - " + signal + "\nincident: none\nforbid: [any]\n"))
                .hasMessageContaining("d.yml: " + message));
        assertThatThrownBy(() -> parse(HEAD + "incident: {kind: meteor, start: 1m, length: 1m}\nforbid: [any]\n"))
                .hasMessageContaining("(or signal)");
    }

    @Test
    void ruleFilesAreGlobsRelativeToTheDrillFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/b.yml"), "groups: []\n");
        Files.writeString(dir.resolve("rules/a.yml"), "groups: []\n");
        Files.writeString(dir.resolve("d.yml"), HEAD + "rule_files: [rules/*.yml]\nincident: none\nforbid: [any]\n");
        assertThat(DrillSpec.load(dir.resolve("d.yml")).ruleFiles()).containsExactly(
                dir.resolve("rules/a.yml").toAbsolutePath(), dir.resolve("rules/b.yml").toAbsolutePath());
        Files.writeString(dir.resolve("d.yml"), HEAD + "rule_files: [rules/*.yaml]\nincident: none\nforbid: [any]\n");
        assertThatThrownBy(() -> DrillSpec.load(dir.resolve("d.yml")))
                .hasMessageContaining("rule_files[0]: \"rules/*.yaml\" matches no file under");
        Files.writeString(dir.resolve("d.yml"), HEAD + "rule_files: rules/a.yml\nincident: none\nforbid: [any]\n");
        assertThatThrownBy(() -> DrillSpec.load(dir.resolve("d.yml"))).hasMessageContaining("rule_files: a list of globs");
        Files.writeString(dir.resolve("d.yml"), HEAD + "rule_files: [/etc/*.yml]\nincident: none\nforbid: [any]\n");
        assertThatThrownBy(() -> DrillSpec.load(dir.resolve("d.yml"))).hasMessageContaining("rule_files[0]: a glob relative to the drill file");
    }
}
