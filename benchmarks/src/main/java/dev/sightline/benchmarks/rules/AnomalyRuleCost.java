package dev.sightline.benchmarks.rules;

import dev.sightline.core.FileTrees;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.engine.DetectorCache;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The anomaly rules of {@link RuleEvalBenchmark} evaluated in one thread, without a server, every 15 s of simulated
 * time: CPU time per cycle stateless and with a {@link DetectorCache} per rule (as the rule manager keeps them), and
 * the heap the caches hold. Thread CPU time, unlike the server benchmark's wall time, barely moves when other work
 * shares the machine.
 *
 * <pre>
 * --rules R    anomaly rules, 20 series each (default 100)
 * --cycles C   evaluation cycles per mode (default 12)
 * </pre>
 */
public final class AnomalyRuleCost {
    private static final int PER_RULE = 20;
    private static final long STEP_MS = 60_000;
    private static final long INTERVAL_MS = 15_000;

    private AnomalyRuleCost() {
    }

    public static void main(String[] args) throws Exception {
        int rules = 100;
        int cycles = 12;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rules" -> rules = Integer.parseInt(args[++i]);
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("sightline-anomaly-cost");
        try (Tsdb tsdb = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false))) {
            long now = System.currentTimeMillis() / STEP_MS * STEP_MS;
            RuleEvalBenchmark.write(tsdb, rules, PER_RULE, now - 7 * 86_400_000L, now, STEP_MS);
            tsdb.flushHead();
            List<Expr> exprs = new ArrayList<>();
            for (int m = 0; m < rules; m++) {
                String metric = RuleEvalBenchmark.labels(m, 0).metricName();
                exprs.add(PromQLParser.parseExpr(String.format(Locale.ROOT,
                        RuleEvalBenchmark.ANOMALY[m % RuleEvalBenchmark.ANOMALY.length], metric)));
            }
            System.out.printf(Locale.ROOT, "%d anomaly rules x %d series, 7 d at 60 s, a cycle every 15 s%n", rules, PER_RULE);
            Engine engine = new Engine(EngineOptions.defaults());
            ThreadMXBean bean = ManagementFactory.getThreadMXBean();
            long t = now;
            for (boolean stateful : new boolean[]{false, true}) {
                List<DetectorCache> caches = new ArrayList<>();
                for (int m = 0; m < rules; m++) {
                    caches.add(stateful ? new DetectorCache(0) : null);
                }
                for (int c = 0; c < cycles; c++) {
                    t += INTERVAL_MS;
                    long minute = t - t % STEP_MS;
                    if (t - minute < INTERVAL_MS) {
                        RuleEvalBenchmark.write(tsdb, rules, PER_RULE, minute, minute + 1, STEP_MS);
                    }
                    long cpu = bean.getCurrentThreadCpuTime();
                    for (int m = 0; m < rules; m++) {
                        engine.instant(tsdb, exprs.get(m), t, caches.get(m));
                    }
                    System.out.printf(Locale.ROOT, "%-9s cycle %2d: %.3f s CPU%n", stateful ? "stateful" : "stateless",
                            c + 1, (bean.getCurrentThreadCpuTime() - cpu) / 1e9);
                }
                if (stateful) {
                    Runtime rt = Runtime.getRuntime();
                    System.gc();
                    long with = rt.totalMemory() - rt.freeMemory();
                    int held = 0;
                    for (DetectorCache cache : caches) {
                        held += cache.series();
                    }
                    caches.clear();
                    System.gc();
                    long without = rt.totalMemory() - rt.freeMemory();
                    System.out.printf(Locale.ROOT, "detector state: %d series, %.0f MB (%.0f KB per series)%n", held,
                            (with - without) / 1e6, (with - without) / 1e3 / Math.max(1, held));
                }
            }
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }
}
