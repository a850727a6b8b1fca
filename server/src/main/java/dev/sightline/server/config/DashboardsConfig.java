package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;

/**
 * {@code dashboards:} — where the dashboards as code are: a directory of YAML files (and Grafana JSON exports),
 * relative to the configuration file's folder, watched for changes. Without it there are no file dashboards.
 * <pre>
 * dashboards:
 *   directory: dashboards/
 * </pre>
 */
public record DashboardsConfig(@JsonProperty("directory") String directory) {
    public static final DashboardsConfig NONE = new DashboardsConfig(null);

    public DashboardsConfig {
        if (directory != null && directory.isBlank()) {
            throw new IllegalArgumentException("directory: must not be empty (leave the section out for none)");
        }
    }

    /** The directory resolved against the configuration file's folder (the working directory without one), or null. */
    public Path resolve(Path configFile) {
        if (directory == null) {
            return null;
        }
        return ConfigLoader.baseDir(configFile).resolve(directory).normalize();
    }
}
