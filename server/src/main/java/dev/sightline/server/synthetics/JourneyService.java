package dev.sightline.server.synthetics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.SpanKind;
import dev.sightline.logs.LogStore;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.JourneysConfig;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.rules.RulesService;
import dev.sightline.synthetics.SyntheticClock;
import dev.sightline.synthetics.http.Timings;
import dev.sightline.synthetics.journey.Journey;
import dev.sightline.synthetics.journey.JourneyException;
import dev.sightline.synthetics.journey.JourneyMetrics;
import dev.sightline.synthetics.journey.JourneyParser;
import dev.sightline.synthetics.journey.JourneyRun;
import dev.sightline.synthetics.journey.JourneyRunner;
import dev.sightline.synthetics.journey.JourneyScheduler;
import dev.sightline.synthetics.journey.YamlNode;
import dev.sightline.synthetics.probe.BlackboxConfig;
import dev.sightline.synthetics.probe.Prober;
import dev.sightline.traces.SpanStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server's side of journeys and /probe: reads {@code journeys:} (files by glob relative to the configuration
 * file, and inline ones) and the blackbox_exporter modules, runs the journeys on their schedules once storage is open,
 * and writes every run as samples (through the metric store's Appender), as a trace with a span per step (the span
 * store) and as a log line per failed step (the log store). A reload with a bad journey keeps the old ones running.
 */
public final class JourneyService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JourneyService.class.getName());
    /** What /probe knows when no blackbox configuration file is named: blackbox_exporter's two basic modules. */
    private static final String DEFAULT_MODULES = "modules: {http_2xx: {prober: http}, tcp_connect: {prober: tcp}}";

    private record RunTrace(JourneyRun run, String traceId) {
    }

    /** What one configuration yields: the journeys and the probe modules. */
    public record Loaded(List<Journey> journeys, BlackboxConfig blackbox) {
    }

    private final Path configFile;
    private final SyntheticsTelemetry telemetry;
    /** Each journey's last traced run, for the UI's link to its trace. */
    private final Map<String, RunTrace> lastTraces = new ConcurrentHashMap<>();
    private final JourneyScheduler scheduler;
    private volatile Loaded loaded;
    private volatile Supplier<Appender> appenders;

    /**
     * Reads the journeys of {@code config} at once, so a bad one stops the server from starting; they run on
     * {@code clock}'s time and schedule (the wall clock; a drill's simulated one).
     */
    public JourneyService(Path configFile, SightlineConfig config, SyntheticClock clock, Supplier<SpanStore> spans,
                          Supplier<LogStore> logs) throws ConfigException {
        this.configFile = configFile;
        this.telemetry = new SyntheticsTelemetry(SyntheticsTelemetry.JOURNEYS, spans, logs);
        this.loaded = load(configFile, config);
        this.scheduler = new JourneyScheduler(JourneyRunner.on(clock), this::completed, clock);
    }

    /** Reads every journey and the probe modules; the first problem is an error at FILE:LINE:COL. */
    public static Loaded load(Path configFile, SightlineConfig config) throws ConfigException {
        JourneysConfig jc = config.journeys();
        Path base = configFile == null ? Path.of("").toAbsolutePath() : configFile.toAbsolutePath().getParent();
        try {
            List<Journey> journeys = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (String glob : jc.files()) {
                List<Path> files;
                try {
                    files = RulesService.expand(base, glob);
                } catch (IOException e) {
                    throw new ConfigException(configFile == null ? "journeys.files" : configFile.toString(),
                            "journeys.files: " + glob + ": " + e.getMessage(), e);
                }
                for (Path f : files) {
                    journeys.add(JourneyParser.parseFile(f, names));
                }
            }
            if (jc.inline() != null) {
                journeys.addAll(JourneyParser.parseList(inlineNode(configFile, jc), base, names));
            }
            BlackboxConfig blackbox = jc.blackboxConfigFile() == null
                    ? BlackboxConfig.parse(YamlNode.parse("(default modules)", DEFAULT_MODULES.getBytes(StandardCharsets.UTF_8)), base)
                    : BlackboxConfig.load(base.resolve(jc.blackboxConfigFile()));
            return new Loaded(List.copyOf(journeys), blackbox);
        } catch (JourneyException e) {
            throw e.line() > 0 ? new ConfigException(e.file(), e.line(), e.column(), e.detail())
                    : new ConfigException(e.file(), e.detail(), e);
        } catch (IOException e) {
            throw new ConfigException(String.valueOf(configFile), "cannot read journeys: " + e.getMessage(), e);
        }
    }

    /**
     * The inline list with positions: from the configuration file itself when there is one, so an error points into
     * sightline.yml; otherwise from the parsed section written back as YAML.
     */
    private static YamlNode inlineNode(Path configFile, JourneysConfig jc) throws JourneyException, IOException {
        if (configFile != null) {
            YamlNode root = YamlNode.parse(configFile.toString(), Files.readAllBytes(configFile));
            if (root != null && root.get("journeys") != null && root.get("journeys").get("inline") != null) {
                return root.get("journeys").get("inline");
            }
        }
        try {
            byte[] yaml = new ObjectMapper(new YAMLFactory()).writeValueAsBytes(jc.inline());
            return YamlNode.parse("journeys.inline", yaml);
        } catch (JsonProcessingException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Starts the schedules, writing samples through the appenders it is given (storage is open). */
    public void start(Supplier<Appender> appenders) {
        this.appenders = appenders;
        scheduler.apply(loaded.journeys());
        LOG.info("running " + loaded.journeys().size() + " journeys");
    }

    /** Applies a reloaded configuration; throws (keeping the running journeys) if a journey or module is invalid. */
    public void reload(SightlineConfig next) throws ConfigException {
        Loaded l = load(configFile, next);
        loaded = l;
        if (appenders != null) {
            scheduler.apply(l.journeys());
        }
    }

    public List<Journey> journeys() {
        return loaded.journeys();
    }

    /** The scheduler (its last runs); tests run a journey now through it. */
    public JourneyScheduler scheduler() {
        return scheduler;
    }

    private void completed(Journey journey, JourneyRun run, int streak) {
        Supplier<Appender> a = appenders;
        if (a != null) {
            try {
                JourneyMetrics.write(run, streak, journey.alertAfter(), a.get());
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "journey " + journey.name() + ": cannot write its metrics: " + e.getMessage(), e);
            }
        }
        SyntheticsTelemetry.Trace trace = telemetry.trace();
        long root = trace.span(0, "journey " + run.journey(), SpanKind.INTERNAL, run.startMs(), run.endMs(),
                new Attributes.Builder().addString("journey", run.journey())
                        .addString("journey.status", run.status().name().toLowerCase(Locale.ROOT)).build(),
                run.status() == JourneyRun.Status.FAILED ? "step " + run.firstFailure().name() + " failed" : null);
        for (JourneyRun.StepResult s : run.steps()) {
            if (s.status() == JourneyRun.Status.SKIPPED) {
                continue;
            }
            Attributes.Builder attrs = new Attributes.Builder().addString("journey", run.journey())
                    .addString("journey.step", s.name()).addString("journey.step.status", s.status().name().toLowerCase(Locale.ROOT))
                    .addBool("journey.step.cleanup", s.cleanup()).addLong("journey.step.attempts", s.attempts())
                    .addString("http.request.method", s.method()).addString("url.full", s.url());
            if (s.httpStatus() > 0) {
                attrs.addLong("http.response.status_code", s.httpStatus());
            }
            Timings t = s.timings();
            if (t != null) {
                for (int i = 0; i < Timings.PHASES.length - 1; i++) {
                    if (t.phase(i) >= 0) {
                        attrs.addDouble("journey.phase." + Timings.PHASES[i] + "_seconds", t.phase(i) / 1e9);
                    }
                }
            }
            if (s.assertion() != null) {
                attrs.addString("journey.assertion", s.assertion());
            }
            boolean stepFailed = s.status() == JourneyRun.Status.FAILED;
            trace.span(root, s.name(), SpanKind.CLIENT, s.startMs(), s.endMs(), attrs.build(), stepFailed ? s.failure() : null);
            if (stepFailed) {
                trace.failure("journey", run.journey(), s.endMs(), "journey", run.journey(), "step", s.name(),
                        "status", "failed", "method", s.method(), "url", s.url(),
                        "http_status", s.httpStatus() > 0 ? Integer.toString(s.httpStatus()) : null,
                        "assertion", s.assertion(), "failure", s.failure(), "attempts", Integer.toString(s.attempts()),
                        "excerpt", s.excerpt());
            }
        }
        if (trace.write("journey " + run.journey())) {
            lastTraces.put(run.journey(), new RunTrace(run, trace.id()));
        }
    }

    public void register(HttpApi api) {
        api.get("/api/v1/journeys", this::journeysEndpoint);
        api.get("/probe", this::probeEndpoint);
    }

    private void journeysEndpoint(RoutingContext ctx) {
        JsonArray out = new JsonArray();
        for (Journey j : loaded.journeys()) {
            JsonObject o = new JsonObject().put("name", j.name()).put("source", j.source())
                    .put("interval", j.interval().toMillis() / 1000.0).put("alertAfter", j.alertAfter());
            JourneyScheduler.LastRun last = scheduler.lastRun(j.name());
            if (last != null) {
                RunTrace traced = lastTraces.get(j.name());
                // The trace is written after the scheduler has the run: name it only once it is this run's. Until
                // then lastTraceId names the run before's, so a page loaded in between still links to a trace.
                o.put("consecutiveFailures", last.consecutiveFailures()).put("lastRun", runJson(last.run())
                        .put("traceId", traced != null && traced.run() == last.run() ? traced.traceId() : null));
                o.put("lastTraceId", traced == null ? null : traced.traceId());
            }
            out.add(o);
        }
        HttpApi.respond(ctx, 200, "application/json",
                new JsonObject().put("status", "success").put("data", out).toBuffer());
    }

    static JsonObject runJson(JourneyRun run) {
        JsonArray steps = new JsonArray();
        for (JourneyRun.StepResult s : run.steps()) {
            JsonObject step = new JsonObject().put("name", s.name()).put("cleanup", s.cleanup())
                    .put("status", s.status().name().toLowerCase(Locale.ROOT)).put("attempts", s.attempts())
                    .put("method", s.method()).put("url", s.url())
                    .put("start", Instant.ofEpochMilli(s.startMs()).toString())
                    .put("durationSeconds", (s.endMs() - s.startMs()) / 1000.0);
            if (s.httpStatus() > 0) {
                step.put("httpStatus", s.httpStatus());
            }
            if (s.timings() != null) {
                JsonObject phases = new JsonObject();
                for (int i = 0; i < Timings.PHASES.length; i++) {
                    if (s.timings().phase(i) >= 0) {
                        phases.put(Timings.PHASES[i], s.timings().phase(i) / 1e9);
                    }
                }
                step.put("phases", phases);
            }
            if (s.failure() != null) {
                step.put("failure", s.failure());
            }
            if (s.assertion() != null) {
                step.put("assertion", s.assertion());
            }
            if (s.excerpt() != null && s.status() == JourneyRun.Status.FAILED) {
                step.put("excerpt", s.excerpt());
            }
            steps.add(step);
        }
        return new JsonObject().put("status", run.status().name().toLowerCase(Locale.ROOT))
                .put("start", Instant.ofEpochMilli(run.startMs()).toString())
                .put("durationSeconds", (run.endMs() - run.startMs()) / 1000.0)
                .put("passed", run.passed()).put("failed", run.failed()).put("steps", steps);
    }

    /** blackbox_exporter's /probe: 400 with its texts for a missing target or an unknown module. */
    private void probeEndpoint(RoutingContext ctx) {
        String target = ctx.request().getParam("target");
        String moduleName = ctx.request().getParam("module", "http_2xx");
        if (target == null || target.isEmpty()) {
            HttpApi.respond(ctx, 400, "text/plain; charset=utf-8", Buffer.buffer("Target parameter is missing\n"));
            return;
        }
        BlackboxConfig.Module module = loaded.blackbox().modules().get(moduleName);
        if (module == null) {
            HttpApi.respond(ctx, 400, "text/plain; charset=utf-8",
                    Buffer.buffer("Unknown module \"" + moduleName + "\"\n"));
            return;
        }
        Duration scrapeTimeout = null;
        String header = ctx.request().getHeader("X-Prometheus-Scrape-Timeout-Seconds");
        if (header != null) {
            try {
                scrapeTimeout = Duration.ofNanos((long) (Double.parseDouble(header) * 1e9));
            } catch (NumberFormatException e) {
                HttpApi.respond(ctx, 400, "text/plain; charset=utf-8",
                        Buffer.buffer("Failed to parse timeout from Prometheus header: " + header + "\n"));
                return;
            }
        }
        Duration timeout = scrapeTimeout;
        // The probe blocks on the network: a worker thread, never the event loop.
        ctx.vertx().executeBlocking(() -> Prober.probe(module, target, timeout), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            HttpApi.respond(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", Buffer.buffer(ar.result()));
        });
    }

    @Override
    public void close() {
        scheduler.close();
    }
}
