package dev.sightline.server.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.demo.sim.IncidentKind;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DrillSpecTest {
    private static DrillSpec parse(String yaml) throws Exception {
        return DrillSpec.parse("d.yml", new ObjectMapper(new YAMLFactory()).readTree(yaml));
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
}
