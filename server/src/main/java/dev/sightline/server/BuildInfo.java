package dev.sightline.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What was built: the Maven project version, git revision and branch (or "unknown"), who built it and when, read
 * from the build-info.properties resource that Maven filters at build time.
 */
public record BuildInfo(String version, String revision, String branch, String buildUser, String buildDate,
                        String javaVersion) {

    /**
     * The Prometheus release whose HTTP API Sightline answers like. Grafana reads buildinfo's version as a semantic
     * version and turns on Prometheus features by it (e.g. the labels API with match[] needs >= 2.24.0); a bare
     * "0.1.0" would make it treat Sightline as an ancient Prometheus. So the version reported there is this one,
     * with Sightline's own version as semver build metadata, which version comparisons ignore.
     */
    public static final String PROMETHEUS_API_VERSION = "2.55.0";

    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    /** The version for /api/v1/status/buildinfo, e.g. {@code 2.55.0+sightline.0.1.0-SNAPSHOT}. */
    public String prometheusCompatibleVersion() {
        return compatibleVersion(PROMETHEUS_API_VERSION);
    }

    /** A peer's release with Sightline's version as semver build metadata, e.g. {@code 2.8.0+sightline.0.1.0}. */
    public String compatibleVersion(String peerVersion) {
        // Build metadata allows only [0-9A-Za-z-] and dots.
        return peerVersion + "+sightline." + version.replaceAll("[^0-9A-Za-z.-]", "-");
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read build-info.properties", e);
        }
        return new BuildInfo(value(p, "version"), value(p, "revision"), value(p, "branch"), value(p, "buildUser"),
                value(p, "buildDate"), System.getProperty("java.runtime.version", Runtime.version().toString()));
    }

    /** A key that Maven did not fill in (still reads "${...}") or that is missing counts as unknown. */
    private static String value(Properties p, String key) {
        String v = p.getProperty(key, "").trim();
        return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    }
}
