package dev.sightline.alerting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.core.fuzz.FuzzTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzz target of the Alertmanager API's silence body (POST /api/v2/silences): a refusal is a JSON syntax error with
 * its location or an IllegalArgumentException naming the field. (The Alertmanager configuration is a section of
 * sightline.yml: its target runs the configuration loader, in the server's tests.)
 */
class AlertingFuzzTargetsTest {
    static List<FuzzTarget> targets() {
        return List.of(FuzzTarget.named("alertmanager-silence")
                .seeds("""
                        {"matchers":[{"name":"alertname","value":"HighErrorRate","isRegex":false,"isEqual":true},
                          {"name":"job","value":"api|web","isRegex":true,"isEqual":false}],
                         "startsAt":"2026-12-06T10:00:00.000Z","endsAt":"2026-12-06T12:00:00Z","createdBy":"ops","comment":"deploy"}
                        """, """
                        {"id":"5f1c","matchers":[{"name":"instance","value":"h:9100"}],"startsAt":"2026-12-06T10:00:00+01:00",
                         "endsAt":"2026-12-07T10:00:00.123456789Z","createdBy":"","comment":""}
                        """)
                .tokens("{", "}", "[", "]", ",", ":", "\"", "null", "true", "\"isRegex\":true", "\".*\"", "(", "*", "\\\\",
                        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"")
                // A read limit (a name over 50000 characters) has no location; its message names the limit, a clean 400.
                .rejects(StreamConstraintsException.class, e -> e.getMessage().contains("exceeds the maximum allowed"))
                .rejects(JsonProcessingException.class, e -> e.getLocation() != null)
                .rejects(IllegalArgumentException.class, e -> e.getMessage().matches("(?s)([\\w.\\[\\]]+: |expected a silence object).*"))
                .run(in -> AlertmanagerJson.parseSilence(AlertmanagerJson.MAPPER.readTree(in)))
                .build());
    }

    @TestFactory
    Stream<DynamicTest> fuzz() {
        return FuzzTests.dynamicTests(targets());
    }
}
