package dev.sightline.alerting;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.sightline.alerting.config.AlertmanagerConfig;

import java.io.IOException;
import java.time.Duration;

/** Alertmanager configurations for tests, written as JSON with durations such as "30s" or "100ms". */
final class TestConfigs {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule().addDeserializer(Duration.class, new JsonDeserializer<>() {
                @Override
                public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                    String t = p.getText();
                    if (t.endsWith("ms")) {
                        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
                    }
                    long n = Long.parseLong(t.substring(0, t.length() - 1));
                    return switch (t.charAt(t.length() - 1)) {
                        case 's' -> Duration.ofSeconds(n);
                        case 'm' -> Duration.ofMinutes(n);
                        case 'h' -> Duration.ofHours(n);
                        default -> throw new IOException("bad duration " + t);
                    };
                }
            }));

    private TestConfigs() {
    }

    /** Parses JSON written with single quotes for readability. */
    static AlertmanagerConfig parse(String json) {
        try {
            return MAPPER.readValue(json.replace('\'', '"'), AlertmanagerConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
