package dev.sightline.benchmarks.rules;

import com.sun.net.httpserver.HttpServer;
import dev.sightline.core.FileTrees;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Storage;
import dev.sightline.rules.RuleGroup;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rule evaluation cost: a server in this process with R alerting rules in G groups evaluated every 15 s, half of
 * them anomaly functions over 7-day lookbacks, on N series (N / (R/2) metrics' worth of series per rule), and a
 * webhook receiver. The history (7 days at the given resolution, a daily cycle plus noise) is written into blocks
 * before the server starts; a writer then appends the next point of every series at each resolution step.
 *
 * <p>Prints, per evaluation cycle, the groups' summed and largest evaluation time (what the rule manager spent on
 * the cycle, wall clock), the CPU time of the rule evaluation threads, the time the JVM's collectors report for the
 * cycle (stop-the-world pauses and concurrent work) and the process CPU time; then the alert latency: a sample that breaks a threshold is appended at a
 * random moment, and the time until its alert reaches the webhook is measured (it includes the wait for the
 * group's next scheduled evaluation, uniform over the interval).
 *
 * <pre>
 * --series N       series (default 10000)
 * --rules R        alerting rules (default 1000: R/2 thresholds and R/2 anomaly functions over [7d])
 * --groups G       rule groups (default 10)
 * --days D         history in days (default 7)
 * --resolution S   seconds between points of history (default 60: a 1-minute recording, as docs/anomaly.md advises)
 * --cycles C       evaluation cycles measured (default 4)
 * --interval S     evaluation interval in seconds (default 15)
 * --data-dir D     work directory (default: a temporary one, deleted afterwards)
 * </pre>
 */
public final class RuleEvalBenchmark {
    static final String[] ANOMALY = {
        "zscore_over_time(%s[7d]) > 6",
        "robust_zscore_over_time(%s[7d]) > 6",
        "seasonal_score(%s[7d], 86400) > 0.99994",
        "anomaly_score_over_time(%s[7d]) > 0.99994",
    };

    private RuleEvalBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int series = 10_000;
        int rules = 1000;
        int groups = 10;
        int days = 7;
        int resolutionS = 60;
        int cycles = 4;
        int intervalS = 15;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--series" -> series = Integer.parseInt(args[++i]);
                case "--rules" -> rules = Integer.parseInt(args[++i]);
                case "--groups" -> groups = Integer.parseInt(args[++i]);
                case "--days" -> days = Integer.parseInt(args[++i]);
                case "--resolution" -> resolutionS = Integer.parseInt(args[++i]);
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                case "--interval" -> intervalS = Integer.parseInt(args[++i]);
                case "--data-dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        boolean temporary = dir == null;
        if (temporary) {
            dir = Files.createTempDirectory("sightline-rule-bench");
        }
        int metrics = rules / 2;
        int perMetric = Math.max(1, series / metrics);
        long resolutionMs = resolutionS * 1000L;
        try {
            long now = System.currentTimeMillis() / resolutionMs * resolutionMs;
            long from = now - days * 86_400_000L;
            long t = System.nanoTime();
            long points;
            try (Tsdb tsdb = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults().withWalEnabled(false))) {
                points = write(tsdb, metrics, perMetric, from, now, resolutionMs);
                tsdb.flushHead();
                // Compacted now, as a server that has run for the week would have it: left to the server's
                // maintenance, compacting the week ran through the measured cycles and took their CPU and heap.
                tsdb.compactBlocks();
            }
            System.out.printf(Locale.ROOT, "history: %d series (%d metrics x %d) x %d d at %d s = %,d points, written, "
                    + "persisted and compacted in %.1f s%n", metrics * perMetric, metrics, perMetric, days, resolutionS,
                    points, (System.nanoTime() - t) / 1e9);

            Map<String, Long> webhookNanos = new ConcurrentHashMap<>();
            HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            hook.createContext("/", ex -> {
                long at = System.nanoTime();
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                var m = java.util.regex.Pattern.compile("\"alertname\":\"(Threshold_\\d+)\"").matcher(body);
                while (m.find()) {
                    webhookNanos.putIfAbsent(m.group(1), at);
                }
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
            hook.start();
            writeConfig(dir, rules, groups, metrics, intervalS, hook.getAddress().getPort());
            Path cfg = dir.resolve("sightline.yml");
            try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(dir.resolve("data"),
                    "127.0.0.1", 0, new ConfigLoader().load(cfg), cfg))) {
                Storage storage = server.storage().get();
                ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
                int fm = metrics;
                int fp = perMetric;
                long[] next = {now + resolutionMs};
                writer.scheduleAtFixedRate(() -> {
                    long ts = System.currentTimeMillis();
                    while (next[0] <= ts) {
                        try {
                            write(storage, fm, fp, next[0], next[0] + 1, resolutionMs);
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                        next[0] += resolutionMs;
                    }
                }, 0, 1, TimeUnit.SECONDS);
                measure(server, rules, cycles, intervalS, storage, webhookNanos, perMetric);
                writer.shutdownNow();
            } finally {
                hook.stop(0);
            }
        } finally {
            if (temporary) {
                FileTrees.deleteRecursively(dir);
            }
        }
    }

    static Labels labels(int metric, int instance) {
        return Labels.of("__name__", "bench_business_" + metric, "instance", "i-" + instance, "job", "bench");
    }

    /** Points of every series in [from, to): a daily cycle around 100 plus noise, seeded per series. */
    static long write(Storage storage, int metrics, int perMetric, long from, long to, long stepMs)
            throws IOException {
        long n = 0;
        for (int m = 0; m < metrics; m++) {
            Appender app = storage.appender();
            for (int i = 0; i < perMetric; i++) {
                Labels l = labels(m, i);
                SplittableRandom r = new SplittableRandom(((long) m << 20) ^ i ^ from);
                long ref = 0;
                for (long ts = from; ts < to; ts += stepMs) {
                    double v = 100 + 20 * Math.sin(2 * Math.PI * (ts % 86_400_000L) / 86_400_000.0)
                            + 3 * (r.nextDouble() - 0.5);
                    ref = app.append(ref, l, ts, v);
                    n++;
                }
            }
            app.commit();
        }
        return n;
    }

    private static void writeConfig(Path dir, int rules, int groups, int metrics, int intervalS, int hookPort)
            throws IOException {
        StringBuilder rf = new StringBuilder("groups:\n");
        for (int g = 0; g < groups; g++) {
            rf.append("  - name: bench-").append(g).append("\n    rules:\n");
            for (int m = g; m < metrics; m += groups) {
                String metric = "bench_business_" + m;
                rf.append("      - alert: Threshold_").append(m).append("\n        expr: ").append(metric)
                        .append(" > 1000\n");
                rf.append("      - alert: Anomaly_").append(m).append("\n        expr: '")
                        .append(String.format(Locale.ROOT, ANOMALY[m % ANOMALY.length], metric)).append("'\n");
            }
        }
        Files.writeString(dir.resolve("rules.yml"), rf);
        Files.writeString(dir.resolve("sightline.yml"), """
                global:
                  evaluation_interval: %ds
                rule_files: [rules.yml]
                alertmanager:
                  route:
                    receiver: hook
                    group_by: [alertname]
                    group_wait: 0s
                  receivers:
                    - name: hook
                      webhook_configs: [{url: 'http://127.0.0.1:%d/alert'}]
                """.formatted(intervalS, hookPort));
    }

    /** CPU time of the rule evaluation threads ({@code sightline-rules-*}) so far: the work, whatever the load. */
    private static long rulesCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("sightline-rules-")) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    /** Milliseconds the collectors report so far. */
    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /** The rule groups, once loaded (rule files load when storage is ready). */
    private static List<RuleGroup> loadedGroups(SightlineServer server) throws InterruptedException {
        while (server.rules().groups().isEmpty()) {
            Thread.sleep(50);
        }
        return server.rules().groups();
    }

    private static void measure(SightlineServer server, int rules, int cycles, int intervalS, Storage storage,
                                Map<String, Long> webhookNanos, int perMetric) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<RuleGroup> gs = loadedGroups(server);
        System.out.printf(Locale.ROOT, "%d rules in %d groups, every %d s%n", rules, gs.size(), intervalS);
        // Wait for every group's first evaluation (their offsets spread them over the interval).
        while (gs.stream().anyMatch(g -> g.lastEvaluationMs() == 0)) {
            Thread.sleep(100);
        }
        System.out.println("cycle  sum of group evaluations s  slowest group s  rules CPU s  GC s  process CPU s  alert latency ms");
        SplittableRandom r = new SplittableRandom(1);
        List<Long> latencies = new ArrayList<>();
        for (int c = 0; c < cycles; c++) {
            long cpu0 = os.getProcessCpuTime();
            long rules0 = rulesCpuNanos();
            long gc0 = gcMillis();
            Map<String, Long> seen = new java.util.HashMap<>();
            for (RuleGroup g : gs) {
                seen.put(g.name(), g.lastEvaluationMs());
            }
            // A threshold breach at a random moment of the cycle: its alert's way to the webhook.
            Thread.sleep(r.nextLong(intervalS * 1000L));
            String alert = "Threshold_" + c;
            // Its own series, so the history writer's next point cannot collide with it.
            Labels breach = labels(c, 0).toBuilder().set("instance", "breach").build();
            Appender app = storage.appender();
            app.append(0, breach, System.currentTimeMillis(), 5000);
            app.commit();
            long in = System.nanoTime();
            while (gs.stream().anyMatch(g -> g.lastEvaluationMs() == seen.get(g.name()))
                    || !webhookNanos.containsKey(alert)) {
                if (System.nanoTime() - in > 4L * intervalS * 1_000_000_000L) {
                    break;
                }
                Thread.sleep(20);
            }
            double sum = gs.stream().mapToDouble(RuleGroup::evaluationSeconds).sum();
            double max = gs.stream().mapToDouble(RuleGroup::evaluationSeconds).max().orElse(0);
            Long out = webhookNanos.get(alert);
            long latency = out == null ? -1 : (out - in) / 1_000_000;
            if (latency >= 0) {
                latencies.add(latency);
            }
            System.out.printf(Locale.ROOT, "%5d  %26.3f  %15.3f  %11.3f  %4.2f  %13.2f  %16s%n", c + 1, sum, max,
                    (rulesCpuNanos() - rules0) / 1e9, (gcMillis() - gc0) / 1e3, (os.getProcessCpuTime() - cpu0) / 1e9,
                    latency < 0 ? "none" : Long.toString(latency));
        }
        latencies.sort(null);
        if (!latencies.isEmpty()) {
            System.out.printf(Locale.ROOT, "alert latency (sample in -> webhook out): min %d ms, median %d ms, max %d ms "
                            + "(includes waiting up to one %d s interval for the group's next evaluation)%n",
                    latencies.get(0), latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1),
                    intervalS);
        }
        System.out.printf(Locale.ROOT, "series per anomaly rule: %d%n", perMetric);
    }
}
