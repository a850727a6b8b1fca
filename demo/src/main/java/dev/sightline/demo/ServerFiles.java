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
 * The server configuration and rule files of the demo: examples/demo/sightline.yml and examples/rules/demo-*.yml,
 * packed into this jar at build time and written out next to the demo's data, keeping their relative layout.
 */
public final class ServerFiles {
    /** The rule files under examples/rules (a test checks this list against the folder). */
    static final List<String> RULE_FILES = List.of("demo-trading.yml", "demo-cache.yml", "demo-surge.yml", "demo-payments.yml");
    static final String CONFIG = "demo/sightline.yml";
    /** The halt URL as examples/demo/sightline.yml names it. */
    static final String DEFAULT_HALT_URL = "http://127.0.0.1:" + Demo.Options.DEFAULT_WEBHOOK_PORT + HaltWebhook.PATH;
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
     * Writes the configuration and rules under {@code dir} (overwriting earlier copies, so a new version's rules
     * take effect) with the halt webhook at {@code haltUrl}; returns the configuration's path.
     */
    public static Path write(Path dir, URI haltUrl) throws IOException {
        Path config = dir.resolve(CONFIG);
        Files.createDirectories(config.getParent());
        Files.writeString(config, read(CONFIG).replace(DEFAULT_HALT_URL, haltUrl.toString()));
        Path rules = dir.resolve("rules");
        Files.createDirectories(rules);
        for (String f : RULE_FILES) {
            Files.writeString(rules.resolve(f), read("rules/" + f));
        }
        return config;
    }
}
