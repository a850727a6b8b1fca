package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * {@code journeys:} — synthetic journeys (issue 16) and the blackbox_exporter-compatible /probe:
 * <pre>
 * journeys:
 *   files: ["journeys/*.yml"]          # globs relative to this file, one journey per file
 *   inline:                           # journeys written here, same shape as a file
 *     - name: home
 *       steps: [{name: get, request: {url: "http://app:8080/"}, assert: [{status: 200}]}]
 *   blackbox_config_file: blackbox.yml   # blackbox_exporter's modules, served at /probe
 * </pre>
 * Only the shape is checked here; the journeys themselves are read (and refused at FILE:LINE:COL) by the server's
 * journey service, which keeps the previous ones running when a reload brings a bad one.
 */
public record JourneysConfig(
        @JsonProperty("files") List<String> files,
        @JsonProperty("inline") JsonNode inline,
        @JsonProperty("blackbox_config_file") String blackboxConfigFile) {

    public JourneysConfig {
        files = files == null ? List.of() : List.copyOf(files);
        if (inline != null && !inline.isNull() && !inline.isArray()) {
            throw new IllegalArgumentException("inline: expected a list of journeys");
        }
        inline = inline == null || inline.isNull() ? null : inline;
    }

    public static JourneysConfig defaults() {
        return new JourneysConfig(null, null, null);
    }

    public boolean isEmpty() {
        return files.isEmpty() && inline == null && blackboxConfigFile == null;
    }
}
