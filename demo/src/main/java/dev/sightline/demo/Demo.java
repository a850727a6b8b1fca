package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.Incident;
import dev.sightline.demo.sim.IncidentKind;
import dev.sightline.demo.sim.IncidentSchedule;
import dev.sightline.demo.sim.SimClock;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The simulated company, running against a Sightline server: backfills a quiet week once, then sends live metrics,
 * traces and logs every tick, runs the incidents on their schedule, serves the halt webhook, and prints each
 * incident's start and the alert that caught it.
 */
public final class Demo implements AutoCloseable {
    /** Marker in the state directory: the backfill is done, a restart does not send it again. */
    static final String BACKFILL_MARKER = "demo-backfill.done";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final Duration POLL = Duration.ofSeconds(2);

    /**
     * @param stateDir      where the backfill marker is kept
     * @param webhookHost   address the halt webhook listens on
     * @param webhookPort   its port (0: any free one)
     * @param cachePort     port of the product cache's primary and replicas, for the freshness canary (0: any free one)
     * @param history       how much history to backfill (zero: none)
     * @param incidentDelay when the first incident starts, after the live run begins
     * @param incidentLength how long each incident lasts
     * @param incidentGap   quiet time between incidents
     * @param tick          simulation step
     * @param exportInterval how often the SDKs export metrics
     * @param incidents     the incidents in the order they take turns
     */
    public record Options(long seed, Path stateDir, String webhookHost, int webhookPort, int cachePort,
                          Duration history, Duration incidentDelay, Duration incidentLength, Duration incidentGap,
                          Duration tick, Duration exportInterval, List<IncidentKind> incidents) {
        public static final int DEFAULT_WEBHOOK_PORT = 9798;
        public static final int DEFAULT_CACHE_PORT = 9799;

        public static Options defaults(Path stateDir) {
            return new Options(17, stateDir, "127.0.0.1", DEFAULT_WEBHOOK_PORT, DEFAULT_CACHE_PORT, Duration.ofDays(7),
                    Duration.ofSeconds(90), Duration.ofMinutes(8), Duration.ofMinutes(4), Duration.ofSeconds(1),
                    Duration.ofSeconds(10), List.of(IncidentKind.values()));
        }
    }

    /** An incident and an alert that caught it, when it was seen. */
    public record Detection(Incident incident, String alert, String summary, long alertedMillis) {
    }

    private final Options options;
    private final PrintStream out;
    private final SimClock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Incident> started = new CopyOnWriteArrayList<>();
    private final List<Detection> detections = new CopyOnWriteArrayList<>();
    private final HaltWebhook webhook;
    private final CacheReplicas cache;
    private volatile Company company; // read by the cache's HTTP threads
    private Telemetry telemetry;
    private Thread ticker;
    private Thread watcher;
    private URI target;
    private URI ui;
    private volatile boolean stopping;

    private Demo(Options options, PrintStream out, SimClock clock) throws IOException {
        this.options = options;
        this.out = out;
        this.clock = clock;
        this.webhook = new HaltWebhook(options.webhookHost(), options.webhookPort(), this::halt);
        try {
            this.cache = new CacheReplicas(options.webhookHost(), options.cachePort(), clock, this::replicaAppliedUntil,
                    new CompanyApi(clock, () -> company));
        } catch (IOException | RuntimeException e) {
            webhook.close();
            throw e;
        }
    }

    /** Where the product cache is served: POST {@code <url>primary}, GET {@code <url><replica>}. */
    public URI cacheUrl() {
        return URI.create("http://" + options.webhookHost() + ":" + cache.port() + CacheReplicas.PATH);
    }

    private long replicaAppliedUntil(int region, int replica, long t) {
        Company c = company;
        return c == null ? t : c.replicaAppliedUntil(region, replica, t);
    }

    /** The halt webhook's URL, as the server's Alertmanager configuration must name it. */
    public URI haltUrl() {
        return URI.create("http://" + options.webhookHost() + ":" + webhook.port() + HaltWebhook.PATH);
    }

    /** Opens the halt webhook and the product cache; {@link #run} then backfills and starts the company. */
    public static Demo open(Options options, PrintStream out, SimClock clock) throws IOException {
        return new Demo(options, out, clock);
    }

    /**
     * Backfills (once per state directory) and starts the company's threads against the server at {@code target}
     * (OTLP/HTTP and the HTTP APIs); links printed start with {@code ui}. Returns after the backfill.
     */
    public void run(URI target, URI ui) throws IOException, InterruptedException {
        this.target = target;
        this.ui = ui;
        backfillOnce();
        long now = clock.millis();
        company = new Company(options.seed(), new IncidentSchedule(now + options.incidentDelay().toMillis(),
                options.incidentLength(), options.incidentGap(), options.incidents()));
        telemetry = new Telemetry(target, List.of(Company.TRADING, Company.ORDERS, Company.PAYMENTS,
                Company.CACHE, Company.PRICER, Company.RIDER_APP, Company.DRIVER_APP), options.exportInterval(), clock);
        Traffic traffic = new Traffic(telemetry, company, options.seed());
        say("COMPANY", "live: 7 services send metrics, traces and logs to " + target
                + "; first incident at " + time(now + options.incidentDelay().toMillis())
                + " (" + options.incidents().get(0).title() + ")");
        ticker = Thread.ofPlatform().name("demo-company").daemon().start(() -> tickLoop(traffic));
        watcher = Thread.ofPlatform().name("demo-alerts").daemon().start(this::watchLoop);
    }

    private void backfillOnce() throws IOException, InterruptedException {
        if (options.history().isZero()) {
            return;
        }
        Path marker = options.stateDir().resolve(BACKFILL_MARKER);
        if (Files.exists(marker)) {
            say("HISTORY", "already backfilled (" + marker + "; delete it to send the week again)");
            return;
        }
        long to = clock.millis();
        long from = to - options.history().toMillis();
        say("HISTORY", "backfilling " + human(options.history()) + " of quiet history over OTLP ...");
        long t0 = System.nanoTime();
        Backfill.Result r = Backfill.run(http, target,
                new Company(options.seed(), IncidentSchedule.NONE), from, to);
        Files.createDirectories(options.stateDir());
        Files.writeString(marker, "seed " + options.seed() + ", " + Instant.ofEpochMilli(from) + " to "
                + Instant.ofEpochMilli(to) + ", " + r.points() + " points, " + r.rejected() + " rejected\n");
        say("HISTORY", r.points() + " points sent in " + (System.nanoTime() - t0) / 1_000_000_000 + " s"
                + (r.rejected() > 0 ? ", " + r.rejected() + " REJECTED by the server (see its log)" : ""));
    }

    private void tickLoop(Traffic traffic) {
        long step = options.tick().toMillis();
        long t = Math.floorDiv(clock.millis(), step) * step;
        int lastNumber = 0;
        try {
            while (!stopping) {
                t += step;
                clock.sleepUntil(t);
                Optional<Incident> incident = company.schedule().at(t);
                if (incident.isPresent() && incident.get().number() > lastNumber) {
                    Incident i = incident.get();
                    lastNumber = i.number();
                    started.add(i);
                    say("INCIDENT", "#" + i.number() + " " + i.kind().title() + ": " + i.kind().description());
                }
                company.step(t, step, telemetry, true);
                traffic.tick(t, step);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            say("ERROR", "the company stopped: " + e);
        }
    }

    private void watchLoop() {
        AlertWatcher alerts = new AlertWatcher(http, target);
        Set<String> printed = new HashSet<>();
        String lastError = null;
        try {
            while (!stopping) {
                clock.sleepUntil(clock.millis() + POLL.toMillis());
                List<AlertWatcher.Alert> firing;
                try {
                    firing = alerts.firing();
                    lastError = null;
                } catch (IOException e) {
                    if (!e.toString().equals(lastError)) {
                        say("WARN", "cannot read alerts: " + e);
                        lastError = e.toString();
                    }
                    continue;
                }
                report(alerts, firing, printed, clock.millis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Prints each alert of an incident the first time it is seen firing (the first "caught" it, the others "also
     * caught" it), and alerts on canaries and journeys that catch no incident once per firing.
     */
    private void report(AlertWatcher alerts, List<AlertWatcher.Alert> firing, Set<String> printed, long now) {
        Set<AlertWatcher.Alert> ofIncidents = new HashSet<>();
        for (Incident i : started) {
            for (AlertWatcher.Alert a : AlertWatcher.matching(i, firing)) {
                ofIncidents.add(a);
                if (!printed.add("#" + i.number() + " " + a.name())) {
                    continue;
                }
                boolean first = detections.stream().noneMatch(d -> d.incident().equals(i));
                detections.add(new Detection(i, a.name(), a.summary(), now));
                say("ALERT", a.title() + (first ? " caught #" : " also caught #") + i.number() + " " + i.kind().title()
                        + " " + (now - i.startMillis()) / 1000 + " s after it began: " + a.summary());
                say("", "see " + link(a.name()));
                if (first) {
                    try {
                        alerts.recordCaught(i, now);
                    } catch (IOException e) {
                        say("WARN", "cannot record the caught incident as a drill of " + i.kind().services() + ": " + e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
        for (AlertWatcher.Alert a : firing) {
            if (!a.synthetic().isEmpty() && !ofIncidents.contains(a) && printed.add(a.labels() + " " + a.activeAt())) {
                say("ALERT", a.title() + " firing: " + a.summary());
                say("", "see " + link(a.name()));
            }
        }
    }

    private void halt(JsonNode alert) {
        String strategy = alert.path("labels").path("strategy").asText("");
        if (strategy.isEmpty() || company == null) {
            return;
        }
        try {
            if (company.halt(strategy, clock.millis())) {
                say("ACTION", "halt webhook called by " + alert.path("labels").path("alertname").asText()
                        + ": strategy " + strategy + " halted");
            }
        } catch (IllegalArgumentException e) {
            say("WARN", "halt webhook: " + e.getMessage());
        }
    }

    /** The UI page for an alert. */
    public String link(String alertName) {
        return ui.toString().replaceAll("/+$", "") + "/alerts?alert="
                + URLEncoder.encode(alertName, StandardCharsets.UTF_8);
    }

    /** The alerts that caught incidents so far, in the order they were seen. */
    public List<Detection> detections() {
        return List.copyOf(detections);
    }

    /** Whether the runaway strategy is halted now. */
    public boolean halted(String strategy) {
        return company != null && company.halted(strategy);
    }

    private void say(String what, String text) {
        synchronized (out) {
            out.printf("%s  %-8s  %s%n", what.isEmpty() ? "        " : time(clock.millis()), what, text);
            out.flush();
        }
    }

    private static String time(long millis) {
        return LocalTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS)
                .format(TIME);
    }

    private static String human(Duration d) {
        if (d.toDays() > 0 && d.toHours() % 24 == 0) {
            return d.toDays() + " days";
        }
        return d.toMinutes() % 60 == 0 ? d.toHours() + " hours" : d.toString();
    }

    /** Stops the company (its SDKs flush what they hold), the webhook and the cache. Idempotent. */
    @Override
    public synchronized void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        for (Thread t : new Thread[] {ticker, watcher}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (telemetry != null) {
            telemetry.close();
        }
        webhook.close();
        cache.close();
    }
}
