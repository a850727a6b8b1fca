package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.sightline.core.text.PromDurations;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;

/**
 * A loaded configuration (or one section of it) written back as YAML, as Prometheus's /api/v1/status/config and
 * Alertmanager's status show theirs: durations in Prometheus's syntax, unset and empty keys left out, secrets
 * (every field {@link Secrets} names) replaced by {@code <secret>}.
 */
public final class ConfigYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setSerializationInclusion(JsonInclude.Include.NON_EMPTY)
            .registerModule(new SimpleModule().addSerializer(Duration.class, new JsonSerializer<>() {
                @Override
                public void serialize(Duration d, JsonGenerator g, SerializerProvider p) throws IOException {
                    g.writeString(PromDurations.format(d.toMillis()));
                }
            }));

    private ConfigYaml() {
    }

    /** The configuration as YAML with its secrets masked; "" for null. */
    public static String write(Object config) {
        if (config == null) {
            return "";
        }
        JsonNode tree = YAML.valueToTree(config);
        Secrets.mask(tree, new ArrayList<>());
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
