package dev.sightline.server;

import dev.sightline.core.text.PromDurations;
import dev.sightline.demo.Demo;
import dev.sightline.demo.ServerFiles;
import dev.sightline.demo.sim.IncidentKind;
import dev.sightline.demo.sim.SimClock;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * {@code sightline demo}: a server of its own (data directory, the demo configuration and rules) and a simulated
 * company sending it metrics, traces and logs, with the seed's incidents on a schedule; runs until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts Sightline with a simulated company (trading, orders and payments, a product cache,",
                "ride-hailing surge pricing) and the seed's incidents, and prints each incident and the alert that",
                "caught it. Open the printed address; Ctrl-C stops."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data-demo",
            description = "The demo server's data directory, relative to the current directory; also holds the demo's"
                    + " configuration and rules (DIR/demo, DIR/rules) and the backfill marker. Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "9797",
            description = "HTTP port of the demo server (0: any free port). Default: ${DEFAULT-VALUE}")
    int httpPort;

    @Option(names = "--target", paramLabel = "URL",
            description = "Send the company to an existing server instead of starting one (its rules and halt route"
                    + " must be loaded there: start it with --config examples/demo/sightline.yml).")
    URI target;

    @Option(names = "--seed", defaultValue = "17", description = "Seed of the simulation. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--incident-delay", paramLabel = "DURATION", defaultValue = "90s", converter = DurationConverter.class,
            description = "When the first incident starts. Default: ${DEFAULT-VALUE}")
    Duration incidentDelay;

    @Option(names = "--incident-length", paramLabel = "DURATION", defaultValue = "8m", converter = DurationConverter.class,
            description = "How long each incident lasts. Default: ${DEFAULT-VALUE}")
    Duration incidentLength;

    @Option(names = "--incident-gap", paramLabel = "DURATION", defaultValue = "4m", converter = DurationConverter.class,
            description = "Quiet time between incidents. Default: ${DEFAULT-VALUE}")
    Duration incidentGap;

    @Option(names = "--history", paramLabel = "DURATION", defaultValue = "7d", converter = DurationConverter.class,
            description = "History backfilled on the first start (0s: none). Default: ${DEFAULT-VALUE}")
    Duration history;

    @Option(names = "--webhook-port", paramLabel = "PORT", defaultValue = "9798",
            description = "Port of the demo's halt webhook (0: any free port). Default: ${DEFAULT-VALUE}")
    int webhookPort;

    @Option(names = "--cache-port", paramLabel = "PORT", defaultValue = "9799",
            description = "Port of the demo's product cache (its freshness canary's primary and replicas; 0: any free port). Default: ${DEFAULT-VALUE}")
    int cachePort;

    @Option(names = "--incidents", paramLabel = "KIND[,KIND...]", split = ",", converter = IncidentConverter.class,
            description = "The incidents that take turns, in this order (runaway-strategy, stale-cache, hidden-surge,"
                    + " saturated-pool, rider-driver-mismatch). Default: all of them, in that order.")
    List<IncidentKind> incidents;

    /** Where the console goes; tests replace it. */
    PrintStream out = System.out;
    /** Counted down to stop (Ctrl-C, SIGTERM, or a test). */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws InterruptedException {
        for (var port : new Object[][] {{"--http-port", httpPort}, {"--webhook-port", webhookPort}, {"--cache-port", cachePort}}) {
            int p = (Integer) port[1];
            if (p < 0 || p > 65_535) {
                System.err.println("sightline demo: " + port[0] + " must be between 0 and 65535, got " + p);
                return 2;
            }
        }
        for (String name : new String[] {"TERM", "INT"}) {
            Signals.handle(name, stop::countDown);
        }
        Path state = dataDir.toAbsolutePath();
        Demo.Options d = Demo.Options.defaults(state);
        Demo.Options options = new Demo.Options(seed, state, d.webhookHost(), webhookPort, cachePort, history, incidentDelay,
                incidentLength, incidentGap, d.tick(), d.exportInterval(), incidents == null ? d.incidents() : incidents);
        try (Demo demo = Demo.open(options, out, SimClock.SYSTEM)) {
            if (target != null) {
                out.println("Sightline UI: " + withSlash(target));
                out.println("The demo's rules and halt route must be loaded on that server: start it with");
                out.println("  ./sightline server --config examples/demo/sightline.yml");
                out.println("(rules: examples/rules/demo-*.yml; halt webhook: " + demo.haltUrl() + "; product cache: "
                        + demo.cacheUrl() + ")");
                return runUntilStopped(demo, target, target);
            }
            Path configFile = ServerFiles.write(state, demo.haltUrl(), demo.cacheUrl());
            SightlineConfig cfg = new ConfigLoader().load(configFile);
            try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(
                    dataDir, cfg.server().listenAddress(), httpPort, cfg, configFile))) {
                int port = server.httpPort();
                out.println("Sightline UI: http://localhost:" + port + "/");
                out.println("  (demo data in " + state + ", configuration " + configFile + ")");
                server.storage().get();
                return runUntilStopped(demo, URI.create("http://127.0.0.1:" + port), URI.create("http://localhost:" + port));
            }
        } catch (ConfigException | IOException e) {
            System.err.println("sightline demo: " + e.getMessage());
            return 1;
        } catch (ExecutionException e) {
            System.err.println("sightline demo: storage did not open: " + e.getCause());
            return 1;
        }
    }

    private int runUntilStopped(Demo demo, URI target, URI ui) throws IOException, InterruptedException {
        demo.run(target, ui);
        stop.await();
        out.println("stopping the demo");
        // Before the server: the SDKs' last export still has somewhere to go.
        demo.close();
        return 0;
    }

    private static String withSlash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? s : s + "/";
    }

    /** Incident kinds by their drill names (runaway-strategy, ...). */
    static final class IncidentConverter implements CommandLine.ITypeConverter<IncidentKind> {
        @Override
        public IncidentKind convert(String value) {
            try {
                return IncidentKind.byId(value.strip());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Prometheus durations (90s, 8m, 7d) for the options. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Duration.ofMillis(PromDurations.parseMillis(value));
            } catch (PromDurations.InvalidDuration e) {
                throw new CommandLine.TypeConversionException("invalid duration \"" + value + "\": " + e.explanation());
            }
        }
    }
}
