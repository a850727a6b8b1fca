package dev.sightline.benchmarks.remotewrite;

import dev.sightline.benchmarks.PeerProcess;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the CPU went while one server was measured (Linux /proc): the server's CPU by thread name (numbered threads
 * of a pool counted together), this load generator's own CPU, and the machine's idle time. A server that uses less
 * than the cores there are is then explained by one of them: its threads waiting (the machine idle), the load
 * generator's share, or one thread doing what the others wait for (Serial GC's VM Thread, say).
 */
final class CpuAccounts {
    private final Map<String, Long> serverThreads;
    private final long clientNanos;
    private final long[] machine;

    private CpuAccounts(Map<String, Long> serverThreads, long clientNanos, long[] machine) {
        this.serverThreads = serverThreads;
        this.clientNanos = clientNanos;
        this.machine = machine;
    }

    static CpuAccounts take(long serverPid) throws IOException {
        return new CpuAccounts(threadTicks(serverPid), clientNanos(), machineTicks());
    }

    /** The summary of what was spent from {@code before} to this, over {@code seconds} of wall-clock time. */
    String since(CpuAccounts before, double seconds) {
        Map<String, Long> d = new HashMap<>();
        serverThreads.forEach((name, t) -> d.merge(name, t - before.serverThreads.getOrDefault(name, 0L), Long::sum));
        String threads = d.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / PeerProcess.TICKS_PER_SECOND / seconds))
                .collect(Collectors.joining(", "));
        long total = 0;
        for (int i = 0; i < machine.length; i++) {
            total += machine[i] - before.machine[i];
        }
        // /proc/stat's cpu line: user nice system idle iowait irq softirq steal ...
        double idle = total == 0 ? 0 : (double) (machine[3] - before.machine[3] + machine[4] - before.machine[4]) / total;
        return String.format(Locale.ROOT, "server cores by thread: %s; load generator %.2f cores (%.1f s CPU); machine "
                        + "idle %.0f%% of %d cores", threads.isEmpty() ? "none" : threads,
                (clientNanos - before.clientNanos) / 1e9 / seconds, (clientNanos - before.clientNanos) / 1e9, idle * 100,
                Runtime.getRuntime().availableProcessors());
    }

    private static long clientNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long[] machineTicks() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst();
        String[] f = cpu.trim().split("\\s+");
        long[] t = new long[f.length - 1];
        for (int i = 1; i < f.length; i++) {
            t[i - 1] = Long.parseLong(f[i]);
        }
        return t;
    }

    /** User + system ticks by thread name, digits at the end of a name dropped (vert.x-worker-thread-3: a pool). */
    private static Map<String, Long> threadTicks(long pid) throws IOException {
        Map<String, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[-#]?[0-9]+$", "");
                ticks.merge(name, PeerProcess.cpuTicks(stat), Long::sum);
            }
        }
        return ticks;
    }
}
