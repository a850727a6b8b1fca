package dev.sightline.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under benchmark (Sightline or a peer) as a child process on 127.0.0.1, with what the side-by-side
 * benchmarks read from /proc about it. Closing stops it (SIGTERM, then SIGKILL
 * after 30 s), so its own shutdown flushes what it keeps on disk.
 */
public final class PeerProcess implements AutoCloseable {
    /** Clock ticks per second of /proc's CPU times (USER_HZ). */
    public static final double TICKS_PER_SECOND = 100.0;

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread killer;

    private PeerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.killer = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts {@code cmd} with output to {@code log} and extra environment {@code env} (name, value, ...). */
    public static PeerProcess start(String name, List<String> cmd, Path log, String... env) throws IOException {
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        for (int i = 0; i < env.length; i += 2) {
            b.environment().put(env[i], env[i + 1]);
        }
        return new PeerProcess(name, b.start(), log);
    }

    public long pid() {
        return process.pid();
    }

    /** Waits (at most 180 s) until {@code ready} answers 200; fails with the server's log if it exits meanwhile. */
    public void awaitReady(URI ready) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited:\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException(name + " not ready after 180 s:\n" + Files.readString(log));
    }

    /**
     * User plus system CPU time of the process so far, in seconds, from /proc/pid/stat (fields 14 and 15, in clock
     * ticks of 1/100 s, which Linux fixes for this interface on every common architecture).
     */
    public double cpuSeconds() throws IOException {
        return cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid()), "stat"))) / TICKS_PER_SECOND;
    }

    /** User plus system CPU ticks in a /proc stat line, of a process or of one of its threads (/proc/pid/task/tid/stat). */
    public static long cpuTicks(String stat) {
        // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** VmRSS and VmHWM of the process, in kB, from /proc/pid/status. */
    public long[] memoryKb() throws IOException {
        long rss = -1, hwm = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new long[]{rss, hwm};
    }

    /** Stops the server: SIGTERM and up to 30 s for its own shutdown, then SIGKILL. Closing twice does no harm. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                System.out.println(name + " did not stop within 30 s of SIGTERM; killed");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().removeShutdownHook(killer);
    }

    /**
     * The command that runs the Sightline server from class path {@code cp} under this JVM's java: the launcher's
     * memory and GC flags ({@link #jvmOptions}), {@code jvmFlags}, then the flags of SIGHTLINE_JAVA_OPTS (as the
     * ./sightline launcher takes them), then {@code server serverArgs}.
     */
    public static List<String> sightlineCommand(String cp, List<String> jvmFlags, String... serverArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + jvmOptions(cp));
        cmd.addAll(jvmFlags);
        String opts = System.getenv("SIGHTLINE_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) {
            cmd.addAll(List.of(opts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", cp, "dev.sightline.server.Main", "server"));
        cmd.addAll(List.of(serverArgs));
        return cmd;
    }

    /**
     * server/jvm.options, the argument file of JVM flags the ./sightline launcher starts the server with, found from
     * class path {@code cp} as bench.sh's server_cp gives it: the server jar in server/BUILD/ first.
     */
    static Path jvmOptions(String cp) {
        Path jar = Path.of(cp.split(java.io.File.pathSeparator, 2)[0]).toAbsolutePath().normalize();
        Path options = jar.getParent().getParent().resolve("jvm.options");
        if (!Files.isRegularFile(options)) {
            throw new IllegalArgumentException("no JVM options file at " + options + " (expected beside the server's "
                    + "build folder of class path " + cp + ")");
        }
        return options;
    }

    /** Checks the named peers (prometheus, victoria-metrics) are installed at the paths given; fails on any other name. */
    public static void requirePeers(List<String> peers, Path prometheus, Path victoria) {
        for (String p : peers) {
            switch (p) {
                case "prometheus" -> requireInstalled(prometheus, "prometheus");
                case "victoria-metrics" -> requireInstalled(victoria, "victoria-metrics");
                default -> throw new IllegalArgumentException("peers are prometheus and victoria-metrics, got " + p);
            }
        }
    }

    /** Fails naming how to install a peer whose binary is not at {@code binary}. */
    public static void requireInstalled(Path binary, String aptPackage) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalArgumentException(binary.getFileName() + " not found at " + binary
                    + " (Debian/Ubuntu: apt-get install " + aptPackage + "; or pass its path)");
        }
    }

    /**
     * A sightline.yml for servers under benchmark: the OTLP listeners off (their fixed ports would collide with
     * anything else running on the machine), everything else default.
     */
    public static Path sightlineConfig(Path dir) throws IOException {
        return Files.writeString(dir.resolve("sightline-bench.yml"), "server:\n  otlp_grpc_port: -1\n  otlp_http_port: -1\n");
    }

    /**
     * VictoriaMetrics on {@code port} with Prometheus's benchmark flags translated: its data in {@code data}, a
     * retention that keeps any test data (-retentionPeriod=100y, as Prometheus's retention.time=100y), and no
     * rollup result cache, so repeated queries are computed each time as Prometheus's and Sightline's are.
     */
    public static List<String> victoriaMetricsCommand(Path binary, Path data, int port) {
        return List.of(binary.toString(), "-storageDataPath=" + data, "-httpListenAddr=127.0.0.1:" + port,
                "-retentionPeriod=100y", "-search.disableCache", "-loggerLevel=WARN");
    }

    /**
     * Makes everything VictoriaMetrics accepted searchable and merged, as a compacted Prometheus block is:
     * /internal/force_flush, then /internal/force_merge, then waits until /metrics shows no active merges and the
     * data directory's size has held still for 5 s (the merge runs in the background).
     */
    public static void victoriaMetricsFlushAndMerge(URI base, Path data) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/internal/force_flush", "/internal/force_merge")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IOException("victoria-metrics " + path + " answered " + r.statusCode() + ": " + r.body());
            }
        }
        long lastSize = -1;
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            String metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long size;
            try {
                size = Bench.sizeOnDisk(data);
            } catch (IOException | UncheckedIOException mergedAway) {
                size = -2; // a part vanished while walking: still merging
            }
            if (size != lastSize || activeMerges(metrics) > 0) {
                lastSize = size;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(5)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IOException("victoria-metrics still merging after 30 minutes");
    }

    /** Sum of the vm_active_merges gauges in a /metrics page. */
    static double activeMerges(String metrics) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("vm_active_merges")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
