package dev.sightline.server;

import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/** {@code sightline server}: runs until SIGTERM or Ctrl-C, then shuts down cleanly and exits 0. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Runs Sightline: the HTTP APIs and the metric store.")
final class ServerCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(ServerCommand.class.getName());

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (sightline.yml). Default: none, built-in defaults.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data", description = "Data directory. Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port; overrides server.http_port. Default: 9797")
    Integer httpPort;

    @Option(names = "--listen-address", paramLabel = "HOST", description = "Address to bind; overrides server.listen_address. Default: 0.0.0.0")
    String listenAddress;

    @Option(names = "--web.config.file", paramLabel = "FILE",
            description = "Web config (Prometheus exporter-toolkit format plus bearer_tokens): TLS, basic auth and"
                    + " bearer tokens on every listener; re-read when it or its certificates change. Default: none, open.")
    Path webConfigFile;

    @Override
    public Integer call() throws InterruptedException {
        SightlineConfig cfg;
        try {
            cfg = config == null ? SightlineConfig.defaults() : new ConfigLoader().load(config);
        } catch (ConfigException e) {
            System.err.println("sightline: " + e.getMessage());
            return 1;
        }
        if (httpPort != null && (httpPort < 0 || httpPort > 65_535)) {
            System.err.println("sightline: --http-port must be between 0 and 65535, got " + httpPort);
            return 2;
        }
        SightlineServer.Settings settings = settings(cfg);
        BuildInfo b = BuildInfo.current();
        LOG.info("starting Sightline " + b.version() + " (revision " + b.revision() + "), data dir "
                + dataDir.toAbsolutePath() + (config == null ? "" : ", config " + config));

        // SIGTERM and Ctrl-C shut down in order and end with exit code 0, as Prometheus does; the JVM's default
        // handling would run the hooks but exit 143/130. Installed before starting, so a signal that arrives while
        // the server starts is not lost: whichever of this thread and the handler comes second does the close.
        AtomicBoolean stopRequested = new AtomicBoolean();
        AtomicReference<SightlineServer> running = new AtomicReference<>();
        for (String name : new String[] {"TERM", "INT"}) {
            Signals.handle(name, () -> {
                stopRequested.set(true);
                SightlineServer s = running.get();
                if (s != null) {
                    Thread.ofPlatform().name("sightline-shutdown").start(s::close);
                }
            });
        }
        SightlineServer server;
        try {
            server = SightlineServer.start(settings);
        } catch (IOException e) {
            System.err.println("sightline: " + e.getMessage());
            return 1;
        }
        running.set(server);
        // The hook covers every other way the JVM ends (System.exit elsewhere; SIGHUP without --config, which
        // with --config reloads the configuration instead, as in Prometheus).
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "sightline-shutdown-hook"));
        if (stopRequested.get()) {
            server.close();
        }
        try {
            server.storage().get();
        } catch (ExecutionException e) {
            server.close();
            return 1;
        }
        server.closed().join();
        return 0;
    }

    /** Flags win over the configuration file. */
    SightlineServer.Settings settings(SightlineConfig cfg) {
        int port = httpPort != null ? httpPort : cfg.server().httpPort();
        String host = listenAddress != null ? listenAddress : cfg.server().listenAddress();
        return new SightlineServer.Settings(dataDir, host, port, cfg, config, webConfigFile);
    }
}
