package dev.sightline.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The server configuration, rule, dashboard and journey files of the demo: examples/demo/sightline.yml,
 * examples/rules/demo-*.yml, examples/dashboards/*.yml and examples/journeys/demo-*.yml, packed into this jar at build time and written out next to
 * the demo's data, keeping their relative layout.
 */
public final class ServerFiles {
    /** The rule files under examples/rules (a test checks this list against the folder). */
    static final List<String> RULE_FILES = List.of("demo-trading.yml", "demo-cache.yml", "demo-surge.yml", "demo-payments.yml",
            "demo-golden.yml");
    /** The dashboard files under examples/dashboards (a test checks this list against the folder). */
    static final List<String> DASHBOARD_FILES = List.of("orders.yml", "cache-freshness.yml", "surge.yml", "rider-driver.yml");
    /** The journey files under examples/journeys (a test checks this list against the folder's demo-*.yml). */
    static final List<String> JOURNEY_FILES = List.of("demo-trading.yml", "demo-checkout.yml", "demo-rides.yml");
    static final String CONFIG = "demo/sightline.yml";
    /** The halt URL as examples/demo/sightline.yml names it. */
    static final String DEFAULT_HALT_URL = "http://127.0.0.1:" + Demo.Options.DEFAULT_WEBHOOK_PORT + HaltWebhook.PATH;
    /** The product cache's URL as examples/demo/sightline.yml names it (its canary's write and readers). */
    static final String DEFAULT_CACHE_URL = "http://127.0.0.1:" + Demo.Options.DEFAULT_CACHE_PORT + CacheReplicas.PATH;
    /** The company's routes as examples/journeys/demo-*.yml name them: served with the product cache. */
    static final String DEFAULT_API_URL = "http://127.0.0.1:" + Demo.Options.DEFAULT_CACHE_PORT + CompanyApi.PATH;
    private static final String ROOT = "/dev/sightline/demo/examples/";

    private ServerFiles() {
    }

    /** The text of one packed file, by its path under examples/. */
    static String read(String path) {
        try (InputStream in = ServerFiles.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException("examples/" + path + " is missing from the demo jar (rebuild it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the configuration, rules and dashboards under {@code dir} (overwriting earlier copies, so a new
     * version's files take effect) with the halt webhook at {@code haltUrl} and the product cache (its freshness
     * canary's primary and replicas) at {@code cacheUrl}, the company's routes (the journeys') on the same server;
     * returns the configuration's path.
     */
    public static Path write(Path dir, URI haltUrl, URI cacheUrl) throws IOException {
        Path config = dir.resolve(CONFIG);
        Files.createDirectories(config.getParent());
        Files.writeString(config, read(CONFIG).replace(DEFAULT_HALT_URL, haltUrl.toString())
                .replace(DEFAULT_CACHE_URL, cacheUrl.toString()));
        copy(dir, "rules", RULE_FILES, "");
        copy(dir, "dashboards", DASHBOARD_FILES, "");
        copy(dir, "journeys", JOURNEY_FILES, cacheUrl.resolve(CompanyApi.PATH).toString());
        return config;
    }

    /** Copies {@code files} of {@code folder}, with the company's routes at {@code apiUrl} when it is not empty. */
    private static void copy(Path dir, String folder, List<String> files, String apiUrl) throws IOException {
        Path to = dir.resolve(folder);
        Files.createDirectories(to);
        for (String f : files) {
            String text = read(folder + "/" + f);
            Files.writeString(to.resolve(f), apiUrl.isEmpty() ? text : text.replace(DEFAULT_API_URL, apiUrl));
        }
    }
}
