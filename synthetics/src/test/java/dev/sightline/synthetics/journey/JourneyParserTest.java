package dev.sightline.synthetics.journey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class JourneyParserTest {
    @Test
    void aLongLiteralBodyRegexIsCompiledInLinearTime() throws Exception {
        // The JDK compiles a pattern led by a long literal in quadratic time ("GET " and 65,000 '=' took 19 s).
        String regex = "GET " + "=".repeat(65_000);
        Journey j = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> parse(
                "name: x\nsteps: [{name: a, request: {url: 'http://h/'}, assert: [{body_matches: '" + regex + "'}]}]\n"));
        assertThat(j.steps().getFirst().assertions().getFirst()).isInstanceOfSatisfying(Assertion.BodyText.class,
                b -> assertThat(b.regex().matcher("<" + regex + ">").find()).isTrue());
    }
    private static Journey parse(String yaml) throws JourneyException {
        return JourneyParser.parse(YamlNode.parse("j.yml", yaml.getBytes()), Path.of("/etc/sightline"));
    }

    @Test
    void theIssuesContractShapeLoadsWithDefaults() throws Exception {
        Journey j = parse("""
                name: login-and-cart
                steps:
                  - name: token
                    request: {method: GET, url: "http://app:8080/token"}
                    assert: [{status: 200}, {jsonpath: "$.token", equals: "t-42"}]
                    extract: {tok: {jsonpath: "$.token"}}
                  - name: cart
                    request: {method: GET, url: "http://app:8080/cart", headers: {Authorization: "Bearer {{tok}}"}}
                    assert: [{status: 200}, {jsonpath: "$.ok", equals: true}]
                """);
        assertThat(j.name()).isEqualTo("login-and-cart");
        assertThat(j.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(j.alertAfter()).isEqualTo(3);
        assertThat(j.steps()).hasSize(2);
        assertThat(j.steps().get(1).request().headers().get("Authorization").source()).isEqualTo("Bearer {{tok}}");
        assertThat(j.steps().get(0).assertions()).extracting(Assertion::describe)
                .containsExactly("status 200", "jsonpath $.token equals \"t-42\"");
        assertThat(j.source()).isEqualTo("j.yml:1:1");
        assertThat(j.services()).isEmpty();
    }

    @Test
    void servicesNameWhatARunProves() throws Exception {
        Journey j = parse("""
                name: rides
                services: [rider-app, driver-app]
                steps: [{name: a, request: {url: "http://h/"}}]
                """);
        assertThat(j.services()).containsExactly("rider-app", "driver-app");
    }

    @Test
    void aRelativeCaFileIsResolvedAgainstTheFilesFolder() throws Exception {
        Journey j = parse("""
                name: x
                steps: [{name: a, request: {url: "https://h/", tls: {ca_file: ca.pem}}}]
                """);
        assertThat(j.steps().getFirst().request().caFile()).isEqualTo(Path.of("/etc/sightline/ca.pem").toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "name: x\\nstepz: []|j.yml:2:8: unknown key \"stepz\" in journey",
        "name: x\\nsteps: []|j.yml:2:8: steps: a journey needs at least one step",
        "name: x\\nsteps:\\n  - name: a\\n    request: {method: GET}|j.yml:4:14: missing required key \"url\"",
        "name: x\\nsteps:\\n  - name: a\\n    request: {url: 'http://h/{{tok}}'}|j.yml:4:20: url: unknown reference {{tok}}",
        "name: x\\ninterval: 5x\\nsteps: [{name: a, request: {url: 'http://h/'}}]|j.yml:2:11: interval: expected a duration",
        "name: x\\nsteps: [{name: a, request: {url: 'http://h/'}, assert: [{jsonpath: '$.[', equals: 1}]}]|j.yml:2:68: jsonpath: invalid JSONPath \"$.[\"",
        "name: x\\nsteps: [{name: a, request: {url: 'http://h/'}, assert: [{status: 200, equals: 1}]}]|j.yml:2:57: status: takes no comparison key",
        "name: x\\nsteps: [{name: a, request: {url: 'http://h/'}, assert: [{body_matches: '(('}]}]|j.yml:2:72: body_matches: invalid regular expression",
        "name: x\\nsteps: [{name: a, request: {url: 'http://h/'}}, {name: a, request: {url: 'http://h/'}}]|j.yml:2:56: name: a step named \"a\" already exists",
        "name: x\\nsteps: [{name: a, request: {url: 'ftp://h/'}}]|j.yml:2:34: url: must start with http:// or https://",
        "name: x\\nsteps: [{name: a, request: {url: 'http://h/', method: FETCH}}]|j.yml:2:55: method: unknown HTTP method \"FETCH\"",
        "name: x\\nsteps:\\n  - name: a\\n    request: {url: 'http://h/'}\\n    retries: -1|j.yml:5:14: retries: must be at least 0",
        "name: x\\nsteps: [{name: a, request: {url: 'http://h/'}}]\\ncleanup: [{name: c, request: {url: 'http://h/{{v}}'}}]|j.yml:3:36: url: unknown reference {{v}}",
        "name: x\\nname: y|j.yml:2:5: invalid YAML: Duplicate field 'name'",
        "name: x\\nservices: a\\nsteps: [{name: a, request: {url: 'http://h/'}}]|j.yml:2:11: services: expected a list",
        "name: x\\nservices: [a, '']\\nsteps: [{name: a, request: {url: 'http://h/'}}]|j.yml:2:15: services[1]: a service name must not be empty",
        "name: x\\nservices: [a, a]\\nsteps: [{name: a, request: {url: 'http://h/'}}]|j.yml:2:15: services[1]: \"a\" is named twice",
    })
    void badJourneysAreRefusedAtFileLineColumn(String yaml, String error) {
        assertThatThrownBy(() -> parse(yaml.replace("\\n", "\n")))
                .isInstanceOf(JourneyException.class)
                .hasMessageStartingWith(error);
    }

    @Test
    void aCleanupStepMayUseJourneyVariablesButNotExtractedOnes() throws Exception {
        Journey j = parse("""
                name: x
                variables: {user: "probe-{{uuid}}"}
                steps: [{name: a, request: {url: "http://h/{{user}}"}, extract: {id: {header: X-Id}}}]
                cleanup: [{name: c, request: {method: DELETE, url: "http://h/users/{{user}}"}}]
                """);
        assertThat(j.cleanup()).hasSize(1);
    }
}
