package dev.sightline.server.drill;

import dev.sightline.demo.Replay;
import dev.sightline.demo.ServerFiles;
import dev.sightline.demo.sim.IncidentSchedule;
import dev.sightline.rules.Alert;
import dev.sightline.rules.AlertState;
import dev.sightline.rules.AlertingRule;
import dev.sightline.rules.Rule;
import dev.sightline.rules.RuleGroup;
import dev.sightline.rules.RuleManager;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Runs one drill: a fresh server of its own (temporary data directory, the demo configuration, rules and product
 * cache canary) whose rule schedule is stopped and whose canaries and journeys run on the drill's {@link DrillClock},
 * history backfilled over OTLP, the synthetics run through their warm-up, then the company with the drill's incident
 * replayed one evaluation interval at a time: step the clock (the canary rounds due run, at their simulated times),
 * send the step's metrics, evaluate every group at its time of the step ({@link #evaluationTime}), note which alerts
 * fire. Alert state (pending for {@code for:}, firing) follows the simulated time; notifications go through the
 * server's real alerting, so the halt webhook is called as in the demo.
 */
public final class DrillRunner {
    static final long SEED = 17;
    /** How long (wall time) to wait for the halt webhook after an alert labelled action="halt" fires. */
    private static final long HALT_WAIT_MILLIS = 5_000;
    /** Where the drill's own rule files go, relative to the demo configuration's folder. */
    private static final String DRILL_RULES = "../rules/drill";

    /** The first time each alert fired, and each halt, in simulated Unix milliseconds. */
    public record Outcome(DrillSpec spec, boolean passed, long incidentStartMillis, Map<String, Long> firstFired,
                          Map<String, Long> halted, List<String> findings, long historyPoints, long wallMillis) {
    }

    private DrillRunner() {
    }

    public static Outcome run(DrillSpec spec) throws IOException, InterruptedException, ConfigException {
        long wall0 = System.currentTimeMillis();
        Path dir = Files.createTempDirectory("sightline-drill-" + spec.name() + "-");
        try {
            return run(spec, dir, wall0);
        } finally {
            deleteTree(dir);
        }
    }

    private static Outcome run(DrillSpec spec, Path dir, long wall0) throws IOException, InterruptedException, ConfigException {
        // The replay starts now and runs ahead of the wall clock: alerts it sends are then current for the
        // server's dispatcher, and the history lies before it as in the demo.
        long start = wall0 - Math.floorMod(wall0, 60_000) + 60_000;
        long incidentStart = incidentStart(spec, start);
        // The synthetics start (their first round) at the clock's start: the warm-up before the replay.
        DrillClock clock = new DrillClock(start - spec.syntheticsWarmup().toMillis());
        try (Replay replay = replay(spec, start, clock)) {
            Path configFile = withRuleFiles(ServerFiles.write(dir, replay.haltUrl(), replay.cacheUrl()), spec.ruleFiles());
            SightlineConfig cfg = new ConfigLoader().load(configFile);
            try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(
                    dir.resolve("data"), "127.0.0.1", 0, cfg, configFile, null, clock))) {
                server.storage().get();
                RuleManager rules = awaitRules(server);
                rules.stopSchedule();
                replay.connect(URI.create("http://127.0.0.1:" + server.httpPort()), start - spec.history().toMillis());
                long historyPoints = replay.sendUntil(start, Duration.ofMinutes(1), false);
                clock.advanceTo(start);
                long step = cfg.global().evaluationInterval().toMillis();
                Map<String, Long> fired = new LinkedHashMap<>();
                Map<RuleGroup, Long> evaluated = new HashMap<>();
                Map<String, String> errors = new LinkedHashMap<>();
                for (long t = start + step; t <= start + spec.duration().toMillis(); t += step) {
                    clock.advanceTo(t);
                    replay.sendUntil(t, Duration.ofMillis(step), true);
                    server.canaries().flush();
                    boolean haltAsked = false;
                    for (RuleGroup g : rules.groups()) {
                        long ts = evaluationTime(g, dir, t);
                        if (ts > evaluated.getOrDefault(g, Long.MIN_VALUE)) {
                            rules.evaluate(g, ts);
                            evaluated.put(g, ts);
                            g.rules().stream().filter(r -> "err".equals(r.health()))
                                    .forEach(r -> errors.putIfAbsent(r.config().name(), r.lastError()));
                        }
                        for (Alert a : firing(g)) {
                            if (fired.putIfAbsent(a.labels().get("alertname"), t) == null) {
                                haltAsked |= "halt".equals(a.labels().get("action"));
                            }
                        }
                    }
                    if (haltAsked) {
                        awaitHalt(replay);
                    }
                    if (done(spec, fired, replay.haltedAt(), incidentStart)) {
                        break;
                    }
                }
                return judge(spec, incidentStart, fired, replay.haltedAt(), errors, historyPoints,
                        System.currentTimeMillis() - wall0);
            } catch (ExecutionException e) {
                throw new IOException("storage did not open: " + e.getCause(), e);
            }
        }
    }

    /**
     * When group {@code g} evaluates at step {@code t}: the latest time of its schedule at or before {@code t}, the
     * groups spread over the interval as on a server, but with each group's phase hashed from its rule file's path
     * inside the drill's folder {@code dir} instead of the absolute path. That path holds a random temporary folder:
     * the phases, and with them detection times, would change from run to run.
     */
    static long evaluationTime(RuleGroup g, Path dir, long t) {
        Path file = Path.of(g.file()).toAbsolutePath().normalize();
        String key = dir.toAbsolutePath().normalize().relativize(file) + ";" + g.name();
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        long phase = crc.getValue() % g.intervalMs();
        return t - Math.floorMod(t - phase, g.intervalMs());
    }

    private static long incidentStart(DrillSpec spec, long start) {
        return spec.incident() == null ? -1 : start + spec.incident().start().toMillis();
    }

    /**
     * The company and the drill's signals for a replay starting at {@code start}, incident included, on {@code clock}.
     * Their rhythms and noise are shifted so that {@code start} is the spec's {@code at} in the company's week: what
     * they send depends on the spec and the seed, not on the wall clock; timestamps, incident and halts stay on
     * {@code clock}, so alerts are current for the server.
     */
    static Replay replay(DrillSpec spec, long start, DrillClock clock) throws IOException {
        long incidentStart = incidentStart(spec, start);
        IncidentSchedule schedule = spec.incident() == null || spec.incident().kind() == null ? IncidentSchedule.NONE
                : IncidentSchedule.single(spec.incident().kind(), incidentStart, spec.incident().length());
        DrillSpec.SignalFault fault = spec.incident() == null ? null : spec.incident().fault();
        long shift = spec.at().shiftFrom(start);
        Replay replay = new Replay(SEED, schedule, clock, shift);
        replay.alsoSend(new DrillSignals(SEED, spec.signals(), fault, incidentStart,
                fault == null ? -1 : incidentStart + spec.incident().length().toMillis(), shift));
        return replay;
    }

    /** The drill's own rule files, copied next to the demo's and added to the configuration's rule_files. */
    private static Path withRuleFiles(Path configFile, List<Path> ruleFiles) throws IOException {
        if (ruleFiles.isEmpty()) {
            return configFile;
        }
        Path to = configFile.getParent().resolve(DRILL_RULES);
        Files.createDirectories(to);
        for (int i = 0; i < ruleFiles.size(); i++) {
            // Numbered: two globs may match files of the same name in different folders.
            Files.copy(ruleFiles.get(i), to.resolve(i + "-" + ruleFiles.get(i).getFileName()));
        }
        String config = Files.readString(configFile);
        String amended = config.replaceFirst("(?m)^rule_files:\\n", "rule_files:\n  - " + DRILL_RULES + "/*.yml\n");
        if (amended.equals(config)) {
            throw new IOException(configFile + " has no rule_files list to add the drill's rule files to");
        }
        Files.writeString(configFile, amended);
        return configFile;
    }

    /** The server starts its rules just after its storage opens, on the storage's thread. */
    private static RuleManager awaitRules(SightlineServer server) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (server.rules().manager() == null) {
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("the server's rules did not start within 30 s (see its log)");
            }
            Thread.sleep(10);
        }
        return server.rules().manager();
    }

    private static List<Alert> firing(RuleGroup g) {
        List<Alert> out = new ArrayList<>();
        for (Rule r : g.rules()) {
            if (r instanceof AlertingRule a) {
                a.alerts().stream().filter(x -> x.state() == AlertState.FIRING).forEach(out::add);
            }
        }
        return out;
    }

    /** The webhook is called by the dispatcher on its own thread; the simulated clock waits for it. */
    private static void awaitHalt(Replay replay) throws InterruptedException {
        int before = replay.haltedAt().size();
        long deadline = System.currentTimeMillis() + HALT_WAIT_MILLIS;
        while (replay.haltedAt().size() == before && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Stop early when nothing is left to learn: every expectation met and nothing forbidden to watch for. */
    private static boolean done(DrillSpec spec, Map<String, Long> fired, Map<String, Long> halted, long incidentStart) {
        return !spec.expect().isEmpty() && spec.forbid().isEmpty()
                && spec.expect().stream().allMatch(e -> detectedAt(e, fired, halted, incidentStart) >= 0);
    }

    private static long detectedAt(DrillSpec.Expect e, Map<String, Long> fired, Map<String, Long> halted, long incidentStart) {
        Long at = e.alert() != null ? fired.get(e.alert()) : halted.get(e.halt());
        return at == null || at < incidentStart ? -1 : at;
    }

    /**
     * Pass or fail, with what was seen. A rule that failed to evaluate fails the drill: its silence would otherwise
     * pass a quiet replay for the wrong reason.
     */
    static Outcome judge(DrillSpec spec, long incidentStart, Map<String, Long> fired, Map<String, Long> halted,
                         Map<String, String> ruleErrors, long historyPoints, long wallMillis) {
        List<String> findings = new ArrayList<>();
        boolean passed = ruleErrors.isEmpty();
        ruleErrors.forEach((rule, error) -> findings.add("rule " + rule + " failed: " + error));
        for (DrillSpec.Expect e : spec.expect()) {
            long at = detectedAt(e, fired, halted, incidentStart);
            if (at < 0) {
                findings.add(e.what() + " not seen (needed within " + human(e.within()) + ")");
                passed = false;
            } else {
                Duration ttd = Duration.ofMillis(at - incidentStart);
                boolean inTime = ttd.compareTo(e.within()) <= 0;
                passed &= inTime;
                findings.add(e.what() + " after " + human(ttd) + (inTime ? " (within " : " (LATE: needed within ")
                        + human(e.within()) + ")");
            }
        }
        List<String> pages = fired.keySet().stream()
                .filter(a -> spec.forbid().contains(DrillSpec.ANY) || spec.forbid().contains(a))
                .sorted(Comparator.naturalOrder()).toList();
        if (!pages.isEmpty()) {
            passed = false;
            findings.add("false pages: " + String.join(", ", pages));
        } else if (!spec.forbid().isEmpty()) {
            findings.add("no false page");
        }
        return new Outcome(spec, passed, incidentStart, Map.copyOf(fired), Map.copyOf(halted), List.copyOf(findings), historyPoints,
                wallMillis);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0 && s > 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
